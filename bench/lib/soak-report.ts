import fs from 'node:fs';
import type { MachineInfo } from './report';
import type { Check, FaultWindow } from './soak-checks';
import type { LogCounts, RssSample } from './soak-fleet';
import type { Outcome } from './soak-traffic';

export interface SoakResult {
  dialect: 'sqlite' | 'mysql';
  minutes: number;
  startedAt: string;
  wallSeconds: number;
  machine: MachineInfo;
  source: { commit: string; uncommitted: string[] };
  servers: number;
  clients: number;
  requestTimeout: string;
  windows: FaultWindow[];
  checks: Check[];
  outcomes?: Outcome[];
  mailReceived: number;
  webhooksReceived: number;
  rss: Record<string, RssSample[]>;
  logs: Record<string, LogCounts>;
  subscribers: { name: string; server: string; received: number; connections: number }[];
  /** Per operation: count, errors by code and latency percentiles (filled by summarize). */
  requests?: Record<string, { count: number; errors: Record<string, number>; p50Ms: number; p99Ms: number; maxMs: number }>;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : 0;
}

/** Requests by operation: how many, how they failed, how long they took (client round trip). */
export function summarizeRequests(outcomes: Outcome[]): NonNullable<SoakResult['requests']> {
  const byOp = new Map<string, Outcome[]>();
  for (const o of outcomes) byOp.set(o.op, [...(byOp.get(o.op) ?? []), o]);
  const round = (v: number) => Math.round(v * 10) / 10;
  return Object.fromEntries(
    [...byOp.entries()].sort().map(([op, list]) => {
      const errors: Record<string, number> = {};
      for (const o of list) {
        if (o.status === 200 && !o.code) continue;
        const key = o.status === 0 ? `no answer (${o.code})` : `${o.status}${o.code ? ` ${o.code}` : ''}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
      const ms = list.map((o) => o.ms).sort((a, b) => a - b);
      return [op, { count: list.length, errors, p50Ms: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)), maxMs: round(ms.at(-1) ?? 0) }];
    }),
  );
}

/** One RSS reading every ~10 s per process, as "t s: MiB". */
function rssCurve(samples: RssSample[]): string {
  const picked: RssSample[] = [];
  for (const s of samples) if (!picked.length || s.t - picked.at(-1)!.t >= 10 || s.incarnation !== picked.at(-1)!.incarnation) picked.push(s);
  return picked.map((s) => `${Math.round(s.t)}s${s.incarnation > 1 ? `#${s.incarnation}` : ''}: ${Math.round(s.rssMiB)}${s.heapMiB === null ? '' : ` (V8 ${Math.round(s.heapMiB)}, C ${Math.round(s.nativeHeapMiB ?? 0)})`}`).join(', ');
}

export function soakMarkdown(r: SoakResult): string {
  const ok = r.checks.every((c) => c.ok);
  const db = r.dialect === 'sqlite' ? 'SQLite, one server process' : 'MariaDB, two replicas sharing the database, Redis and the files folder';
  const requests = r.requests ?? {};
  const total = Object.values(requests).reduce((s, x) => s + x.count, 0);
  const lines = [
    `## Soak: ${db}, ${r.minutes} min (${r.startedAt})`,
    '',
    `Result: **${ok ? 'PASS' : 'FAIL'}**. ${r.clients} clients, REQUEST_TIMEOUT ${r.requestTimeout}, jobs of 3.5-6 s; ${total} requests in ${r.wallSeconds} s of wall time (traffic, then settling and draining).`,
    '',
    `- Code: commit ${r.source.commit.slice(0, 12)}${r.source.uncommitted.length ? ` with ${r.source.uncommitted.length} uncommitted files` : ''}`,
    `- Machine: nproc ${r.machine.nproc}, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, Node ${r.machine.node}`,
    `- Faults: ${r.windows.map((w) => `${w.kind} (${w.target}) at ${w.from.toFixed(1)} s, window until ${w.to.toFixed(1)} s`).join('; ')}`,
    '',
    '| Check | Result | Detail |',
    '|---|---|---|',
    ...r.checks.map((c) => `| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail.replace(/\|/g, '\\|')} |`),
    '',
    '| Operation | Requests | p50 ms | p99 ms | max ms | Errors (all inside fault windows unless a check says otherwise) |',
    '|---|---:|---:|---:|---:|---|',
    ...Object.entries(requests).map(([op, s]) => `| ${op} | ${s.count} | ${s.p50Ms} | ${s.p99Ms} | ${s.maxMs} | ${Object.entries(s.errors).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'} |`),
    '',
    `Deliveries: ${r.mailReceived} mails received by the SMTP server, ${r.webhooksReceived} webhook deliveries by the receiver. Subscribers: ${r.subscribers.map((s) => `${s.name} ${s.received} entries over ${s.connections} connection(s)`).join('; ')}.`,
    '',
    'RSS (MiB) of each server process, with the V8 heap in use and the C heap (SQLite, native modules), every ~10 s (#2: after the restart):',
    '',
    ...Object.entries(r.rss).map(([name, samples]) => `- ${name}: ${rssCurve(samples)}`),
    '',
    `Server logs at error level: ${Object.entries(r.logs).map(([name, l]) => `${name}: ${Object.entries(l.error).map(([m, n]) => `"${m}" x${n}`).join(', ') || 'none'}`).join('; ')}.`,
    '',
  ];
  return lines.join('\n');
}

/** Appends the run's section to RESULTS.md. */
export function writeSoakMarkdown(file: string, r: SoakResult): void {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  fs.writeFileSync(file, `${existing.replace(/\n*$/, '\n\n')}${soakMarkdown(r)}`);
}
