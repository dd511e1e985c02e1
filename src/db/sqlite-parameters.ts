import type { DataSource } from 'typeorm';

/** A number on its way through TypeORM's parameter escaping, to be bound rather than written into the SQL. */
class BoundNumber {
  constructor(readonly value: number) {}
}

type Escape = (sql: string, parameters: Record<string, unknown>, nativeParameters: Record<string, unknown>) => [string, unknown[]];

/**
 * TypeORM's SQLite drivers write number parameters into the SQL text (`WHERE "id" = 17`,
 * `VALUES (NULL, 4, ?, ...)`) instead of binding them, so almost every statement was a new text:
 * prepared again, pushing an earlier one out of the runner's statement cache, and left for V8's
 * garbage collector to finalize. Their native memory piled up (the soak saw SQLite's C heap grow by
 * hundreds of MiB while the V8 heap stayed flat) and every query paid for a prepare. This binds
 * numbers like any other value, so a statement's text depends on its shape only.
 */
export function bindNumberParameters(dataSource: DataSource): void {
  const driver = dataSource.driver as unknown as { escapeQueryWithParameters: Escape };
  const escape = driver.escapeQueryWithParameters.bind(driver);
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    if (!parameters) return escape(sql, parameters, nativeParameters);
    const wrapped = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, typeof v === 'number' ? new BoundNumber(v) : v]));
    const [text, values] = escape(sql, wrapped, nativeParameters);
    return [text, values.map((v) => (v instanceof BoundNumber ? v.value : v))];
  };
}
