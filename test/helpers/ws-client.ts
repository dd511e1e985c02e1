import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received<T = Record<string, any>> {
  /** Data of each `next` message, in order. */
  events: T[];
  /** Errors delivered for the operation (in a `next` payload or an `error` message). */
  errors: { message: string; extensions?: Record<string, any> }[];
  completed: boolean;
  /** Resolves once `count` events arrived; rejects naming what did arrive after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves once the operation ended (complete or error). */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

export interface WsClient {
  client: Client;
  subscribe<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Received<T>;
  /** The close event if the server closed the connection (code, reason). */
  closed: Promise<{ code: number; reason: string }>;
  dispose(): Promise<void>;
}

/** A real graphql-ws client on the `ws` WebSocket implementation, without retries (tests see every close). */
export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> | null): WsClient {
  let onClosed: (e: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: connectionParams ?? undefined,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (e) => onClosed({ code: (e as { code: number }).code, reason: String((e as { reason: unknown }).reason) }) },
  });
  const subscribe = <T>(query: string, variables: Record<string, unknown> = {}): Received<T> => {
    const waiters: (() => void)[] = [];
    const notify = () => waiters.splice(0).forEach((w) => w());
    const received: Received<T> = {
      events: [],
      errors: [],
      completed: false,
      waitFor: (count, timeoutMs = 10_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            if (received.events.length >= count) {
              clearTimeout(timer);
              resolve(received.events);
              return true;
            }
            if (received.completed) {
              clearTimeout(timer);
              reject(new Error(`The subscription ended after ${received.events.length} of ${count} events; errors: ${JSON.stringify(received.errors)}`));
              return true;
            }
            return false;
          };
          const timer = setTimeout(
            () => reject(new Error(`Waited for ${count} events, got ${received.events.length}: ${JSON.stringify(received.events)}; errors: ${JSON.stringify(received.errors)}`)),
            timeoutMs,
          );
          const again = () => {
            if (!check()) waiters.push(again);
          };
          again();
        }),
      ended: (timeoutMs = 10_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('The subscription did not end')), timeoutMs);
          const again = () => {
            if (received.completed) {
              clearTimeout(timer);
              resolve();
            } else waiters.push(again);
          };
          again();
        }),
      unsubscribe: () => stop(),
    };
    const stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) received.errors.push(...(result.errors as Received['errors']));
          if (result.data) received.events.push(result.data as T);
          notify();
        },
        error: (err) => {
          if (Array.isArray(err)) received.errors.push(...(err as Received['errors']));
          else received.errors.push({ message: String((err as { reason?: string }).reason ?? err) });
          received.completed = true;
          notify();
        },
        complete: () => {
          received.completed = true;
          notify();
        },
      },
    );
    return received;
  };
  return { client, subscribe, closed, dispose: () => client.dispose() as Promise<void> };
}

/** Polls until check() holds (a condition the test cannot await directly), failing with `what` after timeoutMs. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
