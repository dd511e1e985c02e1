import { spawn, type ChildProcess } from 'node:child_process';
import type { MemoryBreakdown } from './memory-probe';

/** A server running in a child process of the bench, started by spawnServer(). */
export interface ChildServer {
  name: string;
  pid: number;
  url: string;
  /** The end of what it wrote on stderr, for error messages. */
  stderrTail(): string;
  /** How it exited ("code 1", "SIGKILL"), or null while it runs. */
  exitStatus(): string | null;
  /** The server's own view of its memory (memory-probe.ts), over IPC; null if it does not answer within a second. */
  memoryBreakdown(): Promise<MemoryBreakdown | null>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
// Last resort when the bench exits without stopping a child (an exception, process.exit): the
// children also stop by themselves when their IPC channel to the bench closes.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts `node <args>` with an IPC channel (the child exits when the bench goes away) and waits
 * for the one line of JSON with its `url` that the server prints once it listens.
 */
export function spawnServer(name: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-8_000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  let nextId = 0;
  const waiting = new Map<number, (m: MemoryBreakdown | null) => void>();
  child.on('message', (message: { type?: string; id?: number; memory?: MemoryBreakdown }) => {
    if (message?.type !== 'memory' || message.id === undefined) return;
    waiting.get(message.id)?.(message.memory ?? null);
    waiting.delete(message.id);
  });
  const memoryBreakdown = () =>
    new Promise<MemoryBreakdown | null>((resolve) => {
      if (!child.connected) return resolve(null);
      const id = ++nextId;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(null);
      }, 1_000);
      waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      child.send({ type: 'memory', id }, (err) => {
        if (!err) return;
        waiting.delete(id);
        clearTimeout(timer);
        resolve(null);
      });
    });

  return new Promise((resolve, reject) => {
    let stdout = '';
    let done = false;
    const finish = (err: Error | null, server?: ChildServer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) void stop(1_000).then(() => reject(err));
      else resolve(server!);
    };
    const timer = setTimeout(() => finish(new Error(`${name} did not report its URL within ${options.timeoutMs ?? 60_000} ms; stderr:\n${stderr}`)), options.timeoutMs ?? 60_000);
    child.once('error', (err) => finish(err));
    child.once('exit', (code, signal) => finish(new Error(`${name} exited (${signal ?? `code ${code}`}) before listening; stderr:\n${stderr}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (done) return; // keep draining: a full pipe would block the child
      stdout += d;
      // Log lines (JSON from the app's logger) may come first: wait for the line with the URL.
      let newline: number;
      while ((newline = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        let url: unknown;
        try {
          url = (JSON.parse(line) as { url?: unknown }).url;
        } catch {
          return finish(new Error(`${name} printed "${line}" instead of its URL; stderr:\n${stderr}`));
        }
        if (typeof url !== 'string') continue;
        const exitStatus = () => child.signalCode ?? (child.exitCode === null ? null : `code ${child.exitCode}`);
        return finish(null, { name, pid: child.pid!, url, stderrTail: () => stderr, exitStatus, memoryBreakdown, stop });
      }
    });
  });
}
