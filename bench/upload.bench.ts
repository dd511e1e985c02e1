/**
 * File upload benchmark: streams files of 10, 100 and 500 MB through `ticketFilesUpload` (GraphQL
 * multipart, local storage) to the app running alone in a child process, samples that process's
 * RSS every 50 ms, and compares throughput with a plain Node server piping the request body to disk.
 *
 *   npx ts-node --transpile-only bench/upload.bench.ts
 *
 * Writes bench/results/upload-local.json and appends a section to bench/RESULTS.md. Exits with
 * status 1, after writing the results, when the app's peak RSS during the 500 MB uploads is not
 * under 150 MB; stops with an error, writing nothing, when an upload is answered wrongly.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServer, type ChildServer } from './lib/child-server';
import { GraphQLClient } from './lib/client';
import { fileSystemOf, machineInfo, sourceInfo } from './lib/environment';
import { bytesUnder, MemorySampler, readProcMemory, resetPeak, type MemorySamples } from './lib/memory';
import type { MemoryBreakdown } from './lib/memory-probe';
import { summarize } from './lib/stats';
import { transpileTree } from './lib/transpile';
import { GeneratedContent, sendStreamed, StreamedMultipart } from './lib/upload-client';
import {
  appendUploadMarkdown,
  mib,
  MIB,
  writeUploadJson,
  type RssCheck,
  type ServerInfo,
  type ServerKind,
  type ServerSizeResult,
  type SizeResult,
  type UploadBenchResult,
  type UploadRun,
} from './lib/upload-report';

const BENCH_DIR = __dirname;
const ROOT = path.resolve(BENCH_DIR, '..');
const ADMIN_API_KEY = 'bench-admin-key-0123456789abcdef';
const FILE_MAX_BYTES = 1024 * MIB;
const CHUNK_BYTES = 256 * 1024;
const SAMPLE_INTERVAL_MS = 50;
/** How often the server is asked for its own memory breakdown (over IPC) during an upload. */
const BREAKDOWN_INTERVAL_MS = 250;
/**
 * Before each upload: `sync` (so no run pays for the previous one's dirty pages being written
 * back), then this pause, so the RSS read as "before" is not the tail of the previous upload.
 */
const SETTLE_MS = 500;
const CHECK = { sizeMb: 500, limitBytes: 150 * MIB };
/** Everything of a run (build, database, files, temporary files) is under os.tmpdir()/<prefix><pid>-XXXXXX. */
const TMP_PREFIX = 'tg-upload-bench-';

const UPLOAD = `mutation BenchUpload($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) {
  files { id filename size sha256 } userErrors { field code message } } }`;

