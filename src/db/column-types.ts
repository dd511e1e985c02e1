import type { ColumnOptions, ColumnType, EntityMetadata } from 'typeorm';

/** Millisecond date-times; both drivers store UTC (mysql2 is configured with timezone Z). */
export const DATETIME: ColumnOptions = { type: 'datetime', precision: 3 };

/** A Date as a raw SQL parameter for DATETIME(3) columns, in the UTC form both drivers store. */
export function sqlDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** What differs on MariaDB for a column: its type, its collation. */
interface MariaDbColumn {
  type?: ColumnType;
  collation?: string;
}

/** MariaDB specifics of columns: declaring class → property → what differs. */
const MARIADB_COLUMNS = new Map<object, Map<string, MariaDbColumn>>();

function mariaDb(change: MariaDbColumn): PropertyDecorator {
  return (target, property) => {
    const byProperty = MARIADB_COLUMNS.get(target.constructor) ?? new Map<string, MariaDbColumn>();
    byProperty.set(String(property), { ...byProperty.get(String(property)), ...change });
    MARIADB_COLUMNS.set(target.constructor, byProperty);
  };
}

/**
 * The MariaDB type of a column whose @Column names its SQLite type, where the two differ: e.g. a
 * job log is TEXT on SQLite (unbounded) and MEDIUMTEXT on MariaDB (where TEXT holds only 64 KB),
 * as the migrations create them. createDataSource applies it to the MariaDB data source's metadata,
 * so the schema TypeORM compares against (migration:generate, the drift test) is the migrations'.
 */
export function MariaDbType(type: ColumnType): PropertyDecorator {
  return mariaDb({ type });
}

/**
 * A column compared byte for byte on MariaDB too (utf8mb4_bin), as SQLite compares text: for keys
 * that come from other systems, where "ABC-1" and "abc-1" are two ids. The database's default
 * collation folds case (right for usernames and category keys, which people type).
 */
export function MariaDbExact(): PropertyDecorator {
  return mariaDb({ collation: 'utf8mb4_bin' });
}

/** Gives the columns declared with @MariaDbType / @MariaDbExact their MariaDB type and collation (in a MariaDB data source's metadata). */
export function applyMariaDbColumns(metadatas: readonly EntityMetadata[]): void {
  for (const metadata of metadatas) {
    for (const column of metadata.columns) {
      const change = MARIADB_COLUMNS.get(column.target as object)?.get(column.propertyName);
      if (change?.type) column.type = change.type;
      if (change?.collation) column.collation = change.collation;
    }
  }
}
