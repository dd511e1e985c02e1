import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requestScope, type RequestScope } from '../src/common/request-scope';
import { Ticket } from '../src/entities/ticket.entity';
import { CREATE } from './helpers/documents';
import { addTicketEvent, nodeEvent, run, waitForJob } from './helpers/jobs';
import { SmtpSink } from './helpers/smtp-sink';
import { startTestServer, type TestServer } from './helpers/test-server';
import { wsClient } from './helpers/ws-client';

/*
 * Background work (outbox rounds, job completion, stream dispatch, sweeps) must never run in the
 * scope of the request that happened to start it: once that request's deadline (REQUEST_TIMEOUT)
 * passed, every transaction of such work was refused as timed out, so one ticketEventRun stopped
 * all mail and job dispatch until a restart, and a job longer than the timeout stayed RUNNING.
 */

const TIMEOUT_MS = 1000;
const sink = new SmtpSink();
const jobsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bg-jobs-'));
let s: TestServer;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v) return v;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function outboxPending(): Promise<number> {
  const r = await s.gql(`{ outboxStatus { pending sending } }`);
  return r.data.outboxStatus.pending + r.data.outboxStatus.sending;
}

beforeAll(async () => {
  await sink.start();
  s = await startTestServer({ REQUEST_TIMEOUT: `${TIMEOUT_MS}ms`, OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', NOTIFY_DEBOUNCE_SECONDS: '1', OVERDUE_TIME: '23:59', SMTP_URL: sink.url, JOBS_DIR: jobsDir, INSTANCE_ID: 'bg-test' });
});
afterAll(async () => {
  await s?.close();
  await sink.stop();
  fs.rmSync(jobsDir, { recursive: true, force: true });
});

test('a job that outlives the request that ran it finishes with its exit code and outputs, and mail keeps flowing', async () => {
  const release = path.join(jobsDir, 'release-1');
  // The job waits for the test's signal, given only once the request's deadline has passed.
  const eventId = await nodeEvent(
    s,
    'long-job',
    `const fs = require('fs');
     const wait = () => fs.existsSync(${JSON.stringify(release)}) ? finish() : setTimeout(wait, 20);
     const finish = () => { fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/report.txt', 'done'); console.log('finished'); process.exit(4); };
     wait();`,
  );
  const number = (await s.gql(CREATE, { input: { subject: 'Long job' } })).data.ticketCreate.ticket.number;
  const queued = await run(s, await addTicketEvent(s, number, eventId));
  await waitForJob(s, queued.id, ['RUNNING']);
  await sleep(TIMEOUT_MS + 200); // past the deadline of the request that ran the job
  fs.writeFileSync(release, '');

  const job = await waitForJob(s, queued.id);
  expect(job).toMatchObject({ status: 'FAILED', code: 4, description: 'Exited with code 4', logExcerpt: 'finished' });
  expect(job.outputFiles.map((f: { filename: string }) => f.filename)).toEqual(['report.txt']);

  // Mail queued by a later request is still delivered: the outbox worker was not left in the
  // expired scope of the request that nudged it.
  const t = (await s.gql(CREATE, { input: { subject: 'After the long job', notify: ['ops@example.com'] } })).data.ticketCreate.ticket;
  const mails = await sink.waitFor(new RegExp(`^Ticket #${t.number} Created`));
  expect(mails).toHaveLength(1);
  await until('the outbox to drain', async () => (await outboxPending()) === 0);
});

test('subscribers get the events of a write after the deadline of the request that wrote it has passed', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Watched' } })).data.ticketCreate.ticket;
  const ws = wsClient(s.url, { Authorization: 'Bearer test-admin-key-0123456789abcdef' });
  try {
    const sub = ws.subscribe(`subscription($id: ID!) { ticketUpdated(id: $id) { change { type body } } }`, { id: t.id });
    await until('the subscription to register', async () => s.app.services.ticketStream.subscriberCount === 1);
    await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { userErrors { code } } }`, { i: { ticketId: t.id, body: 'first' } });
    await sub.waitFor(1);
    await sleep(TIMEOUT_MS + 200);
    await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { userErrors { code } } }`, { i: { ticketId: t.id, body: 'second' } });
    expect((await sub.waitFor(2)).map((e) => e.ticketUpdated.change.body)).toEqual(['first', 'second']);
  } finally {
    await ws.dispose();
  }
});

test('every background entry point runs outside the scope of the request it was started from', async () => {
  const { background, db } = s.app;
  const expired: RequestScope = { requestId: 'expired-request', sqlCount: 0, operationName: null, deadline: Date.now() - 1, timedOut: true };
  const seen: (RequestScope | undefined)[] = [];
  const write = async () => {
    seen.push(requestScope.getStore());
    // A transaction: refused as timed out if it ran in the expired request's scope.
    await db.transaction({}, ({ tx }) => tx.update(Ticket, { number: -1 }, { server: 'nobody' }));
  };
  let everyRuns = 0;
  await requestScope.run(expired, async () => {
    await background.run('now', write);
    await new Promise<void>((resolve) => background.after('later', 0, async () => {
      await write();
      resolve();
    }));
    await new Promise<void>((resolve) => {
      const stop = background.every('repeated', 10, async () => {
        await write();
        if (++everyRuns === 2) {
          stop();
          resolve();
        }
      });
    });
  });
  expect(seen).toHaveLength(4);
  for (const scope of seen) {
    expect(scope?.task).toBeDefined();
    expect(scope?.deadline).toBeUndefined();
    expect(scope?.requestId).not.toBe('expired-request');
  }
  expect(expired.sqlCount).toBe(0); // nothing of the tasks was counted against the request
});
