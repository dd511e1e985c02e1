import fs from 'node:fs';
import type { DatasetSummary } from './dataset';
import type { ProfileFrame } from './cpu-profile';
import type { MachineInfo } from './report';

export interface CellResult {
  workload: string;
  peer: 'B0' | 'B1' | 'B2';
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
  /** Server CPU time (all threads) over the measured time, in ms, and per answered request (issue 21). */
  cpuMs?: number | null;
  cpuMsPerRequest?: number | null;
  /** Raw totals behind the per-request figures. */
  seconds: number;
  /** Responses received and checked. */
  answered: number;
  sqlStatements: number;
  sqlRequests: number;
  questions: number | null;
  bodyBytes: number;
}

export interface DialectResult {
  dialect: string;
  database: string;
  dataset: DatasetSummary & { users: number; seed: number; loadSeconds: number; heavyTickets: number; bodyBytesMedian: number };
  workloads: Record<string, string>;
  cells: CellResult[];
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
  kind: 'sql' | 'vsB0' | 'vsB1';
  bound: number;
}

/** The targets, B2 against its peers in the same run on MariaDB. */
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
];

const r2 = (v: number) => Math.round(v * 100) / 100;

export function evaluateTargets(d: DialectResult): { label: string; measured: string; met: boolean }[] {
  const cell = (w: string, p: string) => d.cells.find((c) => c.workload === w && c.peer === p);
  return TARGETS.map((t) => {
    const b2 = cell(t.workload, 'B2');
    if (!b2) return { label: t.label, measured: 'not measured', met: false };
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
  lines.push('- Peers: B0 hand-written node:http + driver with minimal SQL (bench/baseline/server.ts); B1 gateway with DATALOADERS=off; B2 gateway.');
  for (const d of r.dialects) {
    const ds = d.dataset;
    lines.push('', `### ${d.database}`, '');
    lines.push(
      `Dataset (seed ${ds.seed}, loaded in ${ds.loadSeconds} s): ${ds.users} users, ${ds.tickets.toLocaleString('en-US')} tickets (median body ${ds.bodyBytesMedian} B), ` +
        `${ds.changes.toLocaleString('en-US')} changes (${ds.heavyTickets} tickets with 200 or more), ${ds.ticketTags.toLocaleString('en-US')} tag links, ${ds.ticketUsers.toLocaleString('en-US')} assignee/cc links.`,
      '',
    );
    for (const [w, text] of Object.entries(d.workloads)) lines.push(`- ${w}: \`${text}\``);
    lines.push('', '| Workload | Peer | req/s | p50 ms | p99 ms | SQL / req (server) | SQL / req (Questions) | response B | peak RSS MiB | errors | wrong |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of d.cells) {
      lines.push(
        `| ${c.workload} | ${c.peer} | ${c.requestsPerSecond} | ${c.latencyP50Ms} | ${c.latencyP99Ms} | ${c.sqlPerRequestApp ?? '-'} | ${c.sqlPerRequestDb ?? 'n/a'} | ${c.responseBytes} | ${c.peakRssMiB} | ${c.errors} | ${c.wrongAnswers} |`,
      );
    }
    lines.push('', '| Workload | B2/B0 req/s | B2/B1 req/s | B2/B0 p50 | SQL / req B0 · B1 · B2 |', '|---|---:|---:|---:|---|');
    const workloads = [...new Set(d.cells.map((c) => c.workload))];
    for (const w of workloads) {
      const get = (p: string) => d.cells.find((c) => c.workload === w && c.peer === p);
      const [b0, b1, b2] = [get('B0'), get('B1'), get('B2')];
      const ratio = (a?: CellResult, b?: CellResult) => (a && b && b.requestsPerSecond > 0 ? `${r2(a.requestsPerSecond / b.requestsPerSecond)}` : '-');
      const lat = b0 && b2 && b0.latencyP50Ms > 0 ? `${r2(b2.latencyP50Ms / b0.latencyP50Ms)}` : '-';
      lines.push(`| ${w} | ${ratio(b2, b0)} | ${ratio(b2, b1)} | ${lat} | ${b0?.sqlPerRequestApp ?? '-'} · ${b1?.sqlPerRequestApp ?? '-'} · ${b2?.sqlPerRequestApp ?? '-'} |`);
    }
    lines.push('', `Targets (B2 in this run, ${d.database}):`, '', '| Target | Measured | Met |', '|---|---|---|');
    for (const t of evaluateTargets(d)) lines.push(`| ${t.label} | ${t.measured} | ${t.met ? 'yes' : '**no** (see analysis)'} |`);
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
