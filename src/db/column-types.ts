import type { ColumnOptions, ColumnType, EntityMetadata } from 'typeorm';

/** Millisecond date-times; both drivers store UTC (mysql2 is configured with timezone Z). */
export const DATETIME: ColumnOptions = { type: 'datetime', precision: 3 };

/** A Date as a raw SQL parameter for DATETIME(3) columns, in the UTC form both drivers store. */
export function sqlDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** MariaDB types of the columns whose type differs by dialect: declaring class → property → type. */
const MARIADB_TYPES = new Map<object, Map<string, ColumnType>>();

/**
 * The MariaDB type of a column whose @Column names its SQLite type, where the two differ: e.g. a
 * job log is TEXT on SQLite (unbounded) and MEDIUMTEXT on MariaDB (where TEXT holds only 64 KB),
 * as the migrations create them. createDataSource applies it to the MariaDB data source's metadata,
 * so the schema TypeORM compares against (migration:generate, the drift test) is the migrations'.
 */
export function MariaDbType(type: ColumnType): PropertyDecorator {
  return (target, property) => {
    const byProperty = MARIADB_TYPES.get(target.constructor) ?? new Map<string, ColumnType>();
    byProperty.set(String(property), type);
    MARIADB_TYPES.set(target.constructor, byProperty);
  };
}

/** Gives the columns declared with @MariaDbType their MariaDB type (in a MariaDB data source's metadata). */
export function applyMariaDbTypes(metadatas: readonly EntityMetadata[]): void {
  for (const metadata of metadatas) {
    for (const column of metadata.columns) {
      const type = MARIADB_TYPES.get(column.target as object)?.get(column.propertyName);
      if (type) column.type = type;
    }
  }
}
