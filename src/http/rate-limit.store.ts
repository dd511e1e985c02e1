import Redis from 'ioredis';
import type { Background, StopTimer } from '../common/background';
import type { AppConfig } from '../config/config';
import type { Logger } from '../common/logger';
import type { Database } from '../db/database';

/** Fixed one-minute windows: every replica agrees on the window from the clock alone. */
export const RATE_WINDOW_MS = 60_000;

/** Counts cost points per subject and window where every replica sees them (the database or Redis). */
export interface RateLimitStore {
  readonly kind: 'database' | 'redis';
  /** Adds points to the subject's current window and returns the window's new total. One round trip. */
  charge(subject: string, points: number, windowStart: number): Promise<number>;
  close(): Promise<void>;
}

export function windowStartOf(now: number): number {
  return now - (now % RATE_WINDOW_MS);
}

/**
 * Counters in table rate_limit_window, one row per (subject, window). A charge is one atomic upsert
 * that also returns the new total: RETURNING on SQLite; on MySQL/MariaDB, which have no RETURNING
 * for the update branch, LAST_INSERT_ID(expr) carries the new total back in the OK packet.
 * Old windows are deleted by a timer, outside any request, so requests pay exactly one statement.
 */
export class DatabaseRateLimitStore implements RateLimitStore {
  readonly kind = 'database';
  private readonly stopSweeper: StopTimer;

  constructor(private readonly db: Database, background: Background, private readonly log: Logger) {
    this.stopSweeper = background.every('rate-limit sweep', RATE_WINDOW_MS, () => this.sweep());
  }

  async charge(subject: string, points: number, windowStart: number): Promise<number> {
    if (this.db.dialect === 'sqlite') {
      // Outside any transaction: the connection gate runs it between other requests' transactions.
      const rows = (await this.db.manager.query(
        'INSERT INTO rate_limit_window (subject, window_start, points) VALUES (?, ?, ?) ON CONFLICT(subject, window_start) DO UPDATE SET points = points + excluded.points RETURNING points',
        [subject, windowStart, points],
      )) as { points: number }[];
      return Number(rows[0].points);
    }
    const result = (await this.db.manager.query(
      'INSERT INTO rate_limit_window (subject, window_start, points) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE points = LAST_INSERT_ID(points + VALUES(points))',
      [subject, windowStart, points],
    )) as { affectedRows: number; insertId: number | string };
    // affectedRows is 1 for a new row (the total is this charge) and 2 for an updated one.
    return result.affectedRows === 1 ? points : Number(result.insertId);
  }

  /** Drops windows that have ended; any replica may do it. */
  async sweep(now = Date.now()): Promise<void> {
    try {
      await this.db.manager.query('DELETE FROM rate_limit_window WHERE window_start < ?', [windowStartOf(now)]);
    } catch (err) {
      this.log.warn({ err }, 'could not delete old rate-limit windows');
    }
  }

  async close(): Promise<void> {
    this.stopSweeper();
  }
}

/** Counters in Redis: INCRBY and PEXPIRE in one MULTI, so a key never outlives its window for long. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly kind = 'redis';
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix: string) {
    // Fail fast instead of queueing commands while Redis is away: the fallback store takes over at once.
    this.redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 });
    this.redis.on('error', () => undefined); // reported by the failing command; avoids unhandled 'error' events
  }

  async charge(subject: string, points: number, windowStart: number): Promise<number> {
    const key = `${this.prefix}${subject}:${windowStart}`;
    const replies = await this.redis.multi().incrby(key, points).pexpire(key, RATE_WINDOW_MS * 2).exec();
    const [err, total] = replies?.[0] ?? [new Error('empty MULTI reply'), null];
    if (err) throw err;
    return Number(total);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Redis first, the database while Redis is unreachable: a Redis outage must not take the API down
 * (subscriptions and writes keep working without it too), and the database is shared by every
 * replica, so the budget still holds across them. Warnings are logged at most every 30 s.
 */
export class FallbackRateLimitStore implements RateLimitStore {
  readonly kind = 'redis';
  private lastWarning = 0;

  constructor(
    private readonly primary: RateLimitStore,
    private readonly fallback: RateLimitStore,
    private readonly log: Logger,
  ) {}

  async charge(subject: string, points: number, windowStart: number): Promise<number> {
    try {
      return await this.primary.charge(subject, points, windowStart);
    } catch (err) {
      if (Date.now() - this.lastWarning > 30_000) {
        this.lastWarning = Date.now();
        this.log.warn({ err }, 'rate-limit counters: Redis unreachable, counting in the database meanwhile');
      }
      return this.fallback.charge(subject, points, windowStart);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }
}

/** The store for the configured limit: none when it is off, Redis (falling back to the database) when REDIS_URL is set. */
export function createRateLimitStore(config: AppConfig, db: Database, background: Background, log: Logger): RateLimitStore | null {
  if (config.queryLimits.rateLimitPerMinute === 0) return null;
  const database = new DatabaseRateLimitStore(db, background, log);
  return config.redisUrl ? new FallbackRateLimitStore(new RedisRateLimitStore(config.redisUrl, config.queryLimits.rateLimitRedisPrefix), database, log) : database;
}
