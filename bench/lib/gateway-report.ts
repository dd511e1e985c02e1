import fs from 'node:fs';
import type { DatasetSummary } from './dataset';
import type { ProfileFrame } from './cpu-profile';
import type { MachineInfo } from './report';

export interface CellResult {
  workload: string;
  /** B0, B1, B2 on the dialect's database; PostGraphile and P0 (W1, W2) on the PostgreSQL copy of the same data. */
  peer: 'B0' | 'B1' | 'B2' | 'PostGraphile' | 'P0';
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
  /** Answers that differed from the generated data. */
  wrongAnswers: number;
  firstWrongAnswer: string | null;
  /** Mean response body size. */
  responseBytes: number;
  /** Statements per request as the server counts them (the app's tg_sql_statements_per_request, B0's own counter). */
  sqlPerRequestApp: number | null;
  /** MariaDB's global Questions delta per request (shared server: includes other clients' statements). */
  sqlPerRequestDb: number | null;
  peakRssMiB: number;
  peakIsExact: boolean;
  /** The server process's CPU time (user + system, /proc/<pid>/stat) per answered request; null without /proc. */
  cpuMsPerRequest: number | null;
  /** PostgreSQL peers only: the CPU time of the database's backends per answered request (lib/postgres-peer.ts PgBackendCpu). */
  dbCpuMsPerRequest: number | null;
  /** Raw totals behind the per-request figures. */
  seconds: number;
  /** Responses received and checked. */
  answered: number;
  sqlStatements: number;
  sqlRequests: number;
  questions: number | null;
  bodyBytes: number;
  cpuSeconds: number | null;
  dbCpuSeconds: number | null;
}

/** The PostGraphile peer's side of a dialect's run: where it ran, or why not. */
export interface PostgresPeerInfo {
  /** Why the peer did not run (no PostgreSQL answered, --no-postgraphile), or null. */
  skipped: string | null;
  database: string | null;
  loadSeconds: number | null;
  /** Versions of postgraphile, grafast, @dataplan/pg, the filter plugin and pg. */
  packages: Record<string, string>;
}

export interface DialectResult {
  dialect: string;
  database: string;
  dataset: DatasetSummary & { users: number; seed: number; loadSeconds: number; heavyTickets: number; bodyBytesMedian: number };
  workloads: Record<string, string>;
  cells: CellResult[];
  postgraphile?: PostgresPeerInfo;
  profiles?: Partial<Record<string, ProfileFrame[]>>;
}

export interface GatewayResult {
  benchmark: 'gateway';
  scale: 'full' | 'small';
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  source: { commit: string; uncommitted: string[] };
  machine: MachineInfo;
  method: { connections: number; cellSeconds: number; warmupSeconds: number; pinning: string; nodeFlags: string[] };
  dialects: DialectResult[];
}

interface Target {
  label: string;
  workload: string;
  kind: 'sql' | 'vsB0' | 'vsB1' | 'cpuVsB0' | 'vsPostGraphile';
  bound: number;
}