interface UploadPayload {
  data?: { ticketFilesUpload: { files: { id: string; filename: string; size: number; sha256: string }[]; userErrors: { field: string[]; code: string; message: string }[] } };
  errors?: { message: string }[];
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** BENCH_UPLOAD_SIZES_MB (default 10,100,500) and BENCH_UPLOAD_RUNS (default 5 for 10 MB, 3 for larger files). */
function plan(): { sizeMb: number; runs: number }[] {
  const sizes = (process.env.BENCH_UPLOAD_SIZES_MB ?? '10,100,500').split(',').map((v) => Number(v.trim()));
  if (sizes.some((v) => !Number.isInteger(v) || v < 1 || v * MIB > FILE_MAX_BYTES)) throw new Error(`BENCH_UPLOAD_SIZES_MB must list whole MB from 1 to ${FILE_MAX_BYTES / MIB}`);
  const runs = process.env.BENCH_UPLOAD_RUNS ? Number(process.env.BENCH_UPLOAD_RUNS) : null;
  if (runs !== null && (!Number.isInteger(runs) || runs < 1)) throw new Error('BENCH_UPLOAD_RUNS must be a positive integer');
  return sizes.map((sizeMb) => ({ sizeMb, runs: runs ?? (sizeMb <= 10 ? 5 : 3) }));
}

interface Target {
  kind: ServerKind;
  server: ChildServer;
  /** Folders whose bytes make up this server's disk use during an upload. */
  diskDirs: string[];
  upload(sizeMb: number, run: number): Promise<UploadRun>;
}

async function main(): Promise<void> {
  const runPlan = plan();
  const startedAt = new Date().toISOString();
  removeStaleTempDirs();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  const servers: ChildServer[] = [];
  const cleanup = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the servers and removing ${tmp}`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const runtime = prepareRuntime(tmp);
    const appDirs = { data: path.join(tmp, 'app-data'), tmp: path.join(tmp, 'app-tmp') };
    const baselineDir = path.join(tmp, 'baseline-out');
    fs.mkdirSync(appDirs.tmp, { recursive: true });
    const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', NODE_PATH: path.join(ROOT, 'node_modules') };

    log(`starting the app (${runtime.description}) and the baseline server, each in its own process`);
    const app = await spawnServer('app', runtime.args('upload-server'), {
      cwd: ROOT,
      env: {
        ...baseEnv,
        // graphql-upload (fs-capacitor) buffers file parts under os.tmpdir(): here, so they are measured and removed.
        TMPDIR: appDirs.tmp,
        DATA_DIR: appDirs.data,
        DATABASE_URL: `sqlite:${path.join(appDirs.data, 'bench.sqlite')}`,
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_API_KEY,
        FILE_MAX_BYTES: String(FILE_MAX_BYTES),
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
        // Load generators would exhaust any per-key budget; the limiter's own cost (one upsert with the
        // database store, none with Redis) is stated in RESULTS.md.
        RATE_LIMIT_COST_PER_MINUTE: '0',
      },
    });
    servers.push(app);
    const baseline = await spawnServer('baseline', runtime.args('baseline-server'), { cwd: ROOT, env: { ...baseEnv, TMPDIR: tmp, BASELINE_DIR: baselineDir } });
    servers.push(baseline);
    await sleep(1_000);
    const idle = { app: readProcMemory(app.pid).rssBytes, baseline: readProcMemory(baseline.pid).rssBytes };
    const idleBreakdown = { app: await app.memoryBreakdown(), baseline: await baseline.memoryBreakdown() };
    log(`idle RSS: app ${mib(idle.app)} MB (pid ${app.pid}), baseline ${mib(idle.baseline)} MB (pid ${baseline.pid})`);

    const client = new GraphQLClient(app.url, ADMIN_API_KEY);
    type CreateData = { ticketCreate: { ticket: { id: string } | null; userErrors: { message: string }[] } };
    const created = await client.request<CreateData>(`mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } userErrors { message } } }`, {
      input: { subject: 'Upload benchmark' },
    });
    const ticketId = created.data.ticketCreate.ticket?.id;
    if (!ticketId) throw new Error(`ticketCreate failed: ${JSON.stringify(created.data.ticketCreate.userErrors)}`);
    log(`created ticket ${ticketId}`);

    const targets: Record<ServerKind, Target> = {
      app: {
        kind: 'app',
        server: app,
        // fs-capacitor's temporary files and the storage's staged objects: both hold a copy while the request runs.
        diskDirs: [appDirs.tmp, path.join(appDirs.data, 'files', '.tmp')],
        upload: (sizeMb, run) => uploadToApp(targets.app, ticketId, sizeMb, run),
      },
      baseline: { kind: 'baseline', server: baseline, diskDirs: [baselineDir], upload: (sizeMb, run) => uploadToBaseline(targets.baseline, ticketId, sizeMb, run) },
    };

    log('warm-up: one 1 MB upload to each server (not recorded)');
    await targets.app.upload(1, 0);
    await targets.baseline.upload(1, 0);
    await sleep(SETTLE_MS);
    const warm = { app: readProcMemory(app.pid).rssBytes, baseline: readProcMemory(baseline.pid).rssBytes };
    const warmBreakdown = { app: await app.memoryBreakdown(), baseline: await baseline.memoryBreakdown() };
    log(`RSS after warm-up: app ${mib(warm.app)} MB, baseline ${mib(warm.baseline)} MB`);

    const sizes: SizeResult[] = [];
    for (const { sizeMb, runs } of runPlan) {
      const byKind: Record<ServerKind, UploadRun[]> = { app: [], baseline: [] };
      for (let run = 1; run <= runs; run++) {
        // Alternate which server goes first, so neither always inherits the other's disk writeback.
        const order: ServerKind[] = run % 2 === 1 ? ['app', 'baseline'] : ['baseline', 'app'];
        for (const kind of order) {
          const r = await targets[kind].upload(sizeMb, run);
          byKind[kind].push(r);
          log(
            `${String(sizeMb).padStart(4)} MB ${kind.padEnd(8)} run ${run}/${runs}: ${(r.ms / 1000).toFixed(2)} s, ${r.mbPerSec.toFixed(0)} MB/s, ` +
              `RSS ${mib(r.rssBeforeBytes)} → ${mib(r.peakRssBytes)} MB (+${mib(r.growthBytes)})` +
              (r.peakDiskBytes === null ? '' : `, peak disk ${mib(r.peakDiskBytes)} MB`),
          );
        }
      }
      const ofApp = aggregate(sizeMb, byKind.app);
      const ofBaseline = aggregate(sizeMb, byKind.baseline);
      const ratio = Math.round((ofApp.mbPerSec / ofBaseline.mbPerSec) * 100) / 100;
      sizes.push({ sizeMb, fileBytes: sizeMb * MIB, requestBytes: requestBody(ticketId, sizeMb).contentLength, app: ofApp, baseline: ofBaseline, ratio });
      log(`${sizeMb} MB: app ${ofApp.mbPerSec.toFixed(0)} MB/s, baseline ${ofBaseline.mbPerSec.toFixed(0)} MB/s, app / baseline ${ratio}`);
    }

    const check = rssCheck(sizes);
    const diskFs = fileSystemOf(tmp);
    const result: UploadBenchResult = {
      benchmark: 'file-upload',
      storage: 'local',
      startedAt,
      finishedAt: new Date().toISOString(),
      source: sourceInfo(ROOT),
      machine: machineInfo(),
      disk: {
        path: os.tmpdir(),
        ...diskFs,
        note:
          'the app\'s DATA_DIR (SQLite, files), its os.tmpdir() (graphql-upload\'s temporary files) and the baseline\'s output are all on this file system; ' +
          'writes go to the page cache and are not fsync\'ed, by the app\'s local storage as by the baseline',
      },
      method: {
        runtime: runtime.description,
        nodeFlags: nodeFlags(),
        chunkBytes: CHUNK_BYTES,
        sampleIntervalMs: SAMPLE_INTERVAL_MS,
        runsPerSize: Object.fromEntries(runPlan.map((p) => [`${p.sizeMb}`, p.runs])),
        order: 'Per size, the runs alternate app-first and baseline-first; one app process and one baseline process serve every upload, after a 1 MB warm-up upload each.',
        timing:
          'Client: http.request from the bench process over 127.0.0.1, the multipart body (operations, map, one file part) generated and SHA-256 hashed while it is written, ' +
          `in ${CHUNK_BYTES / 1024} KB chunks, respecting backpressure, with an exact Content-Length; time from the request start to the end of the response ` +
          '(the app answers after staging, checksumming, the database transaction and the rename; the baseline after closing its file). The baseline receives the identical body.',
        memory:
          `Server RSS: VmRSS from /proc/<pid>/status every ${SAMPLE_INTERVAL_MS} ms from the bench process during each upload, and VmHWM reset (clear_refs) before the upload and read after it; ` +
          `peak = the larger of the two; "before" = VmRSS after \`sync\` and a ${SETTLE_MS} ms pause before the upload. ` +
          `Every ${BREAKDOWN_INTERVAL_MS} ms the server also reports process.memoryUsage() and its V8 heap spaces over IPC; the report with the highest RSS is kept.`,
        verification:
          'App: no GraphQL errors or userErrors, one file, size and sha256 equal to what the client sent. Baseline: bytes written equal to the request body, and the file part read back from disk hashes to the client\'s SHA-256.',
      },
      servers: {
        app: { command: runtime.command('upload-server'), idleRssBytes: idle.app, afterWarmupRssBytes: warm.app, idleMemory: idleBreakdown.app, afterWarmupMemory: warmBreakdown.app } satisfies ServerInfo,
        baseline: {
          command: runtime.command('baseline-server'),
          idleRssBytes: idle.baseline,
          afterWarmupRssBytes: warm.baseline,
          idleMemory: idleBreakdown.baseline,
          afterWarmupMemory: warmBreakdown.baseline,
        } satisfies ServerInfo,
      },
      clientPeakRssBytes: readProcMemory('self').hwmBytes,
      sizes,
      check,
      pass: check.pass !== false,
    };
    const json = writeUploadJson(path.join(BENCH_DIR, 'results'), result);
    appendUploadMarkdown(path.join(BENCH_DIR, 'RESULTS.md'), result);
    log(`wrote ${path.relative(process.cwd(), json)} and appended to bench/RESULTS.md`);
    if (check.pass === false) {
      log(`FAIL: ${check.detail}`);
      process.exitCode = 1;
    } else log(`${check.pass === null ? 'NOT EVALUATED' : 'PASS'}: ${check.detail}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}

/**
 * Removes the temporary folders of earlier runs that were killed before they could clean up
 * (SIGKILL, a crash): those whose bench process, named in the folder, no longer exists. Their
 * servers stopped by themselves when the IPC channel closed.
 */
function removeStaleTempDirs(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const m = new RegExp(`^${TMP_PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // that run is still going
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    log(`removing ${path.join(os.tmpdir(), name)}, left by an earlier run that was killed`);
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * The servers run as plain `node` on JavaScript transpiled into the temporary folder, as in
 * production (`npm start` runs compiled code): under ts-node the TypeScript compiler and source
 * maps alone add tens of MB to the process. BENCH_UPLOAD_RUNTIME=ts-node runs them under
 * `node -r ts-node/register/transpile-only` instead, for comparison.
 */
/**
 * Node/V8 options for both servers: BENCH_UPLOAD_NODE_FLAGS, or by default the ones `npm start`
 * uses in production (package.json), so the bench measures what is deployed.
 */
function nodeFlags(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const fromStart = start.split(/\s+/).filter((t) => t.startsWith('--')).join(' ');
  return (process.env.BENCH_UPLOAD_NODE_FLAGS ?? fromStart).split(/\s+/).filter(Boolean);
}

function prepareRuntime(tmp: string): { description: string; args(entry: string): string[]; command(entry: string): string } {
  const flags = nodeFlags();
  const withFlags = flags.length ? ` with ${flags.join(' ')}` : ' with default Node/V8 options';
  if (process.env.BENCH_UPLOAD_RUNTIME === 'ts-node') {
    const args = (entry: string) => [...flags, '-r', 'ts-node/register/transpile-only', path.join('bench', 'lib', `${entry}.ts`)];
    return { description: `node -r ts-node/register/transpile-only on the TypeScript sources${withFlags}`, args, command: (e) => `node ${args(e).join(' ')}` };
  }
  if (process.env.BENCH_UPLOAD_RUNTIME && process.env.BENCH_UPLOAD_RUNTIME !== 'node') throw new Error('BENCH_UPLOAD_RUNTIME must be node (default) or ts-node');
  const build = path.join(tmp, 'build');
  const files = transpileTree(ROOT, ['src', 'migrations', 'bench/lib/upload-server.ts', 'bench/lib/baseline-server.ts', 'bench/lib/memory-probe.ts'], build);
  log(`transpiled ${files} files of src/, migrations/ and the server entries to ${build}`);
  const args = (entry: string) => [...flags, path.join(build, 'bench', 'lib', `${entry}.js`)];
  return {
    description: `plain node on JavaScript transpiled from the current sources (TypeScript transpileModule, CommonJS, no type check)${withFlags}`,
    args,
    command: (e) => `node ${[...flags, `<tmp>/build/bench/lib/${e}.js`].join(' ')} (NODE_PATH=node_modules)`,
  };
}

/** The request body of every upload of `sizeMb`: the app and the baseline get identical bodies. */
function requestBody(ticketId: string, sizeMb: number): StreamedMultipart {
  return new StreamedMultipart(UPLOAD, { t: ticketId, files: [null] }, 'variables.files.0', `bench-${sizeMb}MB.bin`, 'application/octet-stream', sizeMb * MIB);
}

/**
 * Runs one upload with the target's RSS (and disk use) watched: settle, read the RSS before,
 * reset the high-water mark, sample while the request runs, read the high-water mark after.
 */
async function measured<T extends { ms: number }>(target: Target, sizeMb: number, run: number, send: () => Promise<T>): Promise<{ run: UploadRun; res: T }> {
  try {
    execFileSync('sync');
  } catch {
    // no sync(1): the pause alone
  }
  await sleep(SETTLE_MS);
  const pid = target.server.pid;
  const rssBeforeBytes = readProcMemory(pid).rssBytes;
  const hwmReset = resetPeak(pid);
  const sampler = new MemorySampler(pid, SAMPLE_INTERVAL_MS, () => bytesUnder(target.diskDirs));
  // The server's own breakdown, kept for the poll where its RSS was highest.
  let memoryAtPeak: MemoryBreakdown | null = null;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const m = await target.server.memoryBreakdown();
      if (m && (!memoryAtPeak || m.rss > memoryAtPeak.rss)) memoryAtPeak = m;
      await sleep(BREAKDOWN_INTERVAL_MS);
    }
  })();
  sampler.start();
  let res: T;
  let samples: MemorySamples;
  try {
    res = await send();
  } catch (err) {
    // A dead server explains a failed request better than the socket error does.
    await sleep(100);
    const exit = target.server.exitStatus();
    if (exit) throw new Error(`the ${target.kind} server exited (${exit}) during the ${sizeMb} MB upload: ${(err as Error).message}; stderr: ${target.server.stderrTail()}`);
    throw err;
  } finally {
    polling = false;
    samples = sampler.stop();
    await poll;
  }
  const hwm = hwmReset ? readProcMemory(pid).hwmBytes : null;
  const peakRssBytes = Math.max(samples.peakRssBytes, hwm ?? 0);
  return {
    res,
    run: {
      run,
      ms: Math.round(res.ms * 10) / 10,
      mbPerSec: Math.round((sizeMb / (res.ms / 1000)) * 10) / 10,
      rssBeforeBytes,
      peakRssBytes,
      sampledPeakRssBytes: samples.peakRssBytes,
      hwmPeakRssBytes: hwm,
      growthBytes: peakRssBytes - rssBeforeBytes,
      peakDiskBytes: samples.peakDiskBytes,
      samples: { count: samples.count, maxGapMs: samples.maxGapMs },
      memoryAtPeak,
      series: samples.series,
    },
  };
}

