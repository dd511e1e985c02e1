import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config';
import { rowIdOf } from '../src/graphql/global-id';
import { createApp } from '../src/http/app';
import { CREATE } from './helpers/documents';
import { addTicketEvent, nodeEvent, run, TICKET_EVENT_ADD, TICKET_EVENT_RUN, waitForJob } from './helpers/jobs';
import { multipartRequest } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { eventually, wsClient } from './helpers/ws-client';

/* Ticket events run by the local runner: real child processes, real files, both databases. */

let s: TestServer;
let alice: string;
const jobsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-jobs-'));
const ENV = { OUTBOX_POLL_MS: '50', JOBS_DIR: jobsDir, JOB_KILL_GRACE_MS: '200', INSTANCE_ID: 'jobs-test-a' };

async function ticket(subject = 'Release 1.2'): Promise<number> {
  const res = await s.gql(CREATE, { input: { subject, type: 'RELEASE' } });
  return res.data.ticketCreate.ticket.number;
}

async function history(number: number): Promise<{ type: string; oldValue: string | null; newValue: string | null; body: string | null; job: { number: number } | null }[]> {
  const res = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(first: 100, types: [JOB]) { edges { node { type oldValue newValue body job { number } } } } } }`, { id: String(number) });
  return res.data.ticket.changes.edges.map((e: any) => e.node);
}

beforeAll(async () => {
  s = await startTestServer(ENV);
  alice = await s.user('alice');
});
afterAll(async () => {
  await s?.close();
  fs.rmSync(jobsDir, { recursive: true, force: true });
});

test('a successful run: parameters as environment variables, output files attached to the ticket, every status in the history', async () => {
  const eventId = await nodeEvent(
    s,
    'deploy',
    `const fs = require('fs'); console.log('deploying', process.env.PARAM_VERSION, 'to', process.env.JOB_TARGETS);
     fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/deploy-report.txt', 'deployed ' + process.env.PARAM_VERSION);`,
    { targets: ['web-1'], algo: 'first', tags: ['deploy'], fields: [{ name: 'version', type: 'STRING', required: true, pattern: '\\d+\\.\\d+' }, { name: 'dry_run', type: 'BOOLEAN', default: false }] },
  );
  const number = await ticket();
  const stub = await addTicketEvent(s, number, eventId, { params: { version: '1.1' }, targets: ['web-2'] });
  const queued = await run(s, stub, { params: { version: '1.2' } }, alice);
  expect(queued).toMatchObject({ status: 'QUEUED', targets: ['web-2'], algo: 'first', tags: ['deploy'], params: { version: '1.2', dry_run: false }, ticket: { number } });

  const job = await waitForJob(s, queued.id);
  expect(job).toMatchObject({ status: 'SUCCEEDED', code: 0, description: null, server: os.hostname() });
  expect(job.logExcerpt).toBe('deploying 1.2 to web-2');
  expect(job.outputFiles.map((f: any) => f.filename)).toEqual(['deploy-report.txt']);
  expect(job.elapsed).toBeGreaterThanOrEqual(0);
  expect(job.startedAt <= job.completedAt).toBe(true);

  const t = await s.gql(`query($id: ID!) { ticket(id: $id) { files { filename size } jobs { totalCount edges { node { id status } } } events { id params } } }`, { id: String(number) });
  expect(t.data.ticket.files).toEqual([{ filename: 'deploy-report.txt', size: 'deployed 1.2'.length }]);
  expect(t.data.ticket.jobs.totalCount).toBe(1);
  expect(t.data.ticket.events).toEqual([{ id: stub, params: { version: '1.1' } }]);
  expect(await history(number)).toEqual([
    { type: 'JOB', oldValue: null, newValue: 'queued', body: null, job: { number: job.number } },
    { type: 'JOB', oldValue: 'queued', newValue: 'running', body: null, job: { number: job.number } },
    { type: 'JOB', oldValue: 'running', newValue: 'succeeded', body: null, job: { number: job.number } },
  ]);
  // The job's working directory goes once its outputs are stored (just after the job is final).
  await eventually('the working directory is removed', () => fs.readdirSync(jobsDir).length === 0);
});

test('a failing run keeps its exit code, says why, and ANSI output is stripped from the excerpt', async () => {
  const eventId = await nodeEvent(s, 'fail', `console.log('\\u001b[31mboom\\u001b[0m'); process.exit(3)`);
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), eventId))).id);
  expect(job).toMatchObject({ status: 'FAILED', code: 3, description: 'Exited with code 3', logExcerpt: 'boom' });
  expect(job.log).toContain('\u001b[31m');
});

