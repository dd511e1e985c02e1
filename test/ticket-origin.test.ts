import { CREATE } from './helpers/documents';
import { addTicketEvent, nodeEvent, run, waitForJob } from './helpers/jobs';
import { startTestServer, type TestServer } from './helpers/test-server';

/* Tickets opened by jobs and alerts: exact subjects and bodies, origins both ways, access. */

let s: TestServer;
let reporter: string;

const FROM_JOB = `mutation($i: TicketCreateFromJobInput!) { ticketCreateFromJob(input: $i) {
  ticket { number subject body server category { key } tags { key } creator { username } origin { kind sourceId details job { number } alert { id } } }
  userErrors { field code message } } }`;
const FROM_ALERT = `mutation($i: TicketCreateFromAlertInput!) { ticketCreateFromAlert(input: $i) {
  ticket { number subject body server tags { key } origin { kind sourceId details alert { id } } }
  userErrors { field code message } } }`;

const ANSI_LOG = Array.from({ length: 25 }, (_, i) => `\u001b[32mline ${i + 1}\u001b[0m`).join('\n');

beforeAll(async () => {
  s = await startTestServer({ OUTBOX_POLL_MS: '50' });
  await s.gql(`mutation { categoryCreate(input: { key: "database", title: "Database" }) { userErrors { message } } }`);
  await s.gql(`mutation { tagCreate(input: { key: "nightly" }) { userErrors { message } } }`);
  reporter = await s.user('reporter', ['CREATE_TICKETS']);
});
afterAll(async () => s?.close());

test('a failed external job: subject, body with facts, error, links and the 10+10 log excerpt', async () => {
  const res = await s.gql(
    FROM_JOB,
    {
      i: {
        job: {
          id: 'jmk2x9',
          code: 1,
          eventTitle: 'Nightly *backup*',
          category: 'database',
          server: 'db-1',
          tags: ['nightly', 'not-a-tag'],
          startedAt: '2026-11-23T02:00:00.000Z',
          completedAt: '2026-11-23T03:02:05.000Z',
          description: 'pg_dump: error: connection to <server> lost',
          log: ANSI_LOG,
        },
        links: [{ title: 'Job details', url: 'https://ops.example.com/job/jmk2x9' }],
      },
    },
    reporter,
  );
  expect(res.data.ticketCreateFromJob.userErrors).toEqual([]);
  const t = res.data.ticketCreateFromJob.ticket;
  expect(t.subject).toBe('Job #jmk2x9 failed with code: 1 (Nightly *backup*)');
  expect(t.body).toBe(
    [
      '## Job #jmk2x9 failed with code: 1 (Nightly \\*backup\\*)',
      '',
      '- **Job:** #jmk2x9',
      '- **Event:** Nightly \\*backup\\*',
      '- **Result:** failed with code 1',
      '- **Category:** database',
      '- **Server:** db-1',
      '- **Started:** 2026-11-23T02:00:00.000Z',
      '- **Completed:** 2026-11-23T03:02:05.000Z',
      '- **Elapsed:** 1h 2m 5s',
      '',
      '**Error:** pg\\_dump: error: connection to \\<server\\> lost',
      '',
      '**Links:** [Job details](<https://ops.example.com/job/jmk2x9>)',
      '',
      '### Log excerpt',
      '',
      '```text',
      ...Array.from({ length: 10 }, (_, i) => `line ${i + 1}`),
      '[... 5 lines snipped ...]',
      ...Array.from({ length: 10 }, (_, i) => `line ${i + 16}`),
      '```',
    ].join('\n'),
  );
  expect(t).toMatchObject({
    server: 'db-1',
    category: { key: 'database' },
    tags: [{ key: 'nightly' }],
    creator: { username: 'reporter' },
    origin: { kind: 'EXTERNAL_JOB', sourceId: 'jmk2x9', details: { eventTitle: 'Nightly *backup*', code: 1, server: 'db-1' }, job: null, alert: null },
  });
});

