import type { DataSource, QueryRunner } from 'typeorm';
import type { Tracing } from '../common/tracing';

/**
 * One span per SQL statement (name "sql <VERB>", the statement text, never its parameters), when
 * tracing is on. Every statement TypeORM runs goes through a query runner from
 * DataSource.createQueryRunner (repositories, query builders, transactions), so wrapping the runners'
 * query() covers them all, with the statement's real start and end.
 */
export function traceSql(dataSource: DataSource, tracing: Tracing, system: 'sqlite' | 'mysql'): void {
  if (!tracing.enabled) return;
  const create = dataSource.createQueryRunner.bind(dataSource);
  // The SQLite driver hands out one shared runner: wrap each runner once.
  const wrapped = new WeakSet<QueryRunner>();
  dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>): QueryRunner => {
    const runner = create(...args);
    if (wrapped.has(runner)) return runner;
    wrapped.add(runner);
    const query = runner.query.bind(runner) as (...a: unknown[]) => Promise<unknown>;
    runner.query = ((sql: string, ...rest: unknown[]) => {
      const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
      return tracing.span(`sql ${verb}`, { 'db.system': system, 'db.statement': sql.length > 2000 ? `${sql.slice(0, 2000)}…` : sql }, () => query(sql, ...rest));
    }) as QueryRunner['query'];
    return runner;
  };
}