test('a run past its timeout is stopped, process group and all, and fails', async () => {
  const eventId = await nodeEvent(s, 'hang', `console.log('started'); setTimeout(() => {}, 60000)`, { timeoutSeconds: 1 });
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), eventId))).id);
  expect(job).toMatchObject({ status: 'FAILED', code: null, description: 'Timed out after 1s', logExcerpt: 'started' });
});

test("input files are the ticket's files, earlier jobs' outputs included (chaining), in a fresh working directory", async () => {
  const number = await ticket('Chained release');
  const up = await multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $f: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $f) { files { id filename } userErrors { message } } }`, { t: String(number), f: [null] }, [
    { path: 'variables.f.0', filename: 'build.conf', type: 'text/plain', content: 'level=3' },
  ]);
  expect(up.body.data.ticketFilesUpload.userErrors).toEqual([]);
  const build = await nodeEvent(s, 'build', `const fs = require('fs'); fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/artifact.bin', 'built with ' + fs.readFileSync('build.conf', 'utf8'));`);
  const test = await nodeEvent(s, 'test', `const fs = require('fs'); console.log(fs.readdirSync('.').sort().join(',')); console.log(fs.readFileSync('artifact.bin', 'utf8'));`);
  const first = await waitForJob(s, (await run(s, await addTicketEvent(s, number, build))).id);
  expect(first.status).toBe('SUCCEEDED');
  expect(first.inputFiles.map((f: any) => f.filename)).toEqual(['build.conf']);

  const second = await waitForJob(s, (await run(s, await addTicketEvent(s, number, test))).id);
  expect(second.status).toBe('SUCCEEDED');
  expect(second.inputFiles.map((f: any) => f.filename)).toEqual(['build.conf', 'artifact.bin']);
  expect(second.logExcerpt).toBe('artifact.bin,build.conf,outputs\nbuilt with level=3');

  // A subset of the ticket's files, by id.
  const only = await waitForJob(s, (await run(s, await addTicketEvent(s, number, test), { inputFileIds: [first.outputFiles[0].id] })).id);
  expect(only.inputFiles.map((f: any) => f.filename)).toEqual(['artifact.bin']);
  expect(only.logExcerpt).toBe('artifact.bin,outputs\nbuilt with level=3');
});

test('parameters are checked against the event fields when a ticket event is saved and when it runs', async () => {
  const eventId = await nodeEvent(s, 'scale', 'process.exit(0)', {
    fields: [
      { name: 'version', type: 'STRING', required: true, pattern: 'v\\d+' },
      { name: 'replicas', type: 'INTEGER', min: 1, max: 10 },
    ],
  });
  const number = await ticket();
  const add = (params: Record<string, unknown>) => s.gql(TICKET_EVENT_ADD, { t: String(number), i: { eventId, params } });
  expect((await add({})).data.ticketEventAdd).toEqual({ ticketEvent: null, userErrors: [{ field: ['input', 'params', 'version'], code: 'BLANK', message: "Parameter 'version' is required" }] });
  expect((await add({ version: '1.0', replicas: 11, color: 'red' })).data.ticketEventAdd.userErrors).toEqual([
    { field: ['input', 'params', 'color'], code: 'INVALID', message: "Unknown parameter 'color' (the event takes version, replicas)" },
    { field: ['input', 'params', 'version'], code: 'INVALID', message: "Parameter 'version' must match v\\d+" },
    { field: ['input', 'params', 'replicas'], code: 'INVALID', message: "Parameter 'replicas' must be at most 10" },
  ]);
  expect((await add({ version: 'v2', replicas: 'three' })).data.ticketEventAdd.userErrors).toEqual([
    { field: ['input', 'params', 'replicas'], code: 'INVALID', message: "Parameter 'replicas' must be an integer" },
  ]);
  const stub = await addTicketEvent(s, number, eventId, { params: { version: 'v2' } });
  const bad = await s.gql(TICKET_EVENT_RUN, { id: stub, i: { params: { replicas: 0 } } });
  expect(bad.data.ticketEventRun).toEqual({ job: null, userErrors: [{ field: ['input', 'params', 'replicas'], code: 'INVALID', message: "Parameter 'replicas' must be at least 1" }] });
  const t = await s.gql(`query($id: ID!) { ticket(id: $id) { jobs { totalCount } } }`, { id: String(number) });
  expect(t.data.ticket.jobs.totalCount).toBe(0);
});