/** The issue's targets, B2 against its peers in the same run on MariaDB. */
export const TARGETS: Target[] = [
  { label: 'W1 SQL statements / request <= 3', workload: 'W1', kind: 'sql', bound: 3 },
  { label: 'W2 SQL statements / request <= 5', workload: 'W2', kind: 'sql', bound: 5 },
  { label: 'W4 SQL statements / request <= 6', workload: 'W4', kind: 'sql', bound: 6 },
  { label: 'W1 throughput >= 0.5 x B0', workload: 'W1', kind: 'vsB0', bound: 0.5 },
  { label: 'W2 throughput >= 0.3 x B0', workload: 'W2', kind: 'vsB0', bound: 0.3 },
  { label: 'W3a (indexed search) throughput >= 0.8 x B0', workload: 'W3a', kind: 'vsB0', bound: 0.8 },
  { label: 'W3b (full-text search) throughput >= 0.8 x B0', workload: 'W3b', kind: 'vsB0', bound: 0.8 },
  { label: 'W4 throughput >= 0.9 x B0', workload: 'W4', kind: 'vsB0', bound: 0.9 },
  { label: 'W2 throughput >= 20 x B1', workload: 'W2', kind: 'vsB1', bound: 20 },
  // Issue 21: B2's fraction of B0 at least 0.6 and ahead of PostGraphile's fraction of P0 in the same run; CPU per request at most 2 x B0's.
  { label: 'W1 throughput >= 0.6 x B0 (issue 21)', workload: 'W1', kind: 'vsB0', bound: 0.6 },
  { label: 'W2 throughput >= 0.6 x B0 (issue 21)', workload: 'W2', kind: 'vsB0', bound: 0.6 },
  { label: 'W1 B2/B0 >= PostGraphile/P0 (issue 21)', workload: 'W1', kind: 'vsPostGraphile', bound: 1 },
  { label: 'W2 B2/B0 >= PostGraphile/P0 (issue 21)', workload: 'W2', kind: 'vsPostGraphile', bound: 1 },
  { label: 'W1 server CPU / request <= 2 x B0 (issue 21)', workload: 'W1', kind: 'cpuVsB0', bound: 2 },
  { label: 'W2 server CPU / request <= 2 x B0 (issue 21)', workload: 'W2', kind: 'cpuVsB0', bound: 2 },
];

const r2 = (v: number) => Math.round(v * 100) / 100;

const rps = (a?: CellResult, b?: CellResult) => (a && b && b.requestsPerSecond > 0 ? a.requestsPerSecond / b.requestsPerSecond : Number.NaN);
const cpu = (a?: CellResult, b?: CellResult) => (a?.cpuMsPerRequest != null && b?.cpuMsPerRequest ? a.cpuMsPerRequest / b.cpuMsPerRequest : Number.NaN);

/** `met` is null where the target could not be evaluated in this run (the PostGraphile peer skipped, no /proc). */
export function evaluateTargets(d: DialectResult): { label: string; measured: string; met: boolean | null }[] {
  const cell = (w: string, p: string) => d.cells.find((c) => c.workload === w && c.peer === p);
  return TARGETS.map((t) => {
    const b2 = cell(t.workload, 'B2');
    if (!b2) return { label: t.label, measured: 'not measured', met: false };
    if (t.kind === 'cpuVsB0') {
      const b0 = cell(t.workload, 'B0');
      const ratio = cpu(b2, b0);
      if (Number.isNaN(ratio)) return { label: t.label, measured: 'not measured', met: null };
      return { label: t.label, measured: `${r2(ratio)} x (${b2.cpuMsPerRequest} vs ${b0?.cpuMsPerRequest} ms)`, met: ratio <= t.bound };
    }
    if (t.kind === 'vsPostGraphile') {
      const ours = rps(b2, cell(t.workload, 'B0'));
      const theirs = rps(cell(t.workload, 'PostGraphile'), cell(t.workload, 'P0'));
      if (Number.isNaN(theirs)) return { label: t.label, measured: 'PostGraphile not measured', met: null };
      return { label: t.label, measured: `${r2(ours)} vs ${r2(theirs)}`, met: ours >= theirs * t.bound };
    }
    if (t.kind === 'sql') {
      const v = b2.sqlPerRequestApp ?? Number.NaN;
      return { label: t.label, measured: `${v} (B0: ${cell(t.workload, 'B0')?.sqlPerRequestApp ?? '-'})`, met: v <= t.bound };
    }
    const peer = cell(t.workload, t.kind === 'vsB0' ? 'B0' : 'B1');
    const ratio = peer && peer.requestsPerSecond > 0 ? b2.requestsPerSecond / peer.requestsPerSecond : Number.NaN;
    return { label: t.label, measured: `${r2(ratio)} x (${b2.requestsPerSecond} vs ${peer?.requestsPerSecond ?? '-'} req/s)`, met: ratio >= t.bound };
  });
}

