/**
 * Promise.withResolvers (ES2024, Node 22) for PostGraphile 5.1 on Node 20: grafast and grafserv
 * call it, and every 5.x release declares Node >= 22. Loaded first by the PostGraphile peer's
 * process only (bench/postgraphile/server.ts), never by the gateway.
 */
const P = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e?: unknown) => void } };

if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