test('event definitions: admins only, with clear errors; the command never runs through a shell', async () => {
  const denied = await s.gql(`mutation { eventCreate(input: { key: "x", title: "X", runner: LOCAL, command: ["true"] }) { userErrors { message } } }`, {}, alice);
  expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const bad = await s.gql(`mutation { eventCreate(input: { key: "bad key", runner: HTTP, url: "ftp://x", fields: [{ name: "1x", type: STRING, pattern: "(" }] }) { event { id } userErrors { field code message } } }`);
  expect(bad.data.eventCreate.userErrors).toEqual([
    { field: ['input', 'key'], code: 'INVALID', message: 'key must be 1-64 letters, digits, "-" or "_", starting with a letter or digit' },
    { field: ['input', 'title'], code: 'BLANK', message: 'title is required' },
    { field: ['input', 'url'], code: 'INVALID', message: expect.stringMatching(/^url must use http or https: /) },
    { field: ['input', 'fields', '0', 'name'], code: 'INVALID', message: "Parameter name '1x' must be letters, digits and underscores, starting with a letter or underscore" },
    { field: ['input', 'fields', '0', 'pattern'], code: 'INVALID', message: "Parameter '1x': the pattern is not a valid regular expression" },
  ]);
  // A parameter value full of shell syntax reaches the program as data.
  const echo = await nodeEvent(s, 'echo', `console.log(JSON.stringify(process.env.PARAM_NAME))`, { fields: [{ name: 'name', type: 'STRING' }] });
  // Only admins see what an event runs.
  const seen = `{ events { key command url } }`;
  expect((await s.gql(seen)).data.events.find((e: any) => e.key === 'echo').command).toEqual([process.execPath, '-e', expect.any(String)]);
  expect((await s.gql(seen, {}, alice)).data.events.find((e: any) => e.key === 'echo')).toEqual({ key: 'echo', command: null, url: null });
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), echo), { params: { name: '$(touch /tmp/pwned); `id` && rm -rf /' } })).id);
  expect(job.logExcerpt).toBe(JSON.stringify('$(touch /tmp/pwned); `id` && rm -rf /'));
});

test("the server's own environment (secrets, database URL) does not reach jobs", async () => {
  process.env.TG_TEST_SECRET = 'must-not-leak';
  try {
    const envDump = await nodeEvent(s, 'env', `console.log(Object.keys(process.env).sort().join(' '))`);
    const job = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), envDump))).id);
    expect(job.logExcerpt).not.toContain('TG_TEST_SECRET');
    expect(job.logExcerpt).toContain('JOB_OUTPUT_DIR');
    expect(job.logExcerpt).toContain('TICKET_NUMBER');
  } finally {
    delete process.env.TG_TEST_SECRET;
  }
});

test('a missing program fails the job with the reason', async () => {
  const res = await s.gql(`mutation { eventCreate(input: { key: "missing", title: "Missing", runner: LOCAL, command: ["/nonexistent/tool"] }) { event { id } } }`);
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), res.data.eventCreate.event.id))).id);
  expect(job).toMatchObject({ status: 'FAILED', code: null, description: 'Could not start /nonexistent/tool: ENOENT' });
});

test('jobCancel stops a running job; a finished job cannot be cancelled', async () => {
  const eventId = await nodeEvent(s, 'long', `console.log('working'); setTimeout(() => {}, 60000)`);
  const started = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), eventId))).id, ['RUNNING']);
  const cancel = await s.gql(`mutation($id: ID!) { jobCancel(id: $id) { job { status description } userErrors { message } } }`, { id: started.id }, alice);
  expect(cancel.data.jobCancel).toEqual({ job: { status: 'CANCELLED', description: 'Cancelled by alice' }, userErrors: [] });
  const done = await waitForJob(s, started.id);
  expect(done.status).toBe('CANCELLED');
  const again = await s.gql(`mutation($id: ID!) { jobCancel(id: $id) { job { status } userErrors { message } } }`, { id: started.id });
  expect(again.data.jobCancel.userErrors).toEqual([{ message: `Job #${started.number} has already finished (cancelled)` }]);
});

