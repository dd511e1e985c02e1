import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { In } from 'typeorm';
import { OutboxMessage, OutboxStatus } from '../src/entities/outbox-message.entity';
import { CREATE } from './helpers/documents';
import { addTicketEvent, EVENT_CREATE, nodeEvent, run, waitForJob } from './helpers/jobs';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * Events' Create Ticket actions (xyOps "Create Ticket" job action): a ticket when a job starts,
 * succeeds or fails, for jobs carrying given tags; real child processes, both databases.
 */

let s: TestServer;
let alice: string;
const jobsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-job-tickets-'));
const ENV = { OUTBOX_POLL_MS: '50', JOBS_DIR: jobsDir, JOB_KILL_GRACE_MS: '200', INSTANCE_ID: 'job-tickets-test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const EVENT_UPDATE = `mutation($id: ID!, $i: EventInput!) { eventUpdate(id: $id, input: $i) { event { title ticketActions { on tags } } userErrors { field code message } } }`;
const EVENT_ACTIONS = `query { events { key title ticketActions { on tags } } }`;
const JOB_TICKETS = `query($id: ID!) { job(id: $id) { tickets(first: 10) { totalCount edges { node { subject body creator { username } category { key } tags { key } server
  origin { kind sourceId details job { number } } } } } } }`;

interface JobTicket {
  subject: string;
  body: string;
  creator: { username: string };
  category: { key: string } | null;
  tags: { key: string }[];
  server: string | null;
  origin: { kind: string; sourceId: string; details: Record<string, unknown>; job: { number: number } };
}

async function ticket(subject = 'Release 2.0'): Promise<number> {
  const res = await s.gql(CREATE, { input: { subject, type: 'RELEASE' } });
  return res.data.ticketCreate.ticket.number;
}

/** The job's tickets once the outbox has settled every ticket row queued for it (sorted by trigger). */
async function settledTickets(job: { id: string; number: number }): Promise<JobTicket[]> {
  const kinds = ['job.ticket', 'job.ticket_start', 'job.ticket_success'];
  for (let i = 0; i < 400; i++) {
    const rows = await s.app.db.manager.findBy(OutboxMessage, { refId: job.number, kind: In(kinds) as never });
    if (rows.every((r) => r.status === OutboxStatus.SENT || r.status === OutboxStatus.SKIPPED)) break;
    await sleep(50);
  }
  const res = await s.gql(JOB_TICKETS, { id: job.id });
  expect(res.errors).toBeUndefined();
  const list = res.data.job.tickets.edges.map((e: { node: JobTicket }) => e.node) as JobTicket[];
  return list.sort((a, b) => String(a.origin.details.trigger).localeCompare(String(b.origin.details.trigger)));
}

async function outboxRows(jobNumber: number): Promise<{ kind: string; status: string; dedupeKey: string | null }[]> {
  const rows = await s.app.db.manager.find(OutboxMessage, { where: { refId: jobNumber }, order: { id: 'ASC' } });
  return rows.filter((r) => r.kind.startsWith('job.ticket')).map((r) => ({ kind: r.kind, status: r.status, dedupeKey: r.dedupeKey }));
}

beforeAll(async () => {
  s = await startTestServer(ENV);
  alice = await s.user('alice');
  await s.gql(`mutation { categoryCreate(input: { key: "releases", title: "Releases" }) { userErrors { message } } }`);
  for (const key of ['deploy', 'nightly']) await s.gql(`mutation { tagCreate(input: { key: "${key}" }) { userErrors { message } } }`);
});
afterAll(async () => {
  await s?.close();
  fs.rmSync(jobsDir, { recursive: true, force: true });
});

test('ticket actions are set through eventCreate and eventUpdate; bad input is a userError naming the field, and nothing is written', async () => {
  const created = await s.gql(EVENT_CREATE, {
    i: { key: 'configured', title: 'Configured', runner: 'LOCAL', command: ['/bin/true'], ticketActions: [{ on: 'START' }, { on: 'SUCCESS', tags: [' deploy ', 'deploy'] }] },
  });
  expect(created.data.eventCreate.userErrors).toEqual([]);
  const id = created.data.eventCreate.event.id;
  const actionsOf = async () => (await s.gql(EVENT_ACTIONS)).data.events.find((e: { key: string }) => e.key === 'configured');
  expect(await actionsOf()).toEqual({ key: 'configured', title: 'Configured', ticketActions: [{ on: 'START', tags: [] }, { on: 'SUCCESS', tags: ['deploy'] }] });

  const badTag = await s.gql(EVENT_UPDATE, { id, i: { title: 'Renamed', ticketActions: [{ on: 'FAILURE', tags: ['ok', '  '] }] } });
  expect(badTag.data.eventUpdate).toEqual({ event: null, userErrors: [{ field: ['input', 'ticketActions', '0', 'tags', '1'], code: 'INVALID', message: 'Each tag must be 1-100 characters without control characters' }] });
  const tooMany = await s.gql(EVENT_UPDATE, { id, i: { ticketActions: Array.from({ length: 21 }, () => ({ on: 'FAILURE' })) } });
  expect(tooMany.data.eventUpdate.userErrors).toEqual([{ field: ['input', 'ticketActions'], code: 'INVALID', message: 'At most 20 ticket actions' }]);
  const badEnum = await s.gql(EVENT_UPDATE, { id, i: { ticketActions: [{ on: 'FINISH' }] } });
  expect(badEnum.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(await actionsOf()).toEqual({ key: 'configured', title: 'Configured', ticketActions: [{ on: 'START', tags: [] }, { on: 'SUCCESS', tags: ['deploy'] }] });

  const changed = await s.gql(EVENT_UPDATE, { id, i: { ticketActions: [{ on: 'FAILURE', tags: ['nightly'] }] } });
  expect(changed.data.eventUpdate).toEqual({ event: { title: 'Configured', ticketActions: [{ on: 'FAILURE', tags: ['nightly'] }] }, userErrors: [] });
  // Left out: kept; [] removes them.
  expect((await s.gql(EVENT_UPDATE, { id, i: { title: 'Configured again' } })).data.eventUpdate.event.ticketActions).toEqual([{ on: 'FAILURE', tags: ['nightly'] }]);
  expect((await s.gql(EVENT_UPDATE, { id, i: { ticketActions: [] } })).data.eventUpdate.event.ticketActions).toEqual([]);
});

test('EVENTS_FILE takes ticket actions (moments in any case) and names a bad one', async () => {
  const file = path.join(jobsDir, '..', `events-actions-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify([{ key: 'from-file', title: 'From file', runner: 'local', command: ['/bin/true'], ticketActions: [{ on: 'start' }, { on: 'FAILURE', tags: ['nightly'] }] }]));
  const other = await startTestServer({ ...ENV, EVENTS_FILE: file });
  try {
    expect((await other.gql(EVENT_ACTIONS)).data.events).toEqual([{ key: 'from-file', title: 'From file', ticketActions: [{ on: 'START', tags: [] }, { on: 'FAILURE', tags: ['nightly'] }] }]);
  } finally {
    await other.close();
  }
  fs.writeFileSync(file, JSON.stringify([{ key: 'bad-file', title: 'Bad', runner: 'local', command: ['/bin/true'], ticketActions: [{ on: 'finish' }] }]));
  await expect(startTestServer({ ...ENV, EVENTS_FILE: file })).rejects.toThrow(`EVENTS_FILE ${file}, event 0 (bad-file): input.ticketActions.0.on: on must be one of start, success, failure`);
  fs.rmSync(file);
});

test('a job opens a ticket when it starts and another when it succeeds, filed as its launcher with the job template, once each even when the outbox row is retried', async () => {
  const eventId = await nodeEvent(s, 'deploy-app', `console.log('deployed', process.env.JOB_TAGS)`, {
    title: 'Deploy app', categoryKey: 'releases', tags: ['deploy'],
    ticketActions: [{ on: 'START' }, { on: 'SUCCESS', tags: ['deploy'] }, { on: 'FAILURE' }],
  });
  const number = await ticket();
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, number, eventId), {}, alice)).id);
  expect(job.status).toBe('SUCCEEDED');

  const tickets = await settledTickets(job as { id: string; number: number });
  expect(tickets.map(({ body: _body, ...t }) => t)).toEqual([
    {
      subject: `Job #${job.number} started (Deploy app)`, creator: { username: 'alice' }, category: { key: 'releases' }, tags: [{ key: 'deploy' }], server: os.hostname(),
      origin: { kind: 'JOB', sourceId: String(job.number), details: { event: 'deploy-app', ticket: number, trigger: 'start' }, job: { number: job.number } },
    },
    {
      subject: `Job #${job.number} succeeded (Deploy app)`, creator: { username: 'alice' }, category: { key: 'releases' }, tags: [{ key: 'deploy' }], server: os.hostname(),
      origin: { kind: 'JOB', sourceId: String(job.number), details: { event: 'deploy-app', ticket: number, trigger: 'success' }, job: { number: job.number } },
    },
  ]);
  // The start ticket tells the start, not the result; the success ticket has the log excerpt.
  expect(tickets[0].body).toContain('- **Result:** started, running');
  expect(tickets[0].body).not.toContain('Log excerpt');
  expect(tickets[1].body).toContain('- **Result:** succeeded');
  expect(tickets[1].body).toContain('deployed deploy');
  expect(await outboxRows(job.number)).toEqual([
    { kind: 'job.ticket_start', status: 'sent', dedupeKey: `job-ticket:${job.number}:start` },
    { kind: 'job.ticket_success', status: 'sent', dedupeKey: `job-ticket:${job.number}:success` },
  ]);

  // A retried row (the worker died after creating the ticket, before settling the row) opens nothing new.
  await s.app.db.manager.update(OutboxMessage, { refId: job.number, kind: In(['job.ticket_start', 'job.ticket_success']) as never }, { status: OutboxStatus.PENDING, availableAt: new Date(Date.now() - 1000), sentAt: null });
  expect((await settledTickets(job as { id: string; number: number })).map((t) => t.subject)).toEqual([`Job #${job.number} started (Deploy app)`, `Job #${job.number} succeeded (Deploy app)`]);
  const retried = await s.app.db.manager.find(OutboxMessage, { where: { refId: job.number }, order: { id: 'ASC' } });
  expect(retried.filter((r) => r.kind.startsWith('job.ticket')).map((r) => [r.status, r.lastError])).toEqual([
    ['skipped', "the ticket about this job's start exists"],
    ['skipped', "the ticket about this job's success exists"],
  ]);
});

