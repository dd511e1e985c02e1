import fs from 'node:fs';
import path from 'node:path';
import type { DatasetSummary } from './dataset';
import type { ExplainedStatement } from './explain';
import type { Dialect } from './scratch-db';
import type { Summary } from './stats';

export interface MachineInfo {
  /** `nproc`: processing units available to the process. */
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
}

export interface PlanCheck {
  /** What the requirement asks of this query's plans. */
  requirement: string;
  pass: boolean;
  /** Why it passed or failed, with the offending plan lines. */
  detail: string;
  /** Not a failure, worth a look: e.g. ticket read through a whole index. */
  notes: string[];
}

/** A benchmarked search as chosen (search.bench.ts adds its expected answer). */
export interface QueryDefinition {
  id: string;
  label: string;
  kind: 'indexed' | 'full-text';
  /** The GraphQL call as a reader would write it. */
  call: string;
  document: string;
  variables: Record<string, unknown>;
  /** Why these search values (how common the tag or words are). */
  rationale: string;
}

export interface QueryResult extends QueryDefinition {
  totalCount: number;
  expectedTotalCount: number;
  /** Client round trip over HTTP (request sent to response parsed). */
  clientMs: Summary;
  /** Server-side request duration, from the app's onRequestComplete. */
  serverMs: Summary;
  sqlStatementsPerRequest: number;
  explain: { page: ExplainedStatement; count: ExplainedStatement };
  check: PlanCheck;
}

export interface BenchResult {
  benchmark: 'ticket-search';
  dialect: Dialect;
  startedAt: string;
  finishedAt: string;
  /** The application code measured: HEAD, plus the files under src/ and migrations/ that differed from it. */
  source: { commit: string; uncommitted: string[] };
  machine: MachineInfo;
  database: { engine: string; version: string; statistics: string };
  dataset: DatasetSummary & { seed: number; loadSeconds: number };
  method: { warmupRuns: number; timedRuns: number; pageSize: number; timing: string };
  queries: QueryResult[];
  /** Every plan check passed and every answer matched the expected one. */
  pass: boolean;
}

export function writeJson(dir: string, result: BenchResult): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `search-${result.dialect}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function appendMarkdown(file: string, result: BenchResult): void {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, '# Benchmark results\n\nEach run of a benchmark appends a section here; see README.md for how to run them.\n');
  }
  fs.appendFileSync(file, `\n${markdownSection(result)}`);
}

const n = (v: number) => v.toLocaleString('en-US');

export function markdownSection(r: BenchResult): string {
  const d = r.dataset;
  const byType = Object.entries(d.changesByType).map(([type, count]) => `${type} ${n(count)}`).join(', ');
  const byStatus = Object.entries(d.ticketsByStatus).map(([status, count]) => `${status} ${n(count)}`).join(', ');
  const lines: string[] = [
    `## Ticket search: ${r.database.engine} ${r.database.version} (${r.finishedAt})`,
    '',
    `Result: **${r.pass ? 'PASS' : 'FAIL'}** (every answer checked against the generated data; plan checks below).`,
    '',
    `- Code: commit ${r.source.commit.slice(0, 12)}${r.source.uncommitted.length ? ` with ${r.source.uncommitted.length} uncommitted files in src/ and migrations/ (listed in the JSON)` : ''}`,
    `- Machine: nproc ${r.machine.nproc}, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, ${r.machine.os}`,
    `- Node ${r.machine.node}; ${r.database.engine} ${r.database.version}; statistics: ${r.database.statistics}`,
    `- Dataset (seed ${d.seed}, loaded in ${d.loadSeconds} s): ${n(d.tickets)} tickets (${n(d.visibleTickets)} visible, ${n(d.softDeletedTickets)} soft-deleted; ${byStatus}); ` +
      `${n(d.changes)} ticket_change rows (${byType}); ${n(d.ticketTags)} ticket_tag and ${n(d.ticketUsers)} ticket_user rows; ` +
      `${n(d.searchRows)} ticket_search rows (${d.searchTextMegabytes} MB of text)`,
    `- Method: ${r.method.warmupRuns} warm-up requests, then ${r.method.timedRuns} timed requests per query, one at a time; ${r.method.timing}`,
    '',
    '| Query | GraphQL | totalCount | median ms | p95 ms | min ms | max ms | server median ms | SQL / request | EXPLAIN check |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.queries.map(
      (q) =>
        `| ${q.label} | \`${q.call}\` | ${n(q.totalCount)} | ${q.clientMs.medianMs} | ${q.clientMs.p95Ms} | ${q.clientMs.minMs} | ${q.clientMs.maxMs} | ` +
        `${q.serverMs.medianMs} | ${q.sqlStatementsPerRequest} | ${q.check.pass ? 'PASS' : '**FAIL**'} |`,
    ),
    '',
  ];
  for (const q of r.queries) {
    lines.push(`### ${q.label}: \`${q.call}\``, '', `${q.rationale}`, '', `Check (${q.check.requirement}): **${q.check.pass ? 'PASS' : 'FAIL'}**. ${q.check.detail}`);
    for (const note of q.check.notes) lines.push(`- Note: ${note}`);
    lines.push('');
    for (const [name, s] of [['Page query', q.explain.page], ['Count query (totalCount)', q.explain.count]] as const) {
      lines.push(`${name}, parameters \`${JSON.stringify(s.parameters)}\`:`, '', '```sql', s.sql, '```', '', '```', ...s.plan, '```', '');
    }
  }
  return `${lines.join('\n')}\n`;
}