test('a job left running by a crashed process is marked failed when that instance starts again', async () => {
  const eventId = await nodeEvent(s, 'sleeper', `setTimeout(() => {}, 60000)`);
  const running = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), eventId))).id, ['RUNNING']);
  // A second process with the same instance identity starts on the same database, as after a crash.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-data-'));
  const restarted = await createApp(loadConfig({ DATABASE_URL: s.db.url, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...ENV }), { startWorkers: false });
  await restarted.close();
  const job = await waitForJob(s, running.id);
  expect(job).toMatchObject({ status: 'FAILED', description: 'The server running this job stopped before the job finished (crash or restart)' });
  // The orphaned process's late end changes nothing (transitions are conditional).
  const killed = await s.gql(`mutation($id: ID!) { jobCancel(id: $id) { userErrors { message } } }`, { id: running.id });
  expect(killed.data.jobCancel.userErrors).toHaveLength(1);
  s.app.services.localRunner.stop(running.number, 'cancelled');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('an event set to open a ticket on failure does so once, with the job template', async () => {
  await s.gql(`mutation { categoryCreate(input: { key: "releases", title: "Releases" }) { userErrors { message } } }`);
  const eventId = await nodeEvent(s, 'smoke', `console.error('smoke test failed'); process.exit(2)`, { ticketOnFailure: true, categoryKey: 'releases', title: 'Smoke test' });
  const number = await ticket();
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, number, eventId), {}, alice)).id);
  let tickets: any;
  for (let i = 0; i < 100; i++) {
    tickets = (await s.gql(`query($id: ID!) { job(id: $id) { tickets { totalCount edges { node { subject creator { username } category { key } server origin { kind sourceId job { number } } } } } } }`, { id: job.id })).data.job.tickets;
    if (tickets.totalCount > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(tickets.totalCount).toBe(1);
  expect(tickets.edges[0].node).toEqual({
    subject: `Job #${job.number} failed with code: 2 (Smoke test)`,
    creator: { username: 'alice' },
    category: { key: 'releases' },
    server: os.hostname(),
    origin: { kind: 'JOB', sourceId: String(job.number), job: { number: job.number } },
  });
});

test('running needs edit_tickets, and drafts cannot run events', async () => {
  const viewer = await s.user('viewer', []);
  const eventId = await nodeEvent(s, 'noop', 'process.exit(0)');
  const stub = await addTicketEvent(s, await ticket(), eventId);
  const denied = await s.gql(TICKET_EVENT_RUN, { id: stub, i: {} }, viewer);
  expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const draft = await s.gql(CREATE, { input: { subject: 'Draft', status: 'DRAFT' } });
  const draftStub = await addTicketEvent(s, draft.data.ticketCreate.ticket.number, eventId);
  const refused = await s.gql(TICKET_EVENT_RUN, { id: draftStub, i: {} });
  expect(refused.data.ticketEventRun.userErrors).toEqual([{ field: ['id'], code: 'INVALID', message: 'Publish the draft before running its events' }]);
});

