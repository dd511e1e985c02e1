import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { JobsConfig } from '../config/config';
import type { Background, StopTimer } from '../common/background';
import type { Logger } from '../common/logger';
import { PermanentDeliveryError } from '../common/errors';
import { retryTransient } from '../common/retry';
import { isDatabaseUnavailable } from '../db/database';
import type { TicketFile } from '../entities/ticket-file.entity';
import { BoundedLog } from './job-log';
import type { JobEvents, JobLaunch, JobRunner, LocalRunResult } from './job-runner';

/** Environment passed through to commands; nothing else of the server's (secrets, DATABASE_URL) leaks. */
const CANCEL_POLL_MS = 2000;
/** How long the end of a job is retried while the database is unreachable. */
const RECORD_RETRY_MS = 15 * 60_000;
const PASSED_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];
/** The environment variable that marks a job's processes: `<instance id>:<job id>`. */
const JOB_MARKER = 'TICKET_GATEWAY_JOB';

interface Running {
  child: ChildProcess;
  stop(reason: 'cancelled' | 'shutdown'): void;
  done: Promise<void>;
}

/**
 * Runs an event's command as a child process: the program and its arguments as an array (never a
 * shell line, so parameter values cannot become commands), parameters as PARAM_<NAME> environment
 * variables, the input files in a fresh working directory, and whatever the job writes to
 * $JOB_OUTPUT_DIR collected afterwards. Output is captured within a byte budget; a timeout stops
 * the whole process group (SIGTERM, then SIGKILL after a grace period).
 */
export class LocalJobRunner implements JobRunner {
  private readonly running = new Map<number, Running>();
  private stopCancelPoll: StopTimer | null = null;
  private stopping = false;

  constructor(
    private readonly config: JobsConfig,
    private readonly openFile: (file: TicketFile) => Promise<Readable | null>,
    private readonly events: JobEvents,
    private readonly background: Background,
    private readonly log: Logger,
  ) {}

