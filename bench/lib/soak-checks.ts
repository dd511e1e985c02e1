import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import type { ScratchDatabase } from './scratch-db';
import type { RssSample, SoakServer } from './soak-fleet';
import type { ReceiptLog } from './soak-sinks';
import { fileContent, type Ledger, type Outcome, type SubscriberLog } from './soak-traffic';

/** A period in which faults were injected (soak seconds); errors in it are expected. */
export interface FaultWindow {
  kind: 'kill -9' | 'database connections killed';
  target: string;
  from: number;
  to: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

/** Reads the soak database directly (the servers are stopped): what is stored, not what the API says. */
export async function openReader(db: ScratchDatabase): Promise<{ query: Query; close(): Promise<void> }> {
  if (db.dialect === 'sqlite') {
    const conn = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    return { query: async (sql, params = []) => conn.prepare(sql).all(...params) as Row[], close: async () => void conn.close() };
  }
  const conn = await mysql.createConnection({ uri: db.url, timezone: 'Z' });
  return { query: async (sql, params = []) => (await conn.query(sql, params))[0] as Row[], close: () => conn.end() };
}

const inWindow = (t: number, windows: FaultWindow[], slack = 0) => windows.some((w) => t >= w.from - slack && t <= w.to + slack);
const globalId = (type: string, id: unknown) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
const CRASH = 'The server running this job stopped before the job finished (crash or restart)';

export interface CheckInput {
  query: Query;
  ledger: Ledger;
  outcomes: Outcome[];
  subscribers: SubscriberLog[];
  mail: ReceiptLog;
  hooks: ReceiptLog;
  windows: FaultWindow[];
  servers: SoakServer[];
  filesDir: string;
  mailDomain: string;
  leaseSeconds: number;
}

/** The end-of-run assertions of the soak (bench/README.md lists them). */
export async function runChecks(c: CheckInput): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, problems: string[], summary: string) => checks.push({ name, ok: problems.length === 0, detail: problems.length ? `${problems.length} problem(s): ${problems.slice(0, 8).join('; ')}` : summary });
  const { query } = c;

  // The outbox drained: nothing pending, being sent or given up.
  const outbox = await query('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status');
  const byStatus = Object.fromEntries(outbox.map((r) => [String(r.status), Number(r.n)]));
  check('outbox drained', ['pending', 'sending', 'failed'].filter((s) => byStatus[s]).map((s) => `${byStatus[s]} ${s}`), `${byStatus.sent ?? 0} rows sent, none pending, sending or failed`);

  // Every acknowledged write exists exactly once; a write never acknowledged at most once.
  const problems: string[] = [];
  for (const w of c.ledger.creates) {
    const [{ n }] = await query('SELECT COUNT(*) AS n FROM ticket WHERE subject = ?', [`soak ${w.token}`]);
    if (w.acked ? Number(n) !== 1 : Number(n) > 1) problems.push(`ticket ${w.token}: ${n} stored (${w.acked ? 'acknowledged' : 'never acknowledged'})`);
    if (w.acked && w.withFile) {
      const files = await query('SELECT f.storage_key AS storageKey, f.size AS size FROM ticket_file f JOIN ticket t ON t.id = f.ticket_id WHERE t.subject = ? AND f.filename = ?', [`soak ${w.token}`, `evidence-${w.token}.bin`]);
      const expected = fileContent(w.token);
      if (files.length !== 1) problems.push(`ticket ${w.token}: ${files.length} files`);
      else {
        const bytes = fs.existsSync(path.join(c.filesDir, String(files[0].storageKey))) ? fs.readFileSync(path.join(c.filesDir, String(files[0].storageKey))) : null;
        if (!bytes || !bytes.equals(expected)) problems.push(`ticket ${w.token}: its file's object is ${bytes ? 'different' : 'missing'}`);
      }
    }
  }
  for (const w of c.ledger.comments) {
    const [{ n }] = await query(`SELECT COUNT(*) AS n FROM ticket_change WHERE type = 'comment' AND body LIKE ?`, [`comment ${w.token} %`]);
    if (w.acked ? Number(n) !== 1 : Number(n) > 1) problems.push(`comment ${w.token}: ${n} stored`);
  }
  for (const u of c.ledger.updates) {
    if (u.uncertain !== null) continue;
    const id = Number(Buffer.from(u.ticketId, 'base64url').toString().split(':')[1]);
    const [row] = await query('SELECT server FROM ticket WHERE id = ?', [id]);
    if ((row?.server ?? null) !== u.expected) problems.push(`ticket ${u.ticketId}: server is ${String(row?.server)}, the last acknowledged edit set ${u.expected}`);
  }
  const acked = (list: { acked: boolean }[]) => list.filter((w) => w.acked).length;
  check('acknowledged writes exist exactly once', problems,
    `${acked(c.ledger.creates)} tickets (${c.ledger.creates.filter((w) => w.acked && w.withFile).length} with a file, bytes compared), ${acked(c.ledger.comments)} comments, ${c.ledger.updatesAcked} edits with expectedVersion (${c.ledger.conflicts} CONFLICT refusals), ${acked(c.ledger.jobs)} job runs; never-acknowledged writes: at most once`);

  // Every job is final with its real exit code and outputs, except those running in a replica killed -9.
  const jobs = await query(`SELECT j.id, j.status, j.code, j.params, j.description, j.started_at AS startedAt FROM job j JOIN event_definition e ON e.id = j.event_id WHERE e.\`key\` = 'soak-job'`);
  const outputs = new Map<number, string[]>();
  for (const r of await query(`SELECT jf.job_id AS jobId, f.filename FROM job_file jf JOIN ticket_file f ON f.id = jf.file_id WHERE jf.role = 'output'`)) {
    outputs.set(Number(r.jobId), [...(outputs.get(Number(r.jobId)) ?? []), String(r.filename)]);
  }
  const jobProblems: string[] = [];
  let interrupted = 0;
  const tokens = new Map<string, number>();
  for (const j of jobs) {
    const params = JSON.parse(String(j.params)) as { token: string; code: number };
    tokens.set(params.token, (tokens.get(params.token) ?? 0) + 1);
    if (!['succeeded', 'failed', 'cancelled'].includes(String(j.status))) {
      jobProblems.push(`job ${j.id} is still ${j.status}`);
      continue;
    }
    if (j.description === CRASH) {
      interrupted++;
      if (!c.windows.some((w) => w.kind === 'kill -9')) jobProblems.push(`job ${j.id} failed as interrupted, but no server was killed`);
      continue;
    }
    const want = params.code === 0 ? 'succeeded' : 'failed';
    if (String(j.status) !== want || Number(j.code) !== params.code) jobProblems.push(`job ${j.id}: ${j.status} with code ${j.code}, expected ${want} with ${params.code} (${j.description})`);
    if (!(outputs.get(Number(j.id)) ?? []).includes(`out-${params.token}.txt`)) jobProblems.push(`job ${j.id}: output out-${params.token}.txt missing`);
  }
  for (const w of c.ledger.jobs.filter((x) => x.acked)) if (tokens.get(w.token) !== 1) jobProblems.push(`run ${w.token}: ${tokens.get(w.token) ?? 0} jobs`);
  check('every job final with its real exit code and outputs', jobProblems, `${jobs.length} jobs of 3.5-6 s (REQUEST_TIMEOUT is shorter): all final, ${jobs.length - interrupted} with their exit code and output file, ${interrupted} failed as interrupted by the kill -9 of their replica`);

  // Mail and webhooks: each sent exactly once (a redelivery only of what was in flight at a kill -9).
  const killWindows = c.windows.filter((w) => w.kind === 'kill -9').map((w) => ({ ...w, from: w.from - 1, to: w.to + c.leaseSeconds }));
  /**
   * settledLater: ids whose row was settled as skipped. A message received in a kill window whose
   * row ended so was in flight at the kill -9: delivered, but the process died before recording
   * it, and the retry found nothing left to send (e.g. a later row of the ticket covers its entries).
   */
  const deliveryCheck = (name: string, expected: string[], log: ReceiptLog, what: string, settledLater: Set<string> = new Set()) => {
    const missing = expected.filter((id) => !log.byId.has(id));
    const known = new Set(expected);
    const unrecorded = [...log.byId.keys()].filter((id) => !known.has(id));
    const inFlight = unrecorded.filter((id) => settledLater.has(id) && log.byId.get(id)!.every((r) => inWindow(r.t, killWindows)));
    const phantom = unrecorded.filter((id) => !inFlight.includes(id));
    const dup = log.duplicates();
    const excused = dup.filter((l) => inWindow(l[0].t, killWindows));
    const unexcused = dup.filter((l) => !inWindow(l[0].t, killWindows));
    check(name, [
      ...missing.map((id) => `${id} recorded as sent but never received`),
      ...phantom.map((id) => `${id} received but not recorded as sent`),
      ...unexcused.map((l) => `${l[0].id} received ${l.length} times (first at ${l[0].t.toFixed(1)} s)`),
    ], `${expected.length} ${what} received, each exactly once${excused.length ? `, except ${excused.length} in flight at a kill -9, delivered again after it (the ids stay the same, so receivers can drop them)` : ''}` +
      (inFlight.length ? `; ${inFlight.length} more sent just before a kill -9, whose retry found nothing left to send (settled as skipped)` : ''));
  };
  const mailId = (r: Record<string, unknown>) => `<outbox.${r.id}.${r.ticketId}@${c.mailDomain}>`;
  const sentMail = await query(`SELECT id, ticket_id AS ticketId FROM outbox WHERE status = 'sent' AND kind LIKE 'mail.%'`);
  const skippedMail = await query(`SELECT id, ticket_id AS ticketId FROM outbox WHERE status = 'skipped' AND kind LIKE 'mail.%'`);
  deliveryCheck('mail delivered exactly once', sentMail.map(mailId), c.mail, 'mails', new Set(skippedMail.map(mailId)));
  const created = await query(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'mail.ticket_created' AND status = 'sent'`);
  if (Number(created[0].n) < acked(c.ledger.creates)) checks.push({ name: 'a Created mail per ticket', ok: false, detail: `${created[0].n} Created mails for ${acked(c.ledger.creates)} tickets` });
  const delivered = await query(`SELECT id FROM webhook_delivery WHERE status = 'delivered'`);
  deliveryCheck('webhooks delivered exactly once', delivered.map((r) => globalId('WebhookDelivery', r.id)), c.hooks, 'webhook deliveries');
  const undelivered = await query(`SELECT status, COUNT(*) AS n FROM webhook_delivery WHERE status <> 'delivered' GROUP BY status`);
  if (undelivered.length) checks.push({ name: 'webhooks all delivered', ok: false, detail: undelivered.map((r) => `${r.n} ${r.status}`).join(', ') });

  // No server error outside the fault windows (a refused connection to a killed replica is inside one).
  const failures = c.outcomes.filter((o) => (o.status === 0 || o.status >= 500 || o.code === 'INTERNAL_SERVER_ERROR') && !inWindow(o.t, c.windows, 1));
  check('no 5xx outside the fault windows', failures.map((o) => `${o.op} on ${o.server} at ${o.t.toFixed(1)} s: ${o.status || 'no answer'} ${o.code ?? ''}`),
    `${c.outcomes.length} requests; ${c.outcomes.filter((o) => o.status === 0 || o.status >= 500).length} failed, all inside fault windows`);

  // Subscribers: no entry twice; every acknowledged comment reached every subscriber connected around it.
  const subProblems: string[] = [];
  for (const s of c.subscribers) {
    const seen = new Set<string>();
    for (const r of s.received) {
      if (seen.has(r.changeId)) subProblems.push(`${s.name} got ${r.changeId} twice`);
      seen.add(r.changeId);
    }
    for (const w of c.ledger.comments) {
      if (!w.acked || w.ackedAt === null || inWindow(w.ackedAt, c.windows, 3)) continue;
      const connected = s.intervals.some((i) => i.from <= w.ackedAt! - 2 && (i.to === null || i.to >= w.ackedAt! + 3));
      if (connected && !seen.has(w.id!)) subProblems.push(`${s.name} (on ${s.server}) missed comment ${w.token} acknowledged at ${w.ackedAt.toFixed(1)} s`);
    }
    if (s.received.length === 0) subProblems.push(`${s.name} received nothing`);
  }
  check('subscriptions: every entry once, none missed while connected', subProblems,
    c.subscribers.map((s) => `${s.name} on ${s.server}: ${s.received.length} entries, ${s.intervals.length} connection(s)`).join('; '));

  // Memory: after its first minute, no server process keeps growing.
  const rssProblems: string[] = [];
  const rssNotes: string[] = [];
  for (const server of c.servers) {
    for (const incarnation of [...new Set(server.rss.map((r) => r.incarnation))]) {
      const verdict = rssGrowth(server.rss.filter((r) => r.incarnation === incarnation));
      if (!verdict) continue;
      rssNotes.push(`${server.name}#${incarnation}: ${verdict.startMiB} -> ${verdict.endMiB} MiB over ${verdict.seconds} s after its first minute`);
      if (verdict.grew) rssProblems.push(`${server.name}#${incarnation} grew from ${verdict.startMiB} to ${verdict.endMiB} MiB after its first minute`);
    }
  }
  check('RSS flat after the first minute', rssProblems, rssNotes.join('; ') || 'no process lived long enough past its first minute to judge');
  return checks;
}

/**
 * RSS after a process's first minute: the mean of its first and of its last 20 s of samples. It
 * "grew" when the end is above the start by more than 15% and 20 MiB (GC and allocator noise stay
 * well within that); null when fewer than 40 s of samples exist past the first minute.
 */
export function rssGrowth(samples: RssSample[]): { startMiB: number; endMiB: number; seconds: number; grew: boolean } | null {
  const after = samples.filter((s) => s.age >= 60);
  if (after.length < 2 || after.at(-1)!.age - after[0].age < 40) return null;
  const mean = (l: RssSample[]) => Math.round((l.reduce((s, x) => s + x.rssMiB, 0) / l.length) * 10) / 10;
  const start = mean(after.filter((s) => s.age <= after[0].age + 20));
  const end = mean(after.filter((s) => s.age >= after.at(-1)!.age - 20));
  return { startMiB: start, endMiB: end, seconds: Math.round(after.at(-1)!.age - after[0].age), grew: end > start * 1.15 && end - start > 20 };
}