test('EVENTS_FILE defines events at start (created or updated by key); a bad file stops the start naming the problem', async () => {
  const file = path.join(jobsDir, '..', `events-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify([
    { key: 'restart-web', title: 'Restart web', runner: 'local', command: ['/bin/true'], targets: ['web-1'], fields: [{ name: 'graceful', type: 'boolean', default: true }] },
    { key: 'remote', title: 'Remote', runner: 'http', url: 'https://ops.example.com/api/run_event', secret: 's'.repeat(32) },
  ]));
  const other = await startTestServer({ ...ENV, EVENTS_FILE: file });
  try {
    const events = await other.gql(`{ events { key title runner targets hasSecret fields { name type default } } }`);
    expect(events.data.events).toEqual([
      { key: 'remote', title: 'Remote', runner: 'HTTP', targets: [], hasSecret: true, fields: [] },
      { key: 'restart-web', title: 'Restart web', runner: 'LOCAL', targets: ['web-1'], hasSecret: false, fields: [{ name: 'graceful', type: 'BOOLEAN', default: true }] },
    ]);
  } finally {
    await other.close();
  }
  fs.writeFileSync(file, JSON.stringify([{ key: 'broken', title: 'Broken', runner: 'local' }]));
  await expect(startTestServer({ ...ENV, EVENTS_FILE: file })).rejects.toThrow(`EVENTS_FILE ${file}, event 0 (broken): input.command: A local event needs a command`);
  fs.rmSync(file);
});

test("jobs launched by a running job belong to the parent's ticket", async () => {
  const deploy = await nodeEvent(s, 'deploy-parent', `setTimeout(() => {}, 60000)`);
  const smoke = await nodeEvent(s, 'smoke-child', `console.log('smoke ok', process.env.PARAM_URL, process.env.TICKET_NUMBER)`, { fields: [{ name: 'url', type: 'STRING', required: true }] });
  const number = await ticket('Parent and child');
  const parent = await waitForJob(s, (await run(s, await addTicketEvent(s, number, deploy))).id, ['RUNNING']);
  const LAUNCH = `mutation($p: ID!, $i: JobLaunchInput!) { jobLaunch(parentJobId: $p, input: $i) { job { id status ticket { number } parentJob { number } ticketEvent { id } } userErrors { field code message } } }`;
  const missing = await s.gql(LAUNCH, { p: parent.id, i: { eventId: smoke } }, alice);
  expect(missing.data.jobLaunch.userErrors).toEqual([{ field: ['input', 'params', 'url'], code: 'BLANK', message: "Parameter 'url' is required" }]);
  const launched = await s.gql(LAUNCH, { p: parent.id, i: { eventId: smoke, params: { url: 'https://web-1/health' } } }, alice);
  expect(launched.data.jobLaunch).toEqual({ job: { id: expect.any(String), status: 'QUEUED', ticket: { number }, parentJob: { number: parent.number }, ticketEvent: null }, userErrors: [] });
  const child = await waitForJob(s, launched.data.jobLaunch.job.id);
  expect(child).toMatchObject({ status: 'SUCCEEDED', logExcerpt: `smoke ok https://web-1/health ${number}` });
  const jobs = await s.gql(`query($id: ID!) { ticket(id: $id) { jobs { edges { node { number } } } } }`, { id: String(number) });
  expect(jobs.data.ticket.jobs.edges.map((e: any) => e.node.number)).toEqual([child.number, parent.number]);

  await s.gql(`mutation($id: ID!) { jobCancel(id: $id) { userErrors { message } } }`, { id: parent.id });
  const late = await s.gql(LAUNCH, { p: parent.id, i: { eventId: smoke, params: { url: 'x' } } }, alice);
  expect(late.data.jobLaunch.userErrors).toEqual([{ field: ['parentJobId'], code: 'INVALID', message: `Job #${parent.number} is not running (cancelled): only a running job launches others` }]);
});

test('ticketEventRun with a clientMutationId: a retry returns the first job and launches nothing', async () => {
  const eventId = await nodeEvent(s, 'once', 'process.exit(0)', { fields: [{ name: 'n', type: 'INTEGER' }] });
  const number = await ticket('Idempotent run');
  const stub = await addTicketEvent(s, number, eventId);
  const RUN = `mutation($id: ID!, $i: TicketEventRunInput) { ticketEventRun(id: $id, input: $i) { clientMutationId job { id } userErrors { field code message } } }`;
  const first = await s.gql(RUN, { id: stub, i: { params: { n: 1 }, clientMutationId: 'run-1' } }, alice);
  const retry = await s.gql(RUN, { id: stub, i: { params: { n: 1 }, clientMutationId: 'run-1' } }, alice);
  expect(retry.data.ticketEventRun).toEqual(first.data.ticketEventRun);
  expect(first.data.ticketEventRun.clientMutationId).toBe('run-1');
  const reused = await s.gql(RUN, { id: stub, i: { params: { n: 2 }, clientMutationId: 'run-1' } }, alice);
  expect(reused.data.ticketEventRun.userErrors[0]).toMatchObject({ field: ['input', 'clientMutationId'], code: 'IDEMPOTENCY_KEY_REUSED' });
  const jobs = await s.gql(`query($id: ID!) { ticket(id: $id) { jobs { totalCount } } }`, { id: String(number) });
  expect(jobs.data.ticket.jobs.totalCount).toBe(1);
});

test('job events reach ticketUpdated subscribers as they happen, with the job on each entry', async () => {
  const eventId = await nodeEvent(s, 'watched', `console.log('hi')`);
  const number = await ticket('Watched release');
  const stub = await addTicketEvent(s, number, eventId);
  const ws = wsClient(s.url, { Authorization: `Bearer ${alice}` });
  try {
    const sub = ws.subscribe(`subscription($id: ID!) { ticketUpdated(id: $id) { change { type oldValue newValue job { number } } } }`, { id: String(number) });
    // The subscription is live once the server counts it.
    for (let i = 0; i < 200 && s.app.services.ticketStream.subscriberCount === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const job = await run(s, stub, {}, alice);
    const events = (await sub.waitFor(3)).map((e: any) => e.ticketUpdated.change);
    expect(events).toEqual([
      { type: 'JOB', oldValue: null, newValue: 'queued', job: { number: job.number } },
      { type: 'JOB', oldValue: 'queued', newValue: 'running', job: { number: job.number } },
      { type: 'JOB', oldValue: 'running', newValue: 'succeeded', job: { number: job.number } },
    ]);
  } finally {
    await ws.dispose();
  }
});

test('ticket events take expectedVersion: a stale one is CONFLICT and changes nothing', async () => {
  const eventId = await nodeEvent(s, 'versioned', 'process.exit(0)');
  const number = await ticket('Versioned events');
  const v = (await s.gql(`query($id: ID!) { ticket(id: $id) { version } }`, { id: String(number) })).data.ticket.version;
  const stale = await s.gql(TICKET_EVENT_ADD, { t: String(number), i: { eventId, expectedVersion: v - 1 } });
  expect(stale.data.ticketEventAdd.userErrors.map((e: any) => e.code)).toEqual(['CONFLICT']);
  const added = await s.gql(TICKET_EVENT_ADD, { t: String(number), i: { eventId, expectedVersion: v } });
  expect(added.data.ticketEventAdd.userErrors).toEqual([]);
  const REMOVE = `mutation($id: ID!, $v: Int) { ticketEventRemove(id: $id, expectedVersion: $v) { deletedId userErrors { code } } }`;
  expect((await s.gql(REMOVE, { id: added.data.ticketEventAdd.ticketEvent.id, v })).data.ticketEventRemove).toEqual({ deletedId: null, userErrors: [{ code: 'CONFLICT' }] });
  const t = await s.gql(`query($id: ID!) { ticket(id: $id) { version events { id } } }`, { id: String(number) });
  expect(t.data.ticket).toEqual({ version: v + 1, events: [{ id: added.data.ticketEventAdd.ticketEvent.id }] });
});

test('event management refusals: unknown id, taken key, delete while jobs exist (disable instead), disabled events do not run', async () => {
  const UPDATE_EVENT = `mutation($id: ID!, $i: EventInput!) { eventUpdate(id: $id, input: $i) { event { key enabled } userErrors { field code message } } }`;
  const DELETE_EVENT = `mutation($id: ID!) { eventDelete(id: $id) { deletedId userErrors { field code message } } }`;
  expect((await s.gql(UPDATE_EVENT, { id: 'RXZlbnQ6OTk5OQ', i: { title: 'x' } })).data.eventUpdate).toEqual({ event: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: 'No such event' }] });
  const used = await nodeEvent(s, 'used', 'process.exit(0)');
  const spare = await nodeEvent(s, 'spare', 'process.exit(0)');
  expect((await s.gql(UPDATE_EVENT, { id: spare, i: { key: 'used' } })).data.eventUpdate.userErrors).toEqual([{ field: ['input', 'key'], code: 'TAKEN', message: 'An event with key used exists' }]);

  const number = await ticket('Event lifecycle');
  const stub = await addTicketEvent(s, number, used);
  await waitForJob(s, (await run(s, stub)).id);
  expect((await s.gql(DELETE_EVENT, { id: used })).data.eventDelete).toEqual({
    deletedId: null,
    userErrors: [{ field: ['id'], code: 'IN_USE', message: 'Event used has jobs: disable it (enabled: false) instead of deleting it' }],
  });
  expect((await s.gql(UPDATE_EVENT, { id: used, i: { enabled: false } })).data.eventUpdate).toEqual({ event: { key: 'used', enabled: false }, userErrors: [] });
  expect((await s.gql(TICKET_EVENT_RUN, { id: stub, i: {} })).data.ticketEventRun.userErrors).toEqual([{ field: ['id'], code: 'INVALID', message: 'Event used is disabled' }]);

  // An event that never ran goes, with its ticket events.
  await addTicketEvent(s, number, spare);
  expect((await s.gql(DELETE_EVENT, { id: spare })).data.eventDelete).toEqual({ deletedId: spare, userErrors: [] });
  const left = await s.gql(`query($id: ID!) { ticket(id: $id) { events { event { key } } } }`, { id: String(number) });
  expect(left.data.ticket.events).toEqual([{ event: { key: 'used' } }]);
});

