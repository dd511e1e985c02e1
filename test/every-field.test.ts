import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  getNamedType, isAbstractType, isLeafType, isNonNullType, isObjectType,
  type GraphQLField, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import { buildAppSchema } from '../src/graphql/schema';
import { addTicketEvent, nodeEvent, run, waitForJob } from './helpers/jobs';
import { multipartRequest } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/*
 * Every field resolves. Generated from the schema: for every object type reachable from Query,
 * one query selects every field of the type two levels deep (its fields, and the fields of what
 * they return), on a freshly created object of that type (the mutation's own answer, before
 * anything reloads it) and on a fully populated one (read back with node(id:)). None may answer
 * INTERNAL_SERVER_ERROR. Types that are not Nodes are reached through the nearest Node (or Query)
 * along the shortest path of fields.
 */

jest.setTimeout(120_000);
let s: TestServer;
let schema: GraphQLSchema;
const jobsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-every-field-'));
let receiver: http.Server;
let receiverUrl = '';
let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}`;

// ---- selections generated from the schema ----

function fieldsOf(type: GraphQLObjectType): GraphQLField<unknown, unknown>[] {
  // Root fields with required arguments are entry points (node, job ...), not something to select blindly.
  return Object.values(type.getFields()).filter((f) => !f.name.startsWith('_') && !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
}

/** Every field of `type`; fields returning objects get every field of theirs while depth lasts, then __typename. */
function selection(type: GraphQLNamedType, depth: number): string {
  if (isAbstractType(type)) {
    return `__typename ${schema.getPossibleTypes(type).map((t) => `... on ${t.name} { ${selection(t, depth)} }`).join(' ')}`;
  }
  if (!isObjectType(type)) return '';
  return fieldsOf(type)
    .map((f) => {
      const named = getNamedType(f.type);
      if (isLeafType(named)) return f.name;
      return `${f.name} { ${depth > 1 ? selection(named, depth - 1) : '__typename'} }`;
    })
    .join(' ');
}

interface Step {
  field: string;
  /** The concrete type the step lands on (an inline fragment when the field's type is abstract). */
  type: GraphQLObjectType;
  abstract: boolean;
}

/** The object types a field leads to (every implementation of an interface or member of a union). */
function targets(field: GraphQLField<unknown, unknown>): GraphQLObjectType[] {
  const named = getNamedType(field.type);
  if (isAbstractType(named)) return [...schema.getPossibleTypes(named)];
  return isObjectType(named) ? [named] : [];
}

/** Shortest path of fields from any of `from` to every type reachable from them. */
function paths(from: GraphQLObjectType[]): Map<string, { anchor: GraphQLObjectType; steps: Step[] }> {
  const found = new Map<string, { anchor: GraphQLObjectType; steps: Step[] }>();
  const queue = from.map((t) => ({ anchor: t, type: t, steps: [] as Step[] }));
  for (const q of queue) found.set(q.type.name, { anchor: q.anchor, steps: [] });
  while (queue.length) {
    const { anchor, type, steps } = queue.shift()!;
    for (const f of fieldsOf(type)) {
      for (const t of targets(f)) {
        if (found.has(t.name)) continue;
        const next = [...steps, { field: f.name, type: t, abstract: isAbstractType(getNamedType(f.type)) }];
        found.set(t.name, { anchor, steps: next });
        queue.push({ anchor, type: t, steps: next });
      }
    }
  }
  return found;
}

/** The objects at the end of a path in a response (lists flattened, nulls and other members of abstract types dropped). */
function walk(value: unknown, steps: Step[]): unknown[] {
  let level: unknown[] = [value];
  for (const step of steps) {
    level = level
      .flatMap((v) => (v && typeof v === 'object' ? [(v as Record<string, unknown>)[step.field]] : []))
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v) => v != null && (!step.abstract || (v as { __typename?: string }).__typename === step.type.name));
  }
  return level.filter((v) => v != null);
}

function wrap(steps: Step[], inner: string): string {
  return steps.reduceRight((acc, step) => `${step.field} { ${step.abstract ? `__typename ... on ${step.type.name} { ${acc} }` : acc} }`, inner);
}

// ---- how to get a fresh object of each Node type: the creating mutation's own answer ----

type Result = { data: any; errors?: { message: string; path?: unknown; extensions?: Record<string, unknown> }[] };
let fixtures: { ticketId: string; eventId: string; deliveryId: string };

const FRESH: Record<string, (sel: string) => Promise<Result>> = {
  Ticket: (sel) => s.gql(`mutation { ticketCreate(input: { subject: "Fresh" }) { ticket { ${sel} } } }`),
  TicketOrigin: (sel) => s.gql(`mutation { ticketCreateFromAlert(input: { alert: { id: "alert-fresh", title: "Fresh", server: "db-1", firedAt: "2026-12-01T10:00:00Z" } }) { ticket { origin { ${sel} } } } }`),
  Change: (sel) => s.gql(`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "Fresh comment" }) { change { ${sel} } } }`, { t: fixtures.ticketId }),
  User: (sel) => s.gql(`mutation($u: String!) { userCreate(input: { username: $u }) { user { ${sel} } } }`, { u: unique('fresh') }),
  Category: (sel) => s.gql(`mutation($k: String!) { categoryCreate(input: { key: $k }) { category { ${sel} } } }`, { k: unique('fresh') }),
  Tag: (sel) => s.gql(`mutation($k: String!) { tagCreate(input: { key: $k }) { tag { ${sel} } } }`, { k: unique('fresh') }),
  Group: (sel) => s.gql(`mutation($k: String!) { groupCreate(input: { key: $k }) { group { ${sel} } } }`, { k: unique('fresh') }),
  ApiKey: (sel) => s.gql(`mutation { apiKeyCreate(input: { name: "fresh" }) { apiKey { ${sel} } } }`),
  SavedSearch: (sel) => s.gql(`mutation($n: String!) { savedSearchCreate(input: { name: $n }) { savedSearch { ${sel} } } }`, { n: unique('fresh') }),
  CustomField: (sel) => s.gql(`mutation($k: String!) { customFieldCreate(input: { key: $k, type: TEXT }) { customField { ${sel} } } }`, { k: unique('fresh').replace('-', '_') }),
  SlaPolicy: (sel) => s.gql(`mutation($n: String!) { slaPolicyCreate(input: { name: $n, responseMinutes: 60, resolutionMinutes: 600 }) { policy { ${sel} } } }`, { n: unique('fresh') }),
  Webhook: (sel) => s.gql(`mutation($u: String!) { webhookCreate(input: { url: $u, events: [TICKET_CREATED] }) { webhook { ${sel} } } }`, { u: receiverUrl }),
  WebhookDelivery: (sel) => s.gql(`mutation($id: ID!) { webhookDeliveryReplay(id: $id) { delivery { ${sel} } } }`, { id: fixtures.deliveryId }),
  Event: (sel) => s.gql(`mutation($k: String!) { eventCreate(input: { key: $k, title: "Fresh", runner: LOCAL, command: ["true"] }) { event { ${sel} } } }`, { k: unique('fresh') }),
  TicketEvent: (sel) => s.gql(`mutation($t: ID!, $e: String!) { ticketEventAdd(ticketId: $t, input: { eventId: $e }) { ticketEvent { ${sel} } } }`, { t: fixtures.ticketId, e: fixtures.eventId }),
  Job: async (sel) => s.gql(`mutation($id: ID!) { ticketEventRun(id: $id) { job { ${sel} } } }`, { id: await addTicketEvent(s, fixtures.ticketId, fixtures.eventId, { params: { version: '1' } }) }),
  TicketFile: async (sel) =>
    (await multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { ${sel} } } }`, { t: fixtures.ticketId, files: [null] }, [
      { path: 'variables.files.0', filename: 'fresh.txt', type: 'text/plain', content: 'fresh' },
    ])).body as Result,
};

