import type { Logger as TypeOrmLogger, QueryRunner } from 'typeorm';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';

/**
 * Counts every statement against the current request (tests and metrics read the count) and
 * sends TypeORM's messages to the app logger. Parameters are never logged: they carry user data.
 */
export class SqlCountLogger implements TypeOrmLogger {
  constructor(private readonly appLog: Logger) {}

  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const scope = requestScope.getStore();
    if (scope) scope.sqlCount += 1;
    if (this.appLog.isLevelEnabled('trace')) this.appLog.trace({ sql: query, requestId: scope?.requestId }, 'sql');
  }

  logQueryError(error: string | Error, query: string): void {
    this.appLog.debug({ err: error, sql: query, requestId: requestScope.getStore()?.requestId }, 'sql failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.appLog.warn({ durationMs: time, sql: query, requestId: requestScope.getStore()?.requestId }, 'slow sql');
  }

  logSchemaBuild(message: string): void {
    this.appLog.debug({ schema: message }, 'schema');
  }

  logMigration(message: string): void {
    this.appLog.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.appLog.warn({ typeorm: message });
    else this.appLog.debug({ typeorm: message });
  }
}