test('ticketEventUpdate: parameters checked again, overrides cleared with null, the event itself fixed', async () => {
  const eventId = await nodeEvent(s, 'tunable', 'process.exit(0)', { targets: ['web-1'], fields: [{ name: 'level', type: 'INTEGER', min: 1, max: 3 }] });
  const other = await nodeEvent(s, 'other', 'process.exit(0)');
  const stub = await addTicketEvent(s, await ticket(), eventId, { targets: ['web-9'], params: { level: 1 } });
  const UPDATE = `mutation($id: ID!, $i: TicketEventInput!) { ticketEventUpdate(id: $id, input: $i) { ticketEvent { targets params } userErrors { field code message } } }`;
  expect((await s.gql(UPDATE, { id: stub, i: { params: { level: 4 } } })).data.ticketEventUpdate.userErrors).toEqual([
    { field: ['input', 'params', 'level'], code: 'INVALID', message: "Parameter 'level' must be at most 3" },
  ]);
  expect((await s.gql(UPDATE, { id: stub, i: { eventId: other } })).data.ticketEventUpdate.userErrors).toEqual([
    { field: ['input', 'eventId'], code: 'INVALID', message: 'The event of a ticket event cannot change: remove it and add another' },
  ]);
  expect((await s.gql(UPDATE, { id: stub, i: { targets: null, params: { level: 2 } } })).data.ticketEventUpdate).toEqual({ ticketEvent: { targets: null, params: { level: 2 } }, userErrors: [] });
  const job = await run(s, stub);
  expect(job).toMatchObject({ targets: ['web-1'], params: { level: 2 } });
});

