import v8 from 'node:v8';

/**
 * What a process's memory is made of, as Node sees it (bytes): the V8 heap by space, and the
 * memory outside it (Buffers' ArrayBuffers and other external allocations). RSS minus heap minus
 * external is the rest: the node binary and native libraries, code, and the C allocator.
 */
export interface MemoryBreakdown {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** Young generation (both semi-spaces) as committed, and the other heap spaces. */
  newSpace: number;
  oldSpace: number;
  codeSpace: number;
  largeObjectSpace: number;
  /** Includes arrayBuffers. */
  external: number;
  arrayBuffers: number;
}

export function memoryBreakdown(): MemoryBreakdown {
  const m = process.memoryUsage();
  const spaces = new Map(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  const space = (...names: string[]) => names.reduce((sum, n) => sum + (spaces.get(n) ?? 0), 0);
  return {
    rss: m.rss,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    newSpace: space('new_space'),
    oldSpace: space('old_space'),
    codeSpace: space('code_space', 'code_large_object_space'),
    largeObjectSpace: space('large_object_space', 'new_large_object_space'),
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

/**
 * In a server started by child-server.ts: answers the bench's {type: 'memory', id} messages on
 * the IPC channel with memoryBreakdown(). A few microseconds per request, four requests a second.
 */
export function answerMemoryRequests(): void {
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type === 'memory') process.send?.({ type: 'memory', id: message.id, memory: memoryBreakdown() });
  });
}