test('a succeeded job of ours: subject and body from the job; the job lists the ticket', async () => {
  const eventId = await nodeEvent(s, 'report', `console.log('all good')`, { title: 'Weekly report', categoryKey: 'database' });
  const launched = await s.gql(CREATE, { input: { subject: 'Reports' } });
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, launched.data.ticketCreate.ticket.number, eventId))).id);
  const res = await s.gql(FROM_JOB, { i: { jobId: job.id, tags: ['nightly'] } }, reporter);
  expect(res.data.ticketCreateFromJob.userErrors).toEqual([]);
  const t = res.data.ticketCreateFromJob.ticket;
  expect(t.subject).toBe(`Job #${job.number} succeeded (Weekly report)`);
  const lines = t.body.split('\n');
  expect(lines.slice(0, 5)).toEqual([`## Job #${job.number} succeeded (Weekly report)`, '', `- **Job:** #${job.number}`, '- **Event:** Weekly report', '- **Result:** succeeded']);
  expect(t.body).toContain(`- **Server:** ${job.server}`);
  expect(t.body).toContain('### Log excerpt\n\n```text\nall good\n```');
  expect(t.origin).toEqual({ kind: 'JOB', sourceId: String(job.number), details: { event: 'report', ticket: launched.data.ticketCreate.ticket.number }, job: { number: job.number }, alert: null });
  const listed = await s.gql(`query($id: ID!) { job(id: $id) { tickets { edges { node { number } } } } }`, { id: job.id });
  expect(listed.data.job.tickets.edges).toEqual([{ node: { number: t.number } }]);
});