test("inputFileIds must name files of the run's ticket; outputs of a refused type are noted, not attached", async () => {
  const elsewhere = await ticket('Elsewhere');
  const up = await multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $f: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $f) { files { id } } }`, { t: String(elsewhere), f: [null] }, [
    { path: 'variables.f.0', filename: 'other.txt', type: 'text/plain', content: 'other' },
  ]);
  const foreign = up.body.data.ticketFilesUpload.files[0].id;
  const writer = await nodeEvent(s, 'writer', `const fs = require('fs'); fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/run.sh', 'echo hi'); fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/ok.txt', 'ok');`);
  const stub = await addTicketEvent(s, await ticket('Writer'), writer);
  const refused = await s.gql(TICKET_EVENT_RUN, { id: stub, i: { inputFileIds: [foreign] } });
  expect(refused.data.ticketEventRun.userErrors).toEqual([{ field: ['input', 'inputFileIds', '0'], code: 'NOT_FOUND', message: expect.stringMatching(/^File .+ is not a file of ticket #\d+$/) }]);
  const job = await waitForJob(s, (await run(s, stub)).id);
  expect(job.status).toBe('SUCCEEDED');
  expect(job.outputFiles.map((f: any) => f.filename)).toEqual(['ok.txt']);
  expect(job.description).toMatch(/^Output run\.sh: files of type application\/x-sh or \.sh are not accepted$/);
});

test('job(id) needs a signed-in caller and shows only jobs of visible tickets', async () => {
  await s.gql(`mutation { categoryCreate(input: { key: "ops" }) { userErrors { message } } }`);
  const eventId = await nodeEvent(s, 'visible', 'process.exit(0)');
  const job = await run(s, await addTicketEvent(s, await ticket('Uncategorized'), eventId));
  const JOB_ONLY = `query($id: ID!) { job(id: $id) { number } }`;
  expect((await s.gql(JOB_ONLY, { id: job.id }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const restricted = await s.user('restricted', ['EDIT_TICKETS'], { categories: ['ops'] });
  expect((await s.gql(JOB_ONLY, { id: job.id }, restricted)).data.job).toBeNull();
  expect((await s.gql(JOB_ONLY, { id: `#${job.number}` })).data.job).toEqual({ number: job.number });
});

test('LOCAL_RUNNER=false refuses local events', async () => {
  const other = await startTestServer({ ...ENV, LOCAL_RUNNER: 'false' });
  try {
    const r = await other.gql(`mutation { eventCreate(input: { key: "x", title: "X", runner: LOCAL, command: ["/bin/true"] }) { event { id } userErrors { field code message } } }`);
    expect(r.data.eventCreate).toEqual({ event: null, userErrors: [{ field: ['input', 'runner'], code: 'FORBIDDEN', message: 'The local runner is disabled on this server (LOCAL_RUNNER=false)' }] });
  } finally {
    await other.close();
  }
});

