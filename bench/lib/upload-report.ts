import fs from 'node:fs';
import path from 'node:path';
import type { MemoryBreakdown } from './memory-probe';
import type { MachineInfo } from './report';
import type { Summary } from './stats';

/** MB in this benchmark is MiB (1,048,576 bytes), the unit of /proc/<pid>/status, top and ps. */
export const MIB = 1024 * 1024;
export const mib = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;

export type ServerKind = 'app' | 'baseline';

/** One upload of one file to one server. */
export interface UploadRun {
  run: number;
  /** Request start to the end of the response (the app answers after storing and committing). */
  ms: number;
  mbPerSec: number;
  /** The server's VmRSS just before the request. */
  rssBeforeBytes: number;
  /** max(sampled VmRSS, VmHWM after a reset); what the check uses. */
  peakRssBytes: number;
  sampledPeakRssBytes: number;
  /** VmHWM read after the request, reset just before it; null when the reset was not allowed. */
  hwmPeakRssBytes: number | null;
  growthBytes: number;
  /** Largest disk use seen: the app's graphql-upload temporary files plus staged objects; the baseline's output file. */
  peakDiskBytes: number | null;
  samples: { count: number; maxGapMs: number };
  /** The server's own breakdown (V8 heap, Buffers) at its highest-RSS report during the upload. */
  memoryAtPeak: MemoryBreakdown | null;
  /** [ms, RSS MiB, disk MiB] every sample. */
  series: [number, number, number | null][];
}

export interface ServerSizeResult {
  runs: UploadRun[];
  /** Over the runs. */
  time: Summary;
  /** File MB / median seconds. */
  mbPerSec: number;
  /** Highest peak over the runs, the RSS before that run, and the largest growth over the runs. */
  peakRssBytes: number;
  rssBeforeBytes: number;
  maxGrowthBytes: number;
  peakDiskBytes: number | null;
  /** The breakdown with the highest RSS over the runs. */
  memoryAtPeak: MemoryBreakdown | null;
}

export interface SizeResult {
  sizeMb: number;
  fileBytes: number;
  /** Whole request body: multipart framing plus the file. */
  requestBytes: number;
  app: ServerSizeResult;
  baseline: ServerSizeResult;
  /** App MB/s divided by baseline MB/s. */
  ratio: number;
}

export interface ServerInfo {
  /** How the process was started. */
  command: string;
  idleRssBytes: number;
  afterWarmupRssBytes: number;
  idleMemory: MemoryBreakdown | null;
  afterWarmupMemory: MemoryBreakdown | null;
}

export interface RssCheck {
  requirement: string;
  sizeMb: number;
  limitBytes: number;
  /** Highest app peak RSS over the runs of that size; null when that size was not run. */
  peakRssBytes: number | null;
  pass: boolean | null;
  detail: string;
}

export interface UploadBenchResult {
  benchmark: 'file-upload';
  storage: 'local';
  startedAt: string;
  finishedAt: string;
  source: { commit: string; uncommitted: string[] };
  machine: MachineInfo;
  disk: { path: string; filesystem: string; device: string; note: string };
  method: {
    runtime: string;
    /** BENCH_UPLOAD_NODE_FLAGS given to both servers; empty for Node's defaults. */
    nodeFlags: string[];
    chunkBytes: number;
    sampleIntervalMs: number;
    runsPerSize: Record<string, number>;
    order: string;
    timing: string;
    memory: string;
    verification: string;
  };
  servers: Record<ServerKind, ServerInfo>;
  /** The bench process itself (client, sampler, ts-node): its VmHWM at the end. */
  clientPeakRssBytes: number;
  sizes: SizeResult[];
  check: RssCheck;
  pass: boolean;
}

export function writeUploadJson(dir: string, result: UploadBenchResult): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `upload-${result.storage}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Appends a section to RESULTS.md (creating it with the same heading as report.ts would). */
export function appendUploadMarkdown(file: string, result: UploadBenchResult): void {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, '# Benchmark results\n\nEach run of a benchmark appends a section here; see README.md for how to run them.\n');
  }
  fs.appendFileSync(file, `\n${uploadMarkdownSection(result)}`);
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const mbps = (v: number) => v.toFixed(0);

/** "RSS 150 MB = V8 heap 65 (young 32, old 29, ...; 31 used) + external 21 (Buffers 18) + rest 64". */
export function describeMemory(m: MemoryBreakdown): string {
  const rest = m.rss - m.heapTotal - m.external;
  return (
    `RSS ${mib(m.rss)} MB = V8 heap ${mib(m.heapTotal)} (young generation ${mib(m.newSpace)}, old ${mib(m.oldSpace)}, code ${mib(m.codeSpace)}, ` +
    `large objects ${mib(m.largeObjectSpace)}; ${mib(m.heapUsed)} in use) + external ${mib(m.external)} (Buffers' ArrayBuffers ${mib(m.arrayBuffers)}) + ` +
    `${mib(rest)} other (node binary, native libraries, allocator)`
  );
}