  async dispatch({ job, event, ticket, inputs }: JobLaunch): Promise<void> {
    if (this.running.has(job.id)) return; // a repeated dispatch of a job already running here
    if (!event.command || event.command.length === 0) throw new PermanentDeliveryError(`Event ${event.key} has no command to run`);
    const workDir = path.join(this.config.dir, `${workDirPrefix(job.id)}${crypto.randomBytes(4).toString('hex')}`);
    const outputDir = path.join(workDir, 'outputs');
    const env: Record<string, string> = {};
    for (const name of PASSED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name] as string;
    Object.assign(env, {
      HOME: workDir,
      // Temporary files go with the working directory when the job ends.
      TMPDIR: `${workDir}.tmp`,
      JOB_ID: String(job.id),
      JOB_EVENT: event.key,
      JOB_OUTPUT_DIR: outputDir,
      JOB_TARGETS: job.targets.join(','),
      JOB_ALGO: job.algo,
      JOB_TAGS: job.tags.join(','),
      TICKET_NUMBER: String(ticket.number),
      // Marks the job's processes as ours, for the restart that stops what a crash left running.
      [JOB_MARKER]: markerOf(this.config.instanceId, job.id),
    });
    for (const [name, value] of Object.entries(job.params)) env[`PARAM_${name.toUpperCase()}`] = String(value);
    // What the process launcher refuses can never start: fail the job now rather than retry it
    // (rows from before the input checks, an edited database).
    const refused = Object.entries(env).find(([, v]) => v.includes('\0')) ?? event.command.map((a, i) => [`argument ${i}`, a] as const).find(([, v]) => v.includes('\0'));
    if (refused) throw new PermanentDeliveryError(`The job cannot start: ${refused[0]} contains a NUL character`);

    await fs.promises.mkdir(outputDir, { recursive: true });
    await fs.promises.mkdir(env.TMPDIR);
    const removeFolders = () => Promise.all([workDir, env.TMPDIR].map((dir) => fs.promises.rm(dir, { recursive: true, force: true }))).then(() => undefined);
    try {
      await this.placeInputs(workDir, inputs);
    } catch (err) {
      await removeFolders();
      throw err;
    }

    const output = new BoundedLog(this.config.logMaxBytes);
    let startError: string | null = null;
    let timedOut = false;
    let stopped: 'cancelled' | 'shutdown' | null = null;
    let child: ChildProcess;
    try {
      child = spawn(event.command[0], event.command.slice(1), { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      await removeFolders();
      throw new PermanentDeliveryError(`The job cannot start: ${(err as Error).message}`);
    }
    child.stdout?.on('data', (chunk: Buffer) => output.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.write(chunk));

    let killTimer: NodeJS.Timeout | null = null;
    const terminate = () => {
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), this.config.killGraceMs);
    };
    const timeoutSeconds = event.timeoutSeconds || this.config.defaultTimeoutSeconds;
    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, timeoutSeconds * 1000);

    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('error', (err) => {
        startError = `Could not start ${event.command?.[0]}: ${(err as NodeJS.ErrnoException).code ?? err.message}`;
        resolve({ code: null, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    // Recording the end is background work: the job may outlive whatever dispatched it by hours.
    const done = exited.then(({ code, signal }) => this.background.run(`job ${job.id} completion`, async () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      const result: LocalRunResult = {
        code,
        signal,
        timedOut,
        stopped,
        startError,
        log: output.toString(),
        outputs: startError ? [] : await listOutputs(outputDir),
        cleanup: removeFolders,
      };
      try {
        // The outcome must be recorded: an unreachable database is waited out (a crash meanwhile
        // is settled at the restart, which marks the job failed).
        await retryTransient(() => this.events.finished(job.id, result), {
          transient: isDatabaseUnavailable,
          forMs: RECORD_RETRY_MS,
          stop: () => this.stopping,
          onRetry: (err, attempt) => this.log.warn({ err, jobId: job.id, attempt }, 'could not record the end of a local job yet; retrying'),
        });
      } catch (err) {
        this.log.error({ err, jobId: job.id }, 'could not record the end of a local job');
      } finally {
        this.running.delete(job.id);
      }
    }));
    this.running.set(job.id, {
      child,
      done,
      stop: (reason) => {
        stopped ??= reason;
        terminate();
      },
    });
    this.watchCancellations();
    // Spawn errors arrive asynchronously; a job that never started is reported by finished().
    await new Promise<void>((resolve) => {
      child.once('spawn', resolve);
      child.once('error', () => resolve());
    });
    // detached: the child leads a process group of its own, which holds everything it starts.
    if (!startError) await this.events.started(job.id, { server: null, runnerInstance: this.config.instanceId, processGroup: child.pid ?? null });
  }

  /** While jobs run here, looks for ones cancelled through another replica, every couple of seconds. */
  private watchCancellations(): void {
    if (this.stopCancelPoll) return;
    this.stopCancelPoll = this.background.every('job cancellation check', CANCEL_POLL_MS, async () => {
      if (this.running.size === 0) {
        this.stopCancelPoll?.();
        this.stopCancelPoll = null;
        return;
      }
      try {
        for (const id of await this.events.cancelledAmong(this.runningIds())) this.stop(id, 'cancelled');
      } catch (err) {
        this.log.warn({ err }, 'could not check for cancelled jobs');
      }
    });
  }

  /** Stops a job running in this process; false if it is not running here. */
  stop(jobId: number, reason: 'cancelled' | 'shutdown'): boolean {
    const run = this.running.get(jobId);
    if (!run) return false;
    run.stop(reason);
    return true;
  }

  runningIds(): number[] {
    return [...this.running.keys()];
  }

  /** Stops every job of this process and waits until each has been recorded. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.stopCancelPoll?.();
    this.stopCancelPoll = null;
    for (const run of this.running.values()) run.stop('shutdown');
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * At start, for a job this instance left running (it crashed or was killed): stops its process
   * group if it still runs, and removes its working directory.
   */
  async reclaim(job: { id: number; processGroup: number | null }): Promise<void> {
    if (job.processGroup !== null && groupRunsJob(job.processGroup, markerOf(this.config.instanceId, job.id))) {
      try {
        process.kill(-job.processGroup, 'SIGKILL');
        this.log.warn({ jobId: job.id, processGroup: job.processGroup }, 'stopped the processes of a job left running by a crash');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
    const names = await fs.promises.readdir(this.config.dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.startsWith(workDirPrefix(job.id)))) {
      await fs.promises.rm(path.join(this.config.dir, name), { recursive: true, force: true });
    }
  }

  /**
   * At start: removes the working directories of jobs that are not running (ended, or gone).
   * `unfinished` says which of the ids found are still queued or running (maybe in another
   * instance sharing this folder); their directories stay.
   */
  async removeFolders(unfinished: (jobIds: number[]) => Promise<number[]>): Promise<void> {
    const names = await fs.promises.readdir(this.config.dir).catch(() => [] as string[]);
    const idOf = (name: string) => Number(/^job-(\d+)-/.exec(name)?.[1] ?? NaN);
    const ids = [...new Set(names.map(idOf).filter((id) => Number.isSafeInteger(id)))];
    if (ids.length === 0) return;
    const keep = new Set(await unfinished(ids));
    for (const name of names.filter((n) => Number.isSafeInteger(idOf(n)) && !keep.has(idOf(n)))) {
      await fs.promises.rm(path.join(this.config.dir, name), { recursive: true, force: true });
    }
  }

  private async placeInputs(workDir: string, inputs: TicketFile[]): Promise<void> {
    const used = new Set<string>(['outputs']);
    for (const file of inputs) {
      // Two inputs may share a name: later ones get their file id in front.
      const name = used.has(file.filename) ? `${file.id}-${file.filename}` : file.filename;
      used.add(name);
      const source = await this.openFile(file);
      if (!source) throw new Error(`Input file ${file.filename} is missing from storage`);
      await pipeline(source, fs.createWriteStream(path.join(workDir, name), { flags: 'wx' }));
    }
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: a shell script's children too
  } catch {
    child.kill(signal);
  }
}

/** Regular files directly in the outputs folder, by name (folders and links are ignored). */
async function listOutputs(dir: string): Promise<{ path: string; filename: string }[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => ({ path: path.join(dir, e.name), filename: e.name }))
    .sort((a, b) => a.filename.localeCompare(b.filename));
}

function workDirPrefix(jobId: number): string {
  return `job-${jobId}-`;
}

function markerOf(instanceId: string, jobId: number): string {
  return `${instanceId}:${jobId}`;
}

/**
 * Whether process group `pgid` still runs processes of this job: on Linux, a member whose
 * environment carries the job's marker (so a recycled pid is never taken for the job). Elsewhere,
 * whether the group exists at all.
 */
function groupRunsJob(pgid: number, marker: string): boolean {
  if (!fs.existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const expected = `${JOB_MARKER}=${marker}`;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 of /proc/<pid>/stat is the process group; the command name before it may hold spaces.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(expected)) return true;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return false;
}