export function writeGatewayMarkdown(file: string, r: GatewayResult): void {
  const lines: string[] = [];
  const dirty = r.source.uncommitted.length ? ` with ${r.source.uncommitted.length} uncommitted files in src/ and migrations/` : '';
  lines.push(`## Gateway vs baselines (${r.scale}): ${r.dialects.map((d) => d.database).join(', ')} (${r.startedAt})`, '');
  lines.push(`- Code: commit ${r.source.commit.slice(0, 12)}${dirty}; run took ${r.wallSeconds} s`);
  lines.push(`- Machine: nproc ${r.machine.nproc}, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, ${r.machine.os}, Node ${r.machine.node} (shared with other agents: absolute figures drift, compare ratios)`);
  lines.push(
    `- Method: autocannon from the bench process, ${r.method.connections} connections, ${r.method.warmupSeconds} s warm-up + ${r.method.cellSeconds} s measured per cell; ` +
      `peers interleaved A B C C B A per workload (each cell is two halves of the measured time; p50/p99 are the mean of the halves'); ${r.method.pinning}; node ${r.method.nodeFlags.join(' ')}; every response checked against the generated data.`,
  );
  lines.push(
    '- Peers: B0 hand-written node:http + driver with minimal SQL (bench/baseline/server.ts); B1 gateway with DATALOADERS=off; B2 gateway. ' +
      'W1 and W2 also: PostGraphile 5 (bench/postgraphile/server.ts) and its hand-written node:http + pg baseline P0 (bench/postgraphile/baseline.ts), anonymous, on a PostgreSQL copy of the same dataset.',
  );
  lines.push('- CPU ms / req: the server process\'s user + system CPU time over the measured seconds (/proc/<pid>/stat) per answered request; the database server\'s CPU (MariaDB, PostgreSQL) is not in it, SQLite\'s is.');
  for (const d of r.dialects) {
    const ds = d.dataset;
    lines.push('', `### ${d.database}`, '');
    lines.push(
      `Dataset (seed ${ds.seed}, loaded in ${ds.loadSeconds} s): ${ds.users} users, ${ds.tickets.toLocaleString('en-US')} tickets (median body ${ds.bodyBytesMedian} B), ` +
        `${ds.changes.toLocaleString('en-US')} changes (${ds.heavyTickets} tickets with 200 or more), ${ds.ticketTags.toLocaleString('en-US')} tag links, ${ds.ticketUsers.toLocaleString('en-US')} assignee/cc links.`,
      '',
    );
    for (const [w, text] of Object.entries(d.workloads)) lines.push(`- ${w}: \`${text}\``);
    const pgPeer = d.postgraphile;
    if (pgPeer?.skipped) lines.push('', `PostGraphile peer: not run (${pgPeer.skipped}).`);
    else if (pgPeer) {
      lines.push(
        '',
        `PostGraphile peer: ${pgPeer.database}, the same generated rows loaded in ${pgPeer.loadSeconds} s; ${Object.entries(pgPeer.packages).map(([k, v]) => `${k} ${v}`).join(', ')}. ` +
          'Its answers are translated to the gateway\'s JSON (global ids, enum case, ISO dates) and compared with the same expected answers; P0 answers the gateway\'s JSON itself.',
      );
    }
    lines.push('', '| Workload | Peer | req/s | p50 ms | p99 ms | CPU ms / req | SQL / req (server) | SQL / req (Questions) | response B | peak RSS MiB | errors | wrong |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of d.cells) {
      lines.push(
        `| ${c.workload} | ${c.peer} | ${c.requestsPerSecond} | ${c.latencyP50Ms} | ${c.latencyP99Ms} | ${c.cpuMsPerRequest ?? '-'} | ${c.sqlPerRequestApp ?? '-'} | ${c.sqlPerRequestDb ?? 'n/a'} | ${c.responseBytes} | ${c.peakRssMiB} | ${c.errors} | ${c.wrongAnswers} |`,
      );
    }
    const vs = (cells: CellResult[], w: string) => {
      const get = (p: string) => cells.find((c) => c.workload === w && c.peer === p);
      return { b0: get('B0'), b2: get('B2'), pgl: get('PostGraphile'), p0: get('P0') };
    };
    const pgWorkloads = [...new Set(d.cells.filter((c) => c.peer === 'PostGraphile').map((c) => c.workload))];
    if (pgWorkloads.length > 0) {
      lines.push(
        '',
        'Each framework against its own hand-written baseline, in the same interleaved rounds (issue 21):',
        '',
        '| Workload | B2/B0 req/s | PostGraphile/P0 req/s | CPU ms / req B2 vs B0 | CPU ms / req PostGraphile vs P0 | PostgreSQL CPU ms / req PostGraphile vs P0 | B2/PostGraphile req/s |',
        '|---|---:|---:|---|---|---|---:|',
      );
      const x = (v: number) => (Number.isNaN(v) ? '-' : `${r2(v)}`);
      for (const w of pgWorkloads) {
        const { b0, b2, pgl, p0 } = vs(d.cells, w);
        lines.push(
          `| ${w} | ${x(rps(b2, b0))} | ${x(rps(pgl, p0))} | ${b2?.cpuMsPerRequest ?? '-'} vs ${b0?.cpuMsPerRequest ?? '-'} (${x(cpu(b2, b0))}x) | ` +
            `${pgl?.cpuMsPerRequest ?? '-'} vs ${p0?.cpuMsPerRequest ?? '-'} (${x(cpu(pgl, p0))}x) | ${pgl?.dbCpuMsPerRequest ?? '-'} vs ${p0?.dbCpuMsPerRequest ?? '-'} | ${x(rps(b2, pgl))} |`,
        );
      }
    }
    lines.push('', '| Workload | B2/B0 req/s | B2/B1 req/s | B2/B0 p50 | B2/B0 CPU / req | SQL / req B0 · B1 · B2 |', '|---|---:|---:|---:|---:|---|');
    const workloads = [...new Set(d.cells.map((c) => c.workload))];
    for (const w of workloads) {
      const get = (p: string) => d.cells.find((c) => c.workload === w && c.peer === p);
      const [b0, b1, b2] = [get('B0'), get('B1'), get('B2')];
      const ratio = (a?: CellResult, b?: CellResult) => (a && b && b.requestsPerSecond > 0 ? `${r2(a.requestsPerSecond / b.requestsPerSecond)}` : '-');
      const lat = b0 && b2 && b0.latencyP50Ms > 0 ? `${r2(b2.latencyP50Ms / b0.latencyP50Ms)}` : '-';
      const cpuRatio = cpu(b2, b0);
      lines.push(
        `| ${w} | ${ratio(b2, b0)} | ${ratio(b2, b1)} | ${lat} | ${Number.isNaN(cpuRatio) ? '-' : r2(cpuRatio)} | ${b0?.sqlPerRequestApp ?? '-'} · ${b1?.sqlPerRequestApp ?? '-'} · ${b2?.sqlPerRequestApp ?? '-'} |`,
      );
    }
    lines.push('', `Targets (B2 in this run, ${d.database}):`, '', '| Target | Measured | Met |', '|---|---|---|');
    for (const t of evaluateTargets(d)) lines.push(`| ${t.label} | ${t.measured} | ${t.met === null ? '-' : t.met ? 'yes' : '**no** (see analysis)'} |`);
    if (d.profiles) {
      for (const [w, frames] of Object.entries(d.profiles)) {
        if (!frames) continue;
        lines.push('', `CPU profile of B2 under ${w} (node --cpu-prof, self time, idle excluded):`, '', '| Frame | self % |', '|---|---:|');
        for (const f of frames) lines.push(`| \`${f.frame.replace(/\|/g, '\\|')}\` | ${f.selfPercent} |`);
      }
    }
  }
  lines.push('');
  fs.appendFileSync(file, `\n${lines.join('\n')}\n`);
}