test("Ticket.jobs pages newest first in both directions, and a list of tickets' jobs costs the same statements for 1 or 3 tickets", async () => {
  const eventId = await nodeEvent(s, 'paged', 'process.exit(0)');
  const numbers: number[] = [];
  const jobsOf: Record<number, number[]> = {};
  for (let t = 0; t < 3; t++) {
    const number = await ticket(`Paged ${t}`);
    numbers.push(number);
    const stub = await addTicketEvent(s, number, eventId);
    jobsOf[number] = [];
    for (let i = 0; i < 3; i++) jobsOf[number].push((await waitForJob(s, (await run(s, stub)).id)).number);
  }
  const PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { ticket(id: $id) { jobs(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { number } } pageInfo { hasNextPage hasPreviousPage } } } }`;
  const n = numbers[0];
  const [a, b, c] = jobsOf[n];
  const first = (await s.gql(PAGE, { id: String(n), first: 2 })).data.ticket.jobs;
  expect(first.edges.map((e: any) => e.node.number)).toEqual([c, b]);
  expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
  const next = (await s.gql(PAGE, { id: String(n), first: 2, after: first.edges[1].cursor })).data.ticket.jobs;
  expect(next.edges.map((e: any) => e.node.number)).toEqual([a]);
  const back = (await s.gql(PAGE, { id: String(n), last: 1, before: next.edges[0].cursor })).data.ticket.jobs;
  expect(back.edges.map((e: any) => e.node.number)).toEqual([b]);

  const LIST = `query($n: [Int!]) { tickets(first: 10, filter: { number: { in: $n } }) { edges { node { number jobs(first: 2) { totalCount edges { node { number status } } } } } } }`;
  const one = await s.gql(LIST, { n: numbers.slice(0, 1) });
  const three = await s.gql(LIST, { n: numbers });
  expect(three.data.tickets.edges.map((e: any) => [e.node.jobs.totalCount, e.node.jobs.edges.length])).toEqual([[3, 2], [3, 2], [3, 2]]);
  expect(s.requests.get(three.requestId)?.sqlCount).toBe(s.requests.get(one.requestId)?.sqlCount);
});

test('NUL and control characters in targets, tags and parameters are refused at input, naming the field', async () => {
  const eventId = await nodeEvent(s, 'ctl', 'process.exit(0)', { fields: [{ name: 'note', type: 'STRING' }] });
  const number = await ticket();
  const add = (input: Record<string, unknown>) => s.gql(TICKET_EVENT_ADD, { t: String(number), i: { eventId, ...input } });
  expect((await add({ targets: ['web-1', 'web\u00002'] })).data.ticketEventAdd.userErrors).toEqual([
    { field: ['input', 'targets', '1'], code: 'INVALID', message: 'targets: "web\\u00002" contains a control character (NUL, line breaks and the like are not allowed)' },
  ]);
  expect((await add({ tags: ['ok', 'be\u0007ll'] })).data.ticketEventAdd.userErrors).toEqual([
    { field: ['input', 'tags', '1'], code: 'INVALID', message: 'tags: "be\\u0007ll" contains a control character (NUL, line breaks and the like are not allowed)' },
  ]);
  expect((await add({ params: { note: 'a\u0000b' } })).data.ticketEventAdd.userErrors).toEqual([
    { field: ['input', 'params', 'note'], code: 'INVALID', message: "Parameter 'note' must not contain NUL or control characters other than tabs and line breaks" },
  ]);
  // Multi-line text is an ordinary parameter value.
  const stub = await addTicketEvent(s, number, eventId, { params: { note: 'line 1\nline 2\tend' } });
  const run1 = await s.gql(TICKET_EVENT_RUN, { id: stub, i: { params: { note: 'x\u001by' } } });
  expect(run1.data.ticketEventRun.userErrors).toEqual([{ field: ['input', 'params', 'note'], code: 'INVALID', message: "Parameter 'note' must not contain NUL or control characters other than tabs and line breaks" }]);
  const event = await s.gql(`mutation($i: EventInput!) { eventCreate(input: $i) { event { id } userErrors { field code message } } }`, { i: { key: 'ctl2', title: 'Ctl', runner: 'LOCAL', command: ['true'], targets: ['a\rb'] } });
  expect(event.data.eventCreate.userErrors).toEqual([{ field: ['input', 'targets', '0'], code: 'INVALID', message: 'targets: "a\\rb" contains a control character (NUL, line breaks and the like are not allowed)' }]);
  const t = await s.gql(`query($id: ID!) { ticket(id: $id) { jobs { totalCount } } }`, { id: String(number) });
  expect(t.data.ticket.jobs.totalCount).toBe(0);
});

test('a job that cannot start (stored data the process launcher refuses) fails at once and leaves no folder', async () => {
  const eventId = await nodeEvent(s, 'legacy', 'process.exit(0)');
  const number = await ticket();
  const stub = await addTicketEvent(s, number, eventId, { targets: ['web-1'] });
  // Rows written before the input checks existed: a NUL in a target (spawn refuses it in the environment).
  await s.app.db.manager.query('UPDATE ticket_event SET targets = ? WHERE id = ?', [JSON.stringify(['web\u00001']), rowIdOf('TicketEvent', stub)]);
  const job = await waitForJob(s, (await run(s, stub)).id);
  expect(job.status).toBe('FAILED');
  expect(job.description).toMatch(/^Could not dispatch the job: The job cannot start: /);
  expect(fs.readdirSync(jobsDir).filter((n) => n.startsWith('job-'))).toEqual([]);
});

test('jobReport is refused for a local job: the local runner reports its real outcome', async () => {
  const release = path.join(jobsDir, 'release-report');
  const eventId = await nodeEvent(s, 'real-outcome', `const fs = require('fs'); const wait = () => fs.existsSync(${JSON.stringify(release)}) ? process.exit(5) : setTimeout(wait, 20); wait();`);
  const started = await waitForJob(s, (await run(s, await addTicketEvent(s, await ticket(), eventId))).id, ['RUNNING']);
  const REPORT = `mutation($id: ID!, $i: JobReportInput!) { jobReport(id: $id, input: $i) { job { status } userErrors { field code message } } }`;
  const report = await s.gql(REPORT, { id: started.id, i: { status: 'SUCCEEDED', code: 0 } }, alice);
  expect(report.data.jobReport).toEqual({
    job: null,
    userErrors: [{ field: ['id'], code: 'INVALID', message: `Job #${started.number} runs on the local runner, which reports its own outcome; only jobs of http events take reports (cancel it with jobCancel)` }],
  });
  fs.writeFileSync(release, '');
  expect(await waitForJob(s, started.id)).toMatchObject({ status: 'FAILED', code: 5 });
});
