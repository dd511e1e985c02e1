import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Plain SQL text for hot, fixed-shape reads, with rows mapped to the same entities TypeORM would
 * return. TypeORM's query builder spends more CPU building the SQL text (alias and property-name
 * replacement) and hydrating (per-query column caches, join bookkeeping) than the database spends
 * answering the hot reads (bench/RESULTS.md, issue 21). Here the column list is derived once
 * from the entity metadata (so a column added to an entity is read without touching any SQL),
 * statements are strings built once per shape, and a row becomes an entity through the same
 * driver conversion (dates, JSON, booleans, transformers) as TypeORM's own hydration.
 */
export class EntityRows<T extends ObjectLiteral> {
  readonly metadata: EntityMetadata;
  /** The table name, escaped. */
  readonly table: string;
  /** `alias.col AS alias_col, ...` for every selectable column. */
  readonly select: string;
  private readonly columns: { key: string; column: ColumnMetadata }[];
  private readonly primaryKey: string;

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<T>,
    readonly alias: string,
  ) {
    this.metadata = dataSource.getMetadata(entity);
    const driver = dataSource.driver;
    this.table = driver.escape(this.metadata.tablePath);
    const selectable = this.metadata.columns.filter((c) => c.isSelect && !c.isVirtual);
    this.columns = selectable.map((column) => ({ key: `${alias}_${column.databaseName}`, column }));
    const primary = this.metadata.primaryColumns;
    this.primaryKey = primary.length === 1 ? `${alias}_${primary[0].databaseName}` : '';
    this.select = this.columns.map(({ key, column }) => `${driver.escape(alias)}.${driver.escape(column.databaseName)} AS ${driver.escape(key)}`).join(', ');
  }

  /** An escaped column reference by property name (`t.number`), for WHERE and ORDER BY text. */
  col(propertyPath: string): string {
    const column = this.metadata.findColumnWithPropertyPath(propertyPath);
    if (!column) throw new Error(`${this.metadata.name} has no column ${propertyPath}`);
    return `${this.dataSource.driver.escape(this.alias)}.${this.dataSource.driver.escape(column.databaseName)}`;
  }

  /** The primary key's raw value in `row` (selected with `select`), without building the entity. */
  idOf(row: Record<string, unknown>): unknown {
    return row[this.primaryKey];
  }

  /** The entity in `row` (selected with `select`), or null when its primary key is null (an outer join that found nothing). */
  map(row: Record<string, unknown>): T | null {
    const driver = this.dataSource.driver;
    let hasData = false;
    const entity = this.metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const { key, column } of this.columns) {
      const value = row[key];
      if (value === undefined) continue;
      if (value !== null) hasData = true;
      column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
    }
    return hasData ? entity : null;
  }

  mapAll(rows: Record<string, unknown>[]): T[] {
    const out: T[] = [];
    for (const row of rows) {
      const e = this.map(row);
      if (e) out.push(e);
    }
    return out;
  }
}

/** `?, ?, ?` for an IN list of n values (both dialects take positional `?` in raw queries). */
export function placeholders(n: number): string {
  return n === 1 ? '?' : '?, '.repeat(n - 1) + '?';
}