test('ticketCreateFromJob: exactly one of jobId and job; unfinished jobs refused; bad links named', async () => {
  const both = await s.gql(FROM_JOB, { i: { jobId: 'x', job: { id: '1', eventTitle: 'E' } } }, reporter);
  expect(both.data.ticketCreateFromJob.userErrors).toEqual([{ field: ['input'], code: 'INVALID', message: 'Give either jobId (one of our jobs) or job (a job run elsewhere), not both or neither' }]);
  const links = await s.gql(FROM_JOB, { i: { job: { id: '1', eventTitle: 'E', code: 0 }, links: [{ title: 'x', url: 'javascript:alert(1)' }] } }, reporter);
  expect(links.data.ticketCreateFromJob.userErrors).toEqual([{ field: ['input', 'links', '0'], code: 'INVALID', message: 'Each link needs a title (1-200 characters) and an http(s) URL' }]);
  const eventId = await nodeEvent(s, 'slow', `setTimeout(() => {}, 60000)`);
  const t = await s.gql(CREATE, { input: { subject: 'Slow' } });
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, t.data.ticketCreate.ticket.number, eventId))).id, ['RUNNING']);
  const early = await s.gql(FROM_JOB, { i: { jobId: job.id } }, reporter);
  expect(early.data.ticketCreateFromJob.userErrors).toEqual([{ field: ['input', 'jobId'], code: 'INVALID', message: `Job #${job.number} has not finished yet (running)` }]);
  await s.gql(`mutation($id: ID!) { jobCancel(id: $id) { userErrors { message } } }`, { id: job.id });
  const viewer = await s.user('viewer', []);
  expect((await s.gql(FROM_JOB, { i: { job: { id: '1', eventTitle: 'E' } } }, viewer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
});

test('an alert: subject, body with message, facts, expression, links and active jobs; Alert.tickets lists it', async () => {
  const res = await s.gql(
    FROM_ALERT,
    {
      i: {
        alert: {
          id: 'alert-7f3',
          title: 'High CPU',
          message: 'CPU above 90% for 5 minutes\n# not a heading',
          server: 'web-3',
          expression: 'cpu.usage > 90 && `load` > 4',
          firedAt: '2026-11-23T09:15:00.000Z',
          activeJobs: [{ id: 'j1', title: 'Log rotate', server: 'web-3', startedAt: '2026-11-23T09:10:00.000Z' }, { id: 'j2', title: 'Backup' }],
        },
        tags: ['nightly'],
        links: [{ title: 'Alert', url: 'https://ops.example.com/alerts/alert-7f3' }, { title: 'Server', url: 'https://ops.example.com/servers/web-3' }],
      },
    },
    reporter,
  );
  expect(res.data.ticketCreateFromAlert.userErrors).toEqual([]);
  const t = res.data.ticketCreateFromAlert.ticket;
  expect(t.subject).toBe('Alert: High CPU on web-3');
  expect(t.body).toBe(
    [
      '## Alert: High CPU on web-3',
      '',
      'CPU above 90% for 5 minutes  ',
      '\\# not a heading',
      '',
      '- **Alert:** alert-7f3',
      '- **Server:** web-3',
      '- **Fired:** 2026-11-23T09:15:00.000Z',
      '- **Expression:** `` cpu.usage > 90 && `load` > 4 ``',
      '',
      '**Links:** [Alert](<https://ops.example.com/alerts/alert-7f3>) · [Server](<https://ops.example.com/servers/web-3>)',
      '',
      '### Active jobs',
      '',
      '- Job #j1: Log rotate (web-3, started 2026-11-23T09:10:00.000Z)',
      '- Job #j2: Backup',
    ].join('\n'),
  );
  expect(t).toMatchObject({ server: 'web-3', tags: [{ key: 'nightly' }], origin: { kind: 'ALERT', sourceId: 'alert-7f3', alert: { id: 'alert-7f3' } } });

  // The ops graph reaches the tickets of an alert through the entity.
  const entities = await s.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Alert { id tickets { totalCount edges { node { number subject } } } } } }`, {
    r: [{ __typename: 'Alert', id: 'alert-7f3' }, { __typename: 'Alert', id: 'no-such-alert' }],
  });
  expect(entities.data._entities).toEqual([
    { id: 'alert-7f3', tickets: { totalCount: 1, edges: [{ node: { number: t.number, subject: 'Alert: High CPU on web-3' } }] } },
    { id: 'no-such-alert', tickets: { totalCount: 0, edges: [] } },
  ]);
});

test('an alert with no active jobs says so; required facts are checked', async () => {
  const res = await s.gql(FROM_ALERT, { i: { alert: { id: 'a2', title: 'Disk', server: 'db-9', firedAt: '2026-11-23T10:00:00.000Z' } } }, reporter);
  expect(res.data.ticketCreateFromAlert.ticket.body.endsWith('### Active jobs\n\nNone.')).toBe(true);
  const bad = await s.gql(FROM_ALERT, { i: { alert: { id: ' ', title: '', server: 'db-9', firedAt: '2026-11-23T10:00:00.000Z' } } }, reporter);
  expect(bad.data.ticketCreateFromAlert.userErrors).toEqual([
    { field: ['input', 'alert', 'id'], code: 'INVALID', message: 'id (the alert invocation) must be 1-100 characters' },
    { field: ['input', 'alert', 'title'], code: 'INVALID', message: 'title must be 1-200 characters' },
  ]);
});

test('Job is an entity of the ops graph: resolved by id with the visibility of a direct query', async () => {
  const eventId = await nodeEvent(s, 'entity', 'process.exit(0)');
  const t = await s.gql(CREATE, { input: { subject: 'Entity' } });
  const job = await waitForJob(s, (await run(s, await addTicketEvent(s, t.data.ticketCreate.ticket.number, eventId))).id);
  const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Job { number status ticket { number } } } }`;
  const r = [{ __typename: 'Job', id: job.id }, { __typename: 'Job', id: 'Sm9iOjk5OTk5' }];
  expect((await s.gql(q, { r })).data._entities).toEqual([{ number: job.number, status: 'SUCCEEDED', ticket: { number: t.data.ticketCreate.ticket.number } }, null]);
  expect((await s.gql(q, { r }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const outsider = await s.user('outsider', ['CREATE_TICKETS'], { categories: ['database'] });
  expect((await s.gql(q, { r }, outsider)).data?._entities).toEqual([null, null]);
});