test("actions with tags fire only for jobs carrying one of them (the ticket event's tags override the event's); a failure opens the failure ticket", async () => {
  const eventId = await nodeEvent(s, 'nightly-check', `console.error('check failed: disk at 97%'); process.exit(Number(process.env.PARAM_CODE ?? 0))`, {
    title: 'Nightly check', tags: ['deploy'], fields: [{ name: 'code', type: 'INTEGER', default: 0 }],
    ticketActions: [{ on: 'SUCCESS', tags: ['nightly'] }, { on: 'FAILURE', tags: ['nightly', 'other'] }],
  });
  const number = await ticket('Nightly checks');

  // Tags deploy: no action matches, no ticket row is queued (it would be queued with the transition).
  const plain = await waitForJob(s, (await run(s, await addTicketEvent(s, number, eventId), {}, alice)).id);
  expect(plain.status).toBe('SUCCEEDED');
  expect(await outboxRows(plain.number)).toEqual([]);

  const nightlyStub = await addTicketEvent(s, number, eventId, { tags: ['nightly'] });
  const ok = await waitForJob(s, (await run(s, nightlyStub, {}, alice)).id);
  expect(ok).toMatchObject({ status: 'SUCCEEDED', tags: ['nightly'] });
  expect((await settledTickets(ok as { id: string; number: number })).map((t) => [t.subject, t.tags, t.origin.details.trigger])).toEqual([
    [`Job #${ok.number} succeeded (Nightly check)`, [{ key: 'nightly' }], 'success'],
  ]);

  const failed = await waitForJob(s, (await run(s, nightlyStub, { params: { code: 3 } }, alice)).id);
  expect(failed).toMatchObject({ status: 'FAILED', code: 3 });
  const [failure] = await settledTickets(failed as { id: string; number: number });
  expect(failure.subject).toBe(`Job #${failed.number} failed with code: 3 (Nightly check)`);
  expect(failure.body).toContain('**Error:** Exited with code 3');
  expect(failure.body).toContain('check failed: disk at 97%');
  expect(failure.origin.details).toEqual({ event: 'nightly-check', ticket: number, trigger: 'failure' });
  expect(await outboxRows(failed.number)).toEqual([{ kind: 'job.ticket', status: 'sent', dedupeKey: `job-ticket:${failed.number}` }]);
});
