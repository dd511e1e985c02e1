import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logger';
import { requestScope, type RequestScope } from './request-scope';

/** Stops a timer started by after() or every(). */
export type StopTimer = () => void;

/**
 * The one way to start work that is not a request's own: outbox rounds (mail, webhooks, job
 * dispatch), job completion, sweeps, stream dispatch, schedules.
 *
 * AsyncLocalStorage context follows timers, child-process events and promises: a timer set while a
 * request runs fires inside that request's scope, under its deadline (REQUEST_TIMEOUT), its trace
 * span and its open transaction, if any. Work started that way failed every transaction once the
 * request's deadline had passed (the outbox stopped until a restart; long jobs never finished).
 *
 * So every task here runs in the async context captured when the process built this object (no
 * request, no span, no transaction), each run in a task scope of its own: a name for the logs and
 * statement counts, no deadline and no viewer. Work that needs someone's authority acts as the
 * explicit system actor (systemViewer in services/access.ts), never as a request's viewer.
 */
export class Background {
  /** The context of process start-up: whatever runs in it sees no request. */
  private readonly root = AsyncLocalStorage.snapshot();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;
  private seq = 0;

  constructor(private readonly log: Logger) {}

  /** Runs fn now as `task`, outside any request; settles with its result. */
  run<T>(task: string, fn: () => Promise<T> | T): Promise<T> {
    const scope: RequestScope = { requestId: `${task}#${++this.seq}`, sqlCount: 0, operationName: null, task };
    const run = this.root(() => requestScope.run(scope, async () => fn()));
    this.running.add(run);
    void run.then(
      () => this.running.delete(run),
      () => this.running.delete(run),
    );
    return run;
  }

  /** Fire and forget: runs fn as `task` and logs its failure. */
  start(task: string, fn: () => Promise<unknown> | unknown): void {
    if (this.closed) return;
    this.run(task, fn).catch((err: unknown) => this.log.error({ err, task }, 'background task failed'));
  }

  /** Runs fn as `task` once, after delayMs (unless stopped or closed first). */
  after(task: string, delayMs: number, fn: () => Promise<unknown> | unknown): StopTimer {
    if (this.closed) return () => undefined;
    const timer = this.root(() =>
      setTimeout(() => {
        this.timers.delete(timer);
        this.start(task, fn);
      }, delayMs),
    );
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /**
   * Runs fn as `task` every intervalMs, the next run timed from the end of the previous one, so
   * runs never overlap however long one takes. A failing run is logged; the next still comes.
   */
  every(task: string, intervalMs: number, fn: () => Promise<unknown> | unknown): StopTimer {
    let stopped = false;
    let stopTimer: StopTimer = () => undefined;
    const schedule = () => {
      if (stopped) return;
      stopTimer = this.after(task, intervalMs, async () => {
        try {
          await fn();
        } finally {
          schedule();
        }
      });
    };
    schedule();
    return () => {
      stopped = true;
      stopTimer();
    };
  }

  /** Tasks running now (metrics, shutdown). */
  get active(): number {
    return this.running.size;
  }

  /** Stops every timer, starts nothing more, and waits for the tasks still running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
