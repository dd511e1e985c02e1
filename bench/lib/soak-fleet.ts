import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { readProcMemory } from './memory';

/** One RSS reading of a server process. */
export interface RssSample {
  /** Seconds since the soak started. */
  t: number;
  /** Seconds since this process started. */
  age: number;
  rssMiB: number;
  /** V8 heap in use, from the server's /metrics (null when it did not answer). */
  heapMiB: number | null;
  /** Memory outside the V8 heap that V8 knows of (Buffers, ArrayBuffers), from /metrics. */
  externalMiB: number | null;
  /** The C heap (glibc's main arena, [heap] in /proc/<pid>/smaps): SQLite's memory and other native allocations. */
  nativeHeapMiB: number | null;
  incarnation: number;
}

/** What a server logged at warn level and above, by message. */
export interface LogCounts {
  warn: Record<string, number>;
  error: Record<string, number>;
  /** The first error lines, whole, for the report. */
  firstErrors: string[];
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A free TCP port on loopback (kept by the server across restarts, so clients find it again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The gateway as `npm start` runs it (the server entry point, transpiled), one replica of the
 * fleet: started, killed with -9 and started again on the same port and identity, its RSS sampled.
 */
export class SoakServer {
  readonly url: string;
  incarnation = 0;
  pid = 0;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private exited: Promise<void> = Promise.resolve();
  readonly rss: RssSample[] = [];
  readonly logs: LogCounts = { warn: {}, error: {}, firstErrors: [] };

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly port: number,
    private readonly soakStart: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once it listens. */
  async start(): Promise<void> {
    this.incarnation++;
    const child = spawn(process.execPath, ['--max-semi-space-size=8', this.entry], { env: { ...this.env, PORT: String(this.port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    this.startedAt = Date.now();
    this.exited = new Promise((resolve) => child.once('exit', () => {
      live.delete(child);
      resolve();
    }));
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.record(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    // Ready when /healthz answers (its logs are at warn level: no "listening" line to wait for).
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited (${child.signalCode ?? child.exitCode}) before listening: ${stderr}`);
      const ok = await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.pid = child.pid!;
  }

  /** kill -9: no shutdown, no drain; whatever it was doing is cut off. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, as an operator stops it; SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  async sampleRss(): Promise<void> {
    if (!this.running) return;
    const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    let rssBytes: number;
    try {
      rssBytes = readProcMemory(this.pid).rssBytes;
    } catch {
      return; // exited between the check and the read
    }
    const sample: RssSample = { t: (Date.now() - this.soakStart) / 1000, age: (Date.now() - this.startedAt) / 1000, rssMiB: mib(rssBytes), heapMiB: null, externalMiB: null, nativeHeapMiB: nativeHeap(this.pid), incarnation: this.incarnation };
    this.rss.push(sample);
    const metrics = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => '');
    const heap = /^tg_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics);
    if (heap) sample.heapMiB = mib(Number(heap[1]));
    const external = /^tg_nodejs_external_memory_bytes (\S+)$/m.exec(metrics);
    if (external) sample.externalMiB = mib(Number(external[1]));
  }

  private record(line: string): void {
    let entry: { level?: number; msg?: string };
    try {
      entry = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      return;
    }
    const msg = entry.msg ?? '(no message)';
    if ((entry.level ?? 0) >= 50) {
      this.logs.error[msg] = (this.logs.error[msg] ?? 0) + 1;
      if (this.logs.firstErrors.length < 10) this.logs.firstErrors.push(line.slice(0, 1500));
    } else if ((entry.level ?? 0) >= 40) {
      this.logs.warn[msg] = (this.logs.warn[msg] ?? 0) + 1;
    }
  }
}

/** Resident size of the [heap] mapping (brk: malloc's main arena), in MiB; null where smaps is not readable. */
function nativeHeap(pid: number): number | null {
  try {
    const smaps = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
    const at = smaps.indexOf(' [heap]\n');
    if (at < 0) return null;
    const rss = /\nRss:\s+(\d+) kB/.exec(smaps.slice(at));
    return rss ? Math.round((Number(rss[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}