async function uploadToApp(target: Target, ticketId: string, sizeMb: number, run: number): Promise<UploadRun> {
  const body = requestBody(ticketId, sizeMb);
  const content = new GeneratedContent(CHUNK_BYTES, `--${body.boundary}`);
  const headers = { authorization: `Bearer ${ADMIN_API_KEY}`, 'apollo-require-preflight': 'true' };
  const { run: result, res } = await measured(target, sizeMb, run, () => sendStreamed(`${target.server.url}/graphql`, headers, body, content));
  let payload: UploadPayload;
  try {
    payload = JSON.parse(res.body) as UploadPayload;
  } catch {
    throw new Error(`app answered HTTP ${res.status} with a non-JSON body: ${res.body.slice(0, 500)}`);
  }
  const out = payload.data?.ticketFilesUpload;
  const problem =
    res.status !== 200 ? `HTTP ${res.status}`
    : payload.errors?.length ? `errors ${JSON.stringify(payload.errors)}`
    : !out ? 'no ticketFilesUpload in the response'
    : out.userErrors.length ? `userErrors ${JSON.stringify(out.userErrors)}`
    : out.files.length !== 1 ? `${out.files.length} files in the response`
    : out.files[0].size !== res.fileBytes || res.fileBytes !== sizeMb * MIB ? `size ${out.files[0].size}, sent ${res.fileBytes} of ${sizeMb * MIB}`
    : out.files[0].sha256 !== res.sha256 ? `sha256 ${out.files[0].sha256}, sent ${res.sha256}`
    : null;
  if (problem) throw new Error(`${sizeMb} MB upload to the app, run ${run}: ${problem} (${res.body.slice(0, 500)}); app stderr: ${target.server.stderrTail()}`);
  return result;
}

