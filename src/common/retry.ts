import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs fn again while it fails with an error `transient` accepts (the database unreachable, a
 * killed connection), waiting 250 ms, then twice as long each time up to 10 s, for at most
 * `forMs` in all, or until `stop()` says so. Any other error, or the last one, is thrown.
 * For background work that no client will retry: a job's outcome, events for subscribers.
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  opts: { transient: (err: unknown) => boolean; forMs: number; stop?: () => boolean; onRetry?: (err: unknown, attempt: number) => void },
): Promise<T> {
  const deadline = Date.now() + opts.forMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = Math.min(10_000, 250 * 2 ** (attempt - 1));
      if (!opts.transient(err) || opts.stop?.() || Date.now() + wait > deadline) throw err;
      opts.onRetry?.(err, attempt);
      await sleep(wait);
    }
  }
}
