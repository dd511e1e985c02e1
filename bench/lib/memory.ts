import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Resident set size now and its high-water mark, from /proc/<pid>/status (Linux), in bytes. */
export interface ProcMemory {
  rssBytes: number;
  /** VmHWM: the peak RSS since the process started or since resetPeak(). */
  hwmBytes: number;
}

export function readProcMemory(pid: number | 'self'): ProcMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), hwmBytes: kib('VmHWM') };
}

/**
 * Resets the process's VmHWM to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux 4.0+),
 * so that the next readProcMemory().hwmBytes is the exact peak since now. False where the kernel
 * or the sandbox does not allow it; the sampled peak is then the only one.
 */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Total size of the regular files under `dirs` (recursively); missing folders count as empty. */
export function bytesUnder(dirs: string[]): number {
  let total = 0;
  const visit = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        try {
          total += fs.statSync(p).size;
        } catch {
          // removed between readdir and stat (a finished upload's temporary file)
        }
      }
    }
  };
  for (const dir of dirs) visit(dir);
  return total;
}

export interface MemorySamples {
  /** Samples taken, and the longest gap between two (the timer can slip while the client streams). */
  count: number;
  maxGapMs: number;
  peakRssBytes: number;
  /** Largest value of the disk probe (bytes of temporary and stored upload data), if one was given. */
  peakDiskBytes: number | null;
  /** [ms since start, RSS MiB, disk MiB or null], one per sample. */
  series: [number, number, number | null][];
}

const MIB = 1024 * 1024;
const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Samples another process's VmRSS every `intervalMs` (and optionally a disk-usage probe) until
 * stop(). Reading /proc is a few microseconds; the sampler runs in the bench process, not in the
 * measured one.
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | null = null;
  private started = 0;
  private last = 0;
  private readonly result: MemorySamples = { count: 0, maxGapMs: 0, peakRssBytes: 0, peakDiskBytes: null, series: [] };

  constructor(
    private readonly pid: number,
    private readonly intervalMs: number,
    private readonly diskProbe: (() => number) | null = null,
  ) {}

  start(): void {
    this.started = this.last = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): MemorySamples {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.result;
  }

  private sample(): void {
    const now = performance.now();
    let rssBytes: number;
    try {
      ({ rssBytes } = readProcMemory(this.pid));
    } catch {
      return; // the process has exited; the upload fails and says so
    }
    const disk = this.diskProbe ? this.diskProbe() : null;
    const r = this.result;
    r.count++;
    r.maxGapMs = Math.max(r.maxGapMs, Math.round(now - this.last));
    r.peakRssBytes = Math.max(r.peakRssBytes, rssBytes);
    if (disk !== null) r.peakDiskBytes = Math.max(r.peakDiskBytes ?? 0, disk);
    r.series.push([Math.round(now - this.started), round1(rssBytes / MIB), disk === null ? null : round1(disk / MIB)]);
    this.last = now;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms; null where /proc is missing. */
export function readProcCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime and stime are fields 14 and 15, in clock ticks (100 Hz on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
