import type { LoggerOptions, Logger as TypeOrmLogger, QueryRunner } from 'typeorm';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';

type Shown = 'query' | 'error' | 'schema' | 'log' | 'info' | 'warn';

/**
 * Counts every statement against the current request (tests and metrics read the count) and
 * sends TypeORM's messages to the app logger. Parameters are never logged: they carry user data.
 *
 * TypeORM's own CLI (`npx typeorm-ts-node-commonjs migration:show -d ormconfig.ts`) asks for its
 * output through the data source's `logging` option (['schema'] for migration:show, plus 'query'
 * and 'error' for migration:run): what that option names is printed as plain lines on stdout, as
 * TypeORM's console loggers do, and so are migration messages then. The app sets no `logging`.
 */
export class SqlCountLogger implements TypeOrmLogger {
  constructor(
    private readonly appLog: Logger,
    /** The data source's `logging` option, read at each message (the CLI sets it after loading ormconfig.ts). */
    private readonly logging: () => LoggerOptions | undefined = () => undefined,
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const scope = requestScope.getStore();
    if (scope) scope.sqlCount += 1;
    if (this.shows('query')) this.print(`query: ${query}`);
    if (this.appLog.isLevelEnabled('trace')) this.appLog.trace({ sql: query, requestId: scope?.requestId }, 'sql');
  }

  logQueryError(error: string | Error, query: string): void {
    if (this.shows('error')) this.print(`query failed: ${query}\nerror: ${error instanceof Error ? error.message : error}`);
    this.appLog.debug({ err: error, sql: query, requestId: requestScope.getStore()?.requestId }, 'sql failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.appLog.warn({ durationMs: time, sql: query, requestId: requestScope.getStore()?.requestId }, 'slow sql');
  }

  logSchemaBuild(message: string): void {
    if (this.shows('schema')) this.print(message);
    else this.appLog.debug({ schema: message }, 'schema');
  }

  logMigration(message: string): void {
    if (this.logging()) this.print(message);
    else this.appLog.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (this.shows(level)) this.print(typeof message === 'string' ? message : JSON.stringify(message));
    else if (level === 'warn') this.appLog.warn({ typeorm: message });
    else this.appLog.debug({ typeorm: message });
  }

  /** Whether the `logging` option asks for this kind of message (as TypeORM's own loggers read it). */
  private shows(kind: Shown): boolean {
    const logging = this.logging();
    if (logging === 'all') return true;
    if (logging === true) return kind === 'query' || kind === 'error';
    return Array.isArray(logging) && logging.includes(kind);
  }
}
