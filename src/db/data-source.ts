import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { ENTITIES } from '../entities';
import { SQLITE_MIGRATIONS } from '../../migrations/sqlite';
import { MYSQL_MIGRATIONS } from '../../migrations/mysql';
import { applyMariaDbColumns } from './column-types';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { SqlCountLogger } from './sql-count.logger';
import { useLeanQueryPromises } from './mysql-query-promise';
import { bindNumberParameters } from './sqlite-parameters';

/** MariaDB: after TypeORM builds the entity metadata, the columns' MariaDB types (column-types.ts). */
class MariaDbDataSource extends DataSource {
  protected override async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    applyMariaDbColumns(this.entityMetadatas);
  }
}

/** The TypeORM data source for either dialect. Schema changes come from migrations, never synchronize. */
export function createDataSource(db: DatabaseConfig, log: Logger): DataSource {
  let dataSource: DataSource;
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    // Reads `logging` as TypeORM's CLI sets it, so its commands print their output (sql-count.logger.ts).
    logger: new SqlCountLogger(log, () => dataSource.options.logging),
    maxQueryExecutionTime: 1000,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
  };
  if (db.kind === 'sqlite') {
    if (db.path !== ':memory:') fs.mkdirSync(path.dirname(db.path), { recursive: true });
    dataSource = new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      migrations: SQLITE_MIGRATIONS,
      // WAL lets the CLI read while the server writes; the busy timeout makes a second writer wait, not fail.
      enableWAL: true,
      timeout: 5000,
      // Statements are kept prepared by their text; the app has a few hundred texts (with numbers
      // bound, see bindNumberParameters), which all stay prepared instead of being prepared again.
      statementCacheSize: 500,
    });
    bindNumberParameters(dataSource);
    return dataSource;
  }
  dataSource = new MariaDbDataSource({
    ...common,
    // 'mariadb', not 'mysql': TypeORM reads MariaDB's information_schema (column defaults, nullability)
    // by this type, so the schema it compares with the entities is the one the migrations made.
    type: 'mariadb',
    url: db.url,
    migrations: MYSQL_MIGRATIONS,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: false,
    poolSize: 10,
    extra: { connectionLimit: 10, waitForConnections: true, connectTimeout: 5000, enableKeepAlive: true },
  });
  // As type 'mariadb' on MariaDB 10.5+, TypeORM would write INSERT ... RETURNING (and group saves of
  // several rows into one INSERT). Keep the statements the app has always run on MariaDB: a plain
  // INSERT, its generated id from the driver, and a re-read of the columns the database defaults.
  dataSource.driver.isReturningSqlSupported = () => false;
  useLeanQueryPromises(dataSource);
  return dataSource;
}