const internalErrors = (errors: Result['errors']) =>
  (errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || e.extensions?.code === undefined).map((e) => `${JSON.stringify(e.path)}: ${e.message}`);

// ---- the fully populated objects ----

/** Fully populated objects of each Node type, by global id (several where one cannot have everything). */
const populated: Record<string, string[]> = {};
const add = (type: string, id: string) => (populated[type] ??= []).push(id);

async function must(query: string, variables: Record<string, unknown> = {}, key?: string): Promise<any> {
  const r = await s.gql(query, variables, key);
  if (r.errors) throw new Error(`${query}: ${JSON.stringify(r.errors)}`);
  const payload = Object.values(r.data)[0] as { userErrors?: unknown[] } | null;
  if (payload?.userErrors?.length) throw new Error(`${query}: ${JSON.stringify(payload.userErrors)}`);
  return r.data;
}

async function populate(): Promise<void> {
  const ada = await s.user('ada', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS']);
  await s.user('grace');
  add('Group', (await must(`mutation { groupCreate(input: { key: "dba", title: "DBAs", members: ["ada", "grace"] }) { group { id } userErrors { message } } }`)).groupCreate.group.id);
  add('Category', (await must(`mutation { categoryCreate(input: { key: "database", title: "Databases", group: "dba", autoAssign: true }) { category { id } userErrors { message } } }`)).categoryCreate.category.id);
  add('Tag', (await must(`mutation { tagCreate(input: { key: "important", title: "Important" }) { tag { id } userErrors { message } } }`)).tagCreate.tag.id);
  add('SlaPolicy', (await must(`mutation { slaPolicyCreate(input: { name: "DB urgent", category: "database", priority: URGENT, responseMinutes: 30, resolutionMinutes: 240,
    businessHours: { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timeZone: "Europe/Berlin" } }) { policy { id } userErrors { message } } }`)).slaPolicyCreate.policy.id);
  add('User', (await must(`mutation { userCreate(input: { username: "full", name: "Full User", email: "full@example.com", privileges: [CREATE_TICKETS, EDIT_TICKETS], categories: ["database"] }) { user { id } userErrors { message } } }`)).userCreate.user.id);
  await must(`mutation { groupUpdate(id: "${populated.Group[0]}", input: { members: ["ada", "grace", "full"] }) { group { id } userErrors { message } } }`);
  add('ApiKey', (await must(`mutation { apiKeyCreate(input: { name: "narrow", username: "full", privileges: [CREATE_TICKETS], categories: ["database"], expiresAt: "2099-01-01T00:00:00Z" }) { apiKey { id } userErrors { message } } }`)).apiKeyCreate.apiKey.id);
  add('Webhook', (await must(`mutation($u: String!) { webhookCreate(input: { url: $u, events: [TICKET_CREATED, TICKET_UPDATED, COMMENT_ADDED], query: "category:database" }) { webhook { id } userErrors { message } } }`, { u: receiverUrl })).webhookCreate.webhook.id);

  add('CustomField', (await must(`mutation { customFieldCreate(input: { key: "site", type: SINGLE_CHOICE, choices: [{ key: "berlin" }, { key: "paris" }] }) { customField { id } userErrors { message } } }`)).customFieldCreate.customField.id);
  await must(`mutation { customFieldCreate(input: { key: "owner", type: USER }) { customField { key } userErrors { message } } }`);

  // A ticket with everything: category (group, SLA), tags, people, due, server, custom fields, files, comments with an edit, events, jobs, resolution.
  const created = await multipartRequest(s.url, ADMIN_KEY, `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number } userErrors { message } } }`, {
    input: { subject: 'Everything', body: 'Disk **full**', type: 'CHANGE', priority: 'URGENT', category: 'database', tags: ['important'], server: 'db-1', assignees: ['ada'], cc: ['grace'], notify: ['ops@example.com'], requester: 'full', due: '3 days', files: [null], customFields: [{ key: 'site', choice: 'berlin' }, { key: 'owner', user: 'ada' }] },
  }, [{ path: 'variables.input.files.0', filename: 'df.txt', type: 'text/plain', content: '98%' }]);
  const ticket = (created.body as any).data?.ticketCreate.ticket;
  if (!ticket) throw new Error(JSON.stringify(created.body));
  add('Ticket', ticket.id);
  const files = await must(`query($id: ID!) { ticket(id: $id) { files { id } } }`, { id: ticket.id });
  add('TicketFile', files.ticket.files[0].id);
  const comment = await must(`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "Looking" }) { change { id } userErrors { message } } }`, { t: ticket.id }, ada);
  add('Change', comment.commentAdd.change.id);
  await must(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "Looking into it" }) { change { id } userErrors { message } } }`, { id: populated.Change[0] }, ada);
  await must(`mutation($id: ID!) { commentUpdate(id: $id, input: { visibility: PUBLIC }) { change { id } userErrors { message } } }`, { id: populated.Change[0] }, ada);
  await must(`mutation($id: ID!) { ticketUpdate(id: $id, input: { server: "db-2" }) { ticket { id } userErrors { message } } }`, { id: ticket.id });

  // Events and jobs: a parent that launches a child while it runs, outputs, parameters.
  const release = path.join(jobsDir, 'release');
  const eventId = await nodeEvent(s, 'deploy', `const fs = require('fs');
    fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/report.txt', 'v' + process.env.PARAM_VERSION);
    const wait = () => fs.existsSync(${JSON.stringify(release)}) ? process.exit(0) : setTimeout(wait, 20); wait();`,
    { targets: ['web-1'], tags: ['deploy'], categoryKey: 'database', ticketOnFailure: true, ticketActions: [{ on: 'SUCCESS', tags: ['deploy'] }], timeoutSeconds: 60, fields: [{ name: 'version', type: 'STRING', required: true, pattern: '\\d+', title: 'Version' }] });
  add('Event', eventId);
  const quick = await nodeEvent(s, 'smoke', `console.log('smoke ok')`);
  const stub = await addTicketEvent(s, ticket.id, eventId, { params: { version: '7' }, targets: ['web-2'], algo: 'first', tags: ['canary'] });
  add('TicketEvent', stub);
  const parent = await run(s, stub, { params: { version: '8' } });
  await waitForJob(s, parent.id, ['RUNNING']);
  const child = await must(`mutation($p: ID!, $e: ID!) { jobLaunch(parentJobId: $p, input: { eventId: $e }) { job { id } userErrors { message } } }`, { p: parent.id, e: quick });
  await waitForJob(s, child.jobLaunch.job.id);
  fs.writeFileSync(release, '');
  await waitForJob(s, parent.id);
  add('Job', parent.id);
  fixtures = { ticketId: ticket.id, eventId, deliveryId: '' };

  // Tickets from a job and from an alert (their origins), a resolution, a reply by the requester.
  add('Job', child.jobLaunch.job.id);
  const fromJob = (await must(`mutation($j: ID!) { ticketCreateFromJob(input: { jobId: $j, links: [{ title: "Runbook", url: "https://runbooks.example.com/db" }] }) { ticket { id origin { id } } userErrors { message } } }`, { j: parent.id })).ticketCreateFromJob.ticket;
  const fromAlert = (await must(`mutation { ticketCreateFromAlert(input: { alert: { id: "alert-1", title: "CPU high", server: "db-1", firedAt: "2026-12-01T10:00:00Z", message: "92%", expression: "cpu > 90", activeJobs: [{ id: "j1", title: "Backup" }] } }) { ticket { id origin { id } } userErrors { message } } }`)).ticketCreateFromAlert.ticket;
  for (const t of [fromJob, fromAlert]) {
    add('Ticket', t.id);
    add('TicketOrigin', t.origin.id);
  }
  await must(`mutation($id: ID!) { ticketResolve(id: $id, input: { resolution: "Cleaned up" }) { ticket { id } userErrors { message } } }`, { id: ticket.id }, ada);
  add('Ticket', (await must(`mutation { ticketCreate(input: { subject: "Draft", status: DRAFT }) { ticket { id } userErrors { message } } }`)).ticketCreate.ticket.id);
  // History entries of other kinds: a job's, a file's, a comment made public.
  const entries = await must(`query($id: ID!) { ticket(id: $id) { changes(first: 100, types: [JOB, FILE_ADDED, COMMENT_VISIBILITY]) { edges { node { id type } } } } }`, { id: ticket.id });
  for (const type of ['JOB', 'FILE_ADDED', 'COMMENT_VISIBILITY']) add('Change', entries.ticket.changes.edges.find((e: any) => e.node.type === type).node.id);

  add('SavedSearch', (await must(`mutation { savedSearchCreate(input: { name: "DB", query: "category:database", filter: { priority: { in: [HIGH, URGENT] } }, orderBy: [{ field: DUE, direction: ASC }] }) { savedSearch { id } userErrors { message } } }`)).savedSearchCreate.savedSearch.id);
  // Deliveries of the webhook, sent by the worker to the local receiver.
  for (let i = 0; i < 400; i++) {
    const d = await must(`query($id: ID!) { node(id: $id) { ... on Webhook { deliveries { id status } } } }`, { id: populated.Webhook[0] });
    const done = d.node.deliveries.find((x: { status: string }) => x.status === 'DELIVERED' || x.status === 'delivered');
    if (done) {
      add('WebhookDelivery', done.id);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  fixtures.deliveryId = populated.WebhookDelivery[0];
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  schema = await buildAppSchema();
  s = await startTestServer({
    MAX_QUERY_COST: '100000000', MAX_QUERY_DEPTH: '30', MAX_QUERY_ALIASES: '1000', RATE_LIMIT_COST_PER_MINUTE: '0',
    OUTBOX_POLL_MS: '50', JOBS_DIR: jobsDir, INSTANCE_ID: 'every-field', NOTIFY_DEBOUNCE_SECONDS: '1',
    OUTBOUND_ALLOW: '127.0.0.1/32', // the webhook receiver runs on loopback
  });
});
afterAll(async () => {
  await s?.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  fs.rmSync(jobsDir, { recursive: true, force: true });
});

test('every field of every type reachable from Query resolves, on fresh and on fully populated objects', async () => {
  const query = schema.getQueryType()!;
  const node = schema.getType('Node')!;
  const nodeTypes = isAbstractType(node) ? [...schema.getPossibleTypes(node)] : [];
  const reachable = paths([query]);
  const viaNode = paths(nodeTypes);
  const objectTypes = [...reachable.keys()].map((n) => schema.getType(n) as GraphQLObjectType).filter((t) => t !== query && t.name !== 'Mutation');
  expect(objectTypes.length).toBeGreaterThan(30);
  for (const t of nodeTypes) expect(reachable.has(t.name)).toBe(true);
  for (const t of nodeTypes) expect(FRESH[t.name]).toBeDefined(); // a new Node type needs its creation here

  const rootQueries = () => objectTypes.filter((t) => !viaNode.has(t.name)).map((t) => ({ type: t.name, query: `{ ${wrap(reachable.get(t.name)!.steps, selection(t, 2))} }` }));
  const failures: string[] = [];
  const check = (label: string, result: Result) => {
    for (const e of internalErrors(result.errors)) failures.push(`${label}: ${e}`);
  };

  // Before anything exists: types reached from Query alone.
  for (const r of rootQueries()) check(`${r.type} (empty database)`, await s.gql(r.query));

  await populate();
  expect(Object.keys(populated).sort()).toEqual(nodeTypes.map((t) => t.name).sort());

  const seen = new Set<string>();
  for (const t of objectTypes) {
    const route = viaNode.get(t.name);
    if (!route) continue;
    const inner = wrap(route.steps, selection(t, 2));
    const anchor = route.anchor.name;
    // Fresh: the creating mutation's answer, with the path to this type under it.
    check(`${t.name} via fresh ${anchor}`, await FRESH[anchor](inner));
    // Populated: read back.
    for (const id of populated[anchor]) {
      const full = await s.gql(`query($id: ID!) { node(id: $id) { ... on ${anchor} { ${inner} } } }`, { id });
      check(`${t.name} via populated ${anchor} ${id}`, full);
      if (walk(full.data.node, route.steps).length > 0) seen.add(t.name);
    }
  }
  for (const r of rootQueries()) {
    const result = await s.gql(r.query);
    check(`${r.type} (populated)`, result);
    if (walk(result.data, reachable.get(r.type)!.steps).length > 0) seen.add(r.type);
  }
  expect(failures).toEqual([]);
  // Populated means populated: every type was met as a real object at least once, not only as null.
  expect(objectTypes.map((t) => t.name).filter((n) => !seen.has(n))).toEqual([]);
});
