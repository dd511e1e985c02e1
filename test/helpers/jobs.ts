import type { TestServer } from './test-server';

/** GraphQL documents and helpers for events and jobs. */
export const JOB_FIELDS = `id number status code description server params targets algo tags startedAt completedAt elapsed logExcerpt log
  inputFiles { id filename } outputFiles { id filename } event { key } ticket { number }`;

export const EVENT_CREATE = `mutation($i: EventInput!) { eventCreate(input: $i) { event { id key title runner hasSecret fields { name type required pattern min max default } } secret userErrors { field code message } } }`;
export const TICKET_EVENT_ADD = `mutation($t: ID!, $i: TicketEventInput!) { ticketEventAdd(ticketId: $t, input: $i) { ticketEvent { id params targets algo tags event { key } } userErrors { field code message } } }`;
export const TICKET_EVENT_RUN = `mutation($id: ID!, $i: TicketEventRunInput) { ticketEventRun(id: $id, input: $i) { job { ${JOB_FIELDS} } userErrors { field code message } } }`;
export const JOB = `query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`;

const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the job until its status is one of `statuses` (default: any final one); returns it. */
export async function waitForJob(s: TestServer, id: string, statuses: string[] = FINAL, key?: string): Promise<Record<string, any>> {
  let job: Record<string, any> = {};
  for (let i = 0; i < 600; i++) {
    const res = await s.gql(JOB, { id }, key);
    job = res.data.job;
    if (job && statuses.includes(job.status)) return job;
    await sleep(50);
  }
  throw new Error(`job ${id} never reached ${statuses.join('/')}: ${JSON.stringify(job)}`);
}

/** A local event running `node -e <script>`; parameters reach the script as PARAM_<NAME>. */
export async function nodeEvent(s: TestServer, key: string, script: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await s.gql(EVENT_CREATE, { i: { key, title: `Event ${key}`, runner: 'LOCAL', command: [process.execPath, '-e', script], ...extra } });
  if (res.errors || res.data.eventCreate.userErrors.length) throw new Error(JSON.stringify(res));
  return res.data.eventCreate.event.id;
}

export async function addTicketEvent(s: TestServer, ticket: string | number, eventId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await s.gql(TICKET_EVENT_ADD, { t: String(ticket), i: { eventId, ...extra } });
  if (res.errors || res.data.ticketEventAdd.userErrors.length) throw new Error(JSON.stringify(res));
  return res.data.ticketEventAdd.ticketEvent.id;
}

export async function run(s: TestServer, ticketEventId: string, input: Record<string, unknown> = {}, key?: string): Promise<Record<string, any>> {
  const res = await s.gql(TICKET_EVENT_RUN, { id: ticketEventId, i: input }, key);
  if (res.errors || res.data.ticketEventRun.userErrors.length) throw new Error(JSON.stringify(res));
  return res.data.ticketEventRun.job;
}