async function uploadToBaseline(target: Target, ticketId: string, sizeMb: number, run: number): Promise<UploadRun> {
  const body = requestBody(ticketId, sizeMb);
  const content = new GeneratedContent(CHUNK_BYTES, `--${body.boundary}`);
  const { run: result, res } = await measured(target, sizeMb, run, () => sendStreamed(target.server.url, {}, body, content));
  if (res.status !== 200) throw new Error(`baseline answered HTTP ${res.status}: ${res.body.slice(0, 500)}; stderr: ${target.server.stderrTail()}`);
  const written = JSON.parse(res.body) as { bytes: number; file: string };
  // Outside the timed part: check what reached the disk, then remove it.
  try {
    if (written.bytes !== res.requestBytes || written.bytes !== body.contentLength) throw new Error(`baseline wrote ${written.bytes} bytes of a ${body.contentLength}-byte body`);
    const onDisk = await sha256OfRange(written.file, body.preamble.length, sizeMb * MIB);
    if (onDisk !== res.sha256) throw new Error(`baseline file part hashes to ${onDisk}, the client sent ${res.sha256}`);
  } finally {
    fs.rmSync(written.file, { force: true });
  }
  return result;
}

async function sha256OfRange(file: string, start: number, length: number): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { start, end: start + length - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function aggregate(sizeMb: number, runs: UploadRun[]): ServerSizeResult {
  const time = summarize(runs.map((r) => r.ms));
  const worst = runs.reduce((a, b) => (b.peakRssBytes > a.peakRssBytes ? b : a));
  const disks = runs.map((r) => r.peakDiskBytes).filter((d): d is number => d !== null);
  const breakdowns = runs.map((r) => r.memoryAtPeak).filter((m): m is MemoryBreakdown => m !== null);
  return {
    runs,
    time,
    mbPerSec: Math.round((sizeMb / (time.medianMs / 1000)) * 10) / 10,
    peakRssBytes: worst.peakRssBytes,
    rssBeforeBytes: worst.rssBeforeBytes,
    maxGrowthBytes: Math.max(...runs.map((r) => r.growthBytes)),
    peakDiskBytes: disks.length ? Math.max(...disks) : null,
    memoryAtPeak: breakdowns.reduce<MemoryBreakdown | null>((a, b) => (a && a.rss >= b.rss ? a : b), null),
  };
}

function rssCheck(sizes: SizeResult[]): RssCheck {
  const requirement = `app peak RSS under ${CHECK.limitBytes / MIB} MB during every ${CHECK.sizeMb} MB upload`;
  const target = sizes.find((z) => z.sizeMb === CHECK.sizeMb);
  if (!target) {
    return { requirement, sizeMb: CHECK.sizeMb, limitBytes: CHECK.limitBytes, peakRssBytes: null, pass: null, detail: `No ${CHECK.sizeMb} MB upload in this run (BENCH_UPLOAD_SIZES_MB).` };
  }
  const peak = target.app.peakRssBytes;
  const pass = peak < CHECK.limitBytes;
  const growth = sizes.map((z) => `${z.sizeMb} MB +${mib(z.app.maxGrowthBytes)}`).join(', ');
  return {
    requirement,
    sizeMb: CHECK.sizeMb,
    limitBytes: CHECK.limitBytes,
    peakRssBytes: peak,
    pass,
    detail:
      `App peak RSS during the ${CHECK.sizeMb} MB uploads: ${mib(peak)} MB (${pass ? 'under' : 'NOT under'} ${CHECK.limitBytes / MIB} MB); ` +
      `idle-to-peak growth by file size: ${growth} MB.`,
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