export function uploadMarkdownSection(r: UploadBenchResult): string {
  const verdict = r.check.pass === null ? 'NOT EVALUATED' : r.check.pass ? 'PASS' : 'FAIL';
  const largest = r.sizes.reduce<SizeResult | null>((a, b) => (a && a.sizeMb > b.sizeMb ? a : b), null);
  const lines: string[] = [
    `## File uploads: local storage vs. plain stream-to-disk${r.method.nodeFlags.length ? `, servers run with \`${r.method.nodeFlags.join(' ')}\`` : ''} (${r.finishedAt})`,
    '',
    `Result: **${verdict}**. ${r.check.detail}`,
    '',
    `- Code: commit ${r.source.commit.slice(0, 12)}${r.source.uncommitted.length ? ` with ${r.source.uncommitted.length} uncommitted files in src/ and migrations/ (listed in the JSON)` : ''}`,
    `- Machine: nproc ${r.machine.nproc}, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, ${r.machine.os}; Node ${r.machine.node}`,
    `- Disk: ${r.disk.filesystem} on ${r.disk.device}; ${r.disk.note}`,
    `- Servers: each in its own process, ${r.method.runtime}. Idle RSS after start / after a 1 MB warm-up upload: ` +
      `app ${mib(r.servers.app.idleRssBytes)} / ${mib(r.servers.app.afterWarmupRssBytes)} MB, baseline ${mib(r.servers.baseline.idleRssBytes)} / ${mib(r.servers.baseline.afterWarmupRssBytes)} MB. ` +
      `The bench process (client, sampler, ts-node) peaked at ${mib(r.clientPeakRssBytes)} MB.`,
    `- Method: ${r.method.timing} ${r.method.memory} ${r.method.order} ${r.method.verification}`,
    `- MB = MiB (1,048,576 bytes). MB/s = file MB / median time; app / baseline = ratio of the two. Peak RSS = highest over the runs; growth = largest (peak − RSS before the upload) over the runs. ` +
      `Temp disk = graphql-upload's temporary files plus staged objects, at their largest.`,
    '',
    '| File | Runs | App median s | App MB/s | Baseline median s | Baseline MB/s | App / baseline | App peak RSS MB | App growth MB | Baseline peak RSS MB | Baseline growth MB | App temp disk MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.sizes.map(
      (z) =>
        `| ${z.sizeMb} MB | ${z.app.runs.length} | ${s(z.app.time.medianMs)} | ${mbps(z.app.mbPerSec)} | ${s(z.baseline.time.medianMs)} | ${mbps(z.baseline.mbPerSec)} | ` +
        `${z.ratio.toFixed(2)} | ${mib(z.app.peakRssBytes)} | ${mib(z.app.maxGrowthBytes)} | ${mib(z.baseline.peakRssBytes)} | ${mib(z.baseline.maxGrowthBytes)} | ` +
        `${z.app.peakDiskBytes === null ? '' : mib(z.app.peakDiskBytes)} |`,
    ),
    '',
    `Check (${r.check.requirement}): **${verdict}**.`,
    '',
  ];
  const idle = r.servers.app.idleMemory;
  if (idle) lines.push(`App memory, idle after start: ${describeMemory(idle)}.`, '');
  if (largest?.app.memoryAtPeak) {
    lines.push(`App memory at its highest self-report during the ${largest.sizeMb} MB uploads: ${describeMemory(largest.app.memoryAtPeak)}.`, '');
  }
  if (largest?.baseline.memoryAtPeak) {
    lines.push(`Baseline memory at its highest self-report during the ${largest.sizeMb} MB uploads: ${describeMemory(largest.baseline.memoryAtPeak)}.`, '');
  }
  return `${lines.join('\n')}\n`;
}
