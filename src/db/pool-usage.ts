import type { PoolUsage } from '../common/metrics';
import type { Database } from './database';

/** mysql2 pool figures (its internal queues; no public API exposes them). null for SQLite: one connection, no pool. */
export function mysqlPoolUsage(db: Database): PoolUsage | null {
  if (db.dialect !== 'mysql' || !db.dataSource.isInitialized) return null;
  const pool = (db.dataSource.driver as unknown as { pool?: { _allConnections?: { length: number }; _freeConnections?: { length: number }; _connectionQueue?: { length: number }; config?: { connectionLimit?: number } } }).pool;
  if (!pool?._allConnections) return null;
  return {
    all: pool._allConnections.length,
    free: pool._freeConnections?.length ?? 0,
    waiting: pool._connectionQueue?.length ?? 0,
    limit: pool.config?.connectionLimit ?? 0,
  };
}
