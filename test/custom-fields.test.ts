import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmtpSink } from './helpers/smtp-sink';
import { Ticket } from '../src/entities/ticket.entity';
import { User } from '../src/entities/user.entity';
import { WebhookDelivery } from '../src/entities/webhook-delivery.entity';
import { rowIdOf } from '../src/graphql/global-id';
import type { TicketFilter } from '../src/graphql/inputs/ticket-filter.input';
import { TicketFilterCompiler } from '../src/search/ticket-filter.compiler';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/*
 * Custom fields through the real server: admin definitions and their refusals, typed values on
 * tickets (validation, required per category, history), search by cf.<key> in the query language
 * and the typed filter (with the index used), ordering, ticketMetadata, mail to a real SMTP sink,
 * webhook payloads and subscriptions.
 */

const sink = new SmtpSink();
let s: TestServer;
let ada: string;
let receiver: http.Server;
let hookUrl: string;
const hooks: any[] = [];
const clients: WsClient[] = [];

const FIELD = `customField { key title type active position choices { key title } requiredInCategories { key } }`;
const CF_CREATE = `mutation($i: CustomFieldCreateInput!) { customFieldCreate(input: $i) { ${FIELD} userErrors { field code message } } }`;
const CF_UPDATE = `mutation($k: String!, $i: CustomFieldUpdateInput!) { customFieldUpdate(key: $k, input: $i) { ${FIELD} userErrors { field code message } } }`;
const VALUES = `customFields { key type text number date choice { key title } choices { key } user { username } display }`;
const T_CREATE = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number version ${VALUES} } userErrors { field code message } } }`;
const T_UPDATE = `mutation($id: ID!, $input: TicketUpdateInput!) { ticketUpdate(id: $id, input: $input) { ticket { id version ${VALUES} } userErrors { field code message } } }`;
const SEARCH = `query($q: String, $f: TicketFilter, $o: [TicketOrder!], $first: Int, $after: String) {
  tickets(query: $q, filter: $f, orderBy: $o, first: $first, after: $after) { edges { node { number } } pageInfo { hasNextPage endCursor } }
}`;

async function field(input: Record<string, unknown>) {
  const r = await s.gql(CF_CREATE, { i: input });
  expect(r.errors).toBeUndefined();
  expect(r.data.customFieldCreate.userErrors).toEqual([]);
  return r.data.customFieldCreate.customField;
}

async function ticket(input: Record<string, unknown>, key = ada) {
  const r = await s.gql(T_CREATE, { input }, key);
  if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
  return r.data.ticketCreate.ticket as { id: string; number: number; version: number; customFields: any[] };
}

async function numbers(variables: Record<string, unknown>): Promise<number[]> {
  const r = await s.gql(SEARCH, { first: 100, ...variables });
  expect(r.errors).toBeUndefined();
  return (r.data.tickets.edges as { node: { number: number } }[]).map((e) => e.node.number).sort((a, b) => a - b);
}

const t: Record<string, { id: string; number: number }> = {};

beforeAll(async () => {
  await sink.start();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  s = await startTestServer({ SMTP_URL: sink.url, NOTIFY_DEBOUNCE_SECONDS: '1', OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', OUTBOUND_ALLOW: '127.0.0.1/32', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '50' });
  for (const key of ['hardware', 'software']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  ada = await s.user('ada', ['CREATE_TICKETS', 'EDIT_TICKETS'], { name: 'Ada Lovelace' });
  await s.user('grace');
  await s.user('gone');
  await s.app.db.manager.update(User, { username: 'gone' }, { active: false });

  await field({ key: 'site', title: 'Site', type: 'SINGLE_CHOICE', choices: [{ key: 'berlin', title: 'Berlin' }, { key: 'paris', title: 'Paris' }, { key: 'oslo' }], requiredInCategories: ['hardware'], position: 1 });
  await field({ key: 'tier', title: 'Support tier', type: 'NUMBER', position: 2 });
  await field({ key: 'due_review', title: 'Review day', type: 'DATE', position: 3 });
  await field({ key: 'environment', title: 'Environment', type: 'MULTI_CHOICE', choices: [{ key: 'production' }, { key: 'staging' }, { key: 'dev' }], position: 4 });
  await field({ key: 'owner', title: 'Service owner', type: 'USER', position: 5 });
  await field({ key: 'api', title: 'API', type: 'TEXT', position: 6 });

  t.a = await ticket({ subject: 'Printer jam', category: 'hardware', customFields: [{ key: 'site', choice: 'berlin' }, { key: 'tier', number: 3 }, { key: 'due_review', date: '2025-12-01' }, { key: 'environment', choices: ['staging', 'production'] }, { key: 'owner', user: 'grace' }, { key: 'api', text: 'Payments' }] });
  t.b = await ticket({ subject: 'Laptop broken', category: 'hardware', customFields: [{ key: 'site', choice: 'paris' }, { key: 'tier', number: 1 }, { key: 'due_review', date: '2026-03-15' }, { key: 'environment', choices: ['dev'] }] });
  t.c = await ticket({ subject: 'App crash', category: 'software', customFields: [{ key: 'tier', number: 2.5 }, { key: 'owner', user: 'ada' }] });
  t.d = await ticket({ subject: 'No fields at all' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await s?.close();
  await sink.stop();
  await new Promise<void>((r) => receiver.close(() => r()));
});

test('admins define fields; bad definitions are refused with userErrors naming the input field', async () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ key: 'site', type: 'TEXT' }, 'key', 'TAKEN'],
    [{ key: 'Bad Key!', type: 'TEXT' }, 'key', 'INVALID'],
    [{ key: 'color', type: 'SINGLE_CHOICE' }, 'choices', 'BLANK'],
    [{ key: 'color', type: 'SINGLE_CHOICE', choices: [{ key: 'red' }, { key: 'RED' }] }, 'choices', 'INVALID'],
    [{ key: 'color', type: 'SINGLE_CHOICE', choices: [{ key: 'no spaces' }] }, 'choices', 'INVALID'],
    [{ key: 'color', type: 'NUMBER', choices: [{ key: 'red' }] }, 'choices', 'INVALID'],
    [{ key: 'color', type: 'TEXT', requiredInCategories: ['nope'] }, 'requiredInCategories', 'NOT_FOUND'],
  ];
  for (const [input, at, code] of cases) {
    const r = await s.gql(CF_CREATE, { i: input });
    expect({ input, errors: r.data.customFieldCreate.userErrors.map((e: any) => [e.field.join('.'), e.code]) }).toEqual({ input, errors: [[`input.${at}`, code]] });
    expect(r.data.customFieldCreate.customField).toBeNull();
  }
  // Not for non-admins.
  const denied = await s.gql(CF_CREATE, { i: { key: 'color', type: 'TEXT' } }, ada);
  expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');

  // Changing the type of a used field, or removing a used choice, is refused; an unused field may change.
  const typeChange = await s.gql(CF_UPDATE, { k: 'tier', i: { type: 'TEXT' } });
  expect(typeChange.data.customFieldUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'type'], code: 'IN_USE' })]);
  const dropChoice = await s.gql(CF_UPDATE, { k: 'site', i: { choices: [{ key: 'berlin' }, { key: 'oslo' }] } });
  expect(dropChoice.data.customFieldUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'choices'], code: 'IN_USE' })]);
  const unknown = await s.gql(CF_UPDATE, { k: 'nope', i: { title: 'x' } });
  expect(unknown.data.customFieldUpdate.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  await field({ key: 'scratch', type: 'TEXT' });
  const retyped = await s.gql(CF_UPDATE, { k: 'scratch', i: { type: 'SINGLE_CHOICE', choices: [{ key: 'x', title: 'X' }] } });
  expect(retyped.data.customFieldUpdate).toEqual({ customField: expect.objectContaining({ type: 'SINGLE_CHOICE', choices: [{ key: 'x', title: 'X' }] }), userErrors: [] });
  const DELETE = `mutation($k: String!) { customFieldDelete(key: $k) { customField { key } userErrors { field code message } } }`;
  expect((await s.gql(DELETE, { k: 'tier' })).data.customFieldDelete).toEqual({ customField: null, userErrors: [expect.objectContaining({ field: ['key'], code: 'IN_USE' })] });
  await field({ key: 'unused', type: 'DATE' });
  expect((await s.gql(DELETE, { k: 'unused' })).data.customFieldDelete).toEqual({ customField: { key: 'unused' }, userErrors: [] });
  expect((await s.gql(DELETE, { k: 'unused' })).data.customFieldDelete.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  const archived = await s.gql(CF_UPDATE, { k: 'scratch', i: { active: false } });
  expect(archived.data.customFieldUpdate.customField.active).toBe(false);

  const list = await s.gql(`{ customFields { key } all: customFields(includeArchived: true) { key active } ticketMetadata { customFields { key type choices { key title } requiredInCategories { key } } } }`, {}, ada);
  expect(list.data.customFields.map((f: any) => f.key)).toEqual(['site', 'tier', 'due_review', 'environment', 'owner', 'api']);
  expect(list.data.all.map((f: any) => f.key)).toContain('scratch');
  expect(list.data.ticketMetadata.customFields[0]).toEqual({ key: 'site', type: 'SINGLE_CHOICE', choices: [{ key: 'berlin', title: 'Berlin' }, { key: 'paris', title: 'Paris' }, { key: 'oslo', title: 'oslo' }], requiredInCategories: [{ key: 'hardware' }] });
  expect(list.data.ticketMetadata.customFields.map((f: any) => f.key)).not.toContain('scratch');
});

test('tickets expose their values typed, in field order', async () => {
  const r = await s.gql(`query($id: ID!) { ticket(id: $id) { ${VALUES} } }`, { id: t.a.id });
  expect(r.data.ticket.customFields).toEqual([
    { key: 'site', type: 'SINGLE_CHOICE', text: null, number: null, date: null, choice: { key: 'berlin', title: 'Berlin' }, choices: null, user: null, display: 'Berlin' },
    { key: 'tier', type: 'NUMBER', text: null, number: 3, date: null, choice: null, choices: null, user: null, display: '3' },
    { key: 'due_review', type: 'DATE', text: null, number: null, date: '2025-12-01', choice: null, choices: null, user: null, display: '2025-12-01' },
    { key: 'environment', type: 'MULTI_CHOICE', text: null, number: null, date: null, choice: null, choices: [{ key: 'production' }, { key: 'staging' }], user: null, display: 'production, staging' },
    { key: 'owner', type: 'USER', text: null, number: null, date: null, choice: null, choices: null, user: { username: 'grace' }, display: 'grace' },
    { key: 'api', type: 'TEXT', text: 'Payments', number: null, date: null, choice: null, choices: null, user: null, display: 'Payments' },
  ]);
});

test('bad values are refused naming the field, and nothing is written', async () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ key: 'nope', text: 'x' }, 'NOT_FOUND', /No custom field nope/],
    [{ key: 'tier', text: 'three' }, 'INVALID', /tier is a NUMBER field: give its value as `number`, not `text`/],
    [{ key: 'site', choice: 'tokyo' }, 'INVALID', /"tokyo" is not a choice; choices are berlin, paris, oslo/],
    [{ key: 'environment', choices: ['production', 'moon'] }, 'INVALID', /"moon" is not a choice/],
    [{ key: 'due_review', date: '2025-02-30' }, 'INVALID', /not a calendar day/],
    [{ key: 'owner', user: 'nobody' }, 'NOT_FOUND', /no active user nobody/],
    [{ key: 'owner', user: 'gone' }, 'NOT_FOUND', /no active user gone/],
    [{ key: 'api', text: 'x'.repeat(501) }, 'TOO_LONG', /longer than 500/],
    [{ key: 'scratch', choice: 'x' }, 'INVALID', /archived/],
  ];
  for (const [entry, code, message] of cases) {
    const r = await s.gql(T_CREATE, { input: { subject: 'refused', customFields: [entry] } }, ada);
    expect(r.data.ticketCreate.ticket).toBeNull();
    expect(r.data.ticketCreate.userErrors).toEqual([{ field: ['input', 'customFields', entry.key], code, message: expect.stringMatching(message) }]);
    const u = await s.gql(T_UPDATE, { id: t.c.id, input: { subject: 'changed?', customFields: [entry] } }, ada);
    expect(u.data.ticketUpdate.userErrors).toHaveLength(1);
  }
  const twice = await s.gql(T_CREATE, { input: { subject: 'x', customFields: [{ key: 'tier', number: 1 }, { key: 'tier', number: 2 }] } }, ada);
  expect(twice.data.ticketCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'customFields', 'tier'], code: 'INVALID' })]);
  expect(await numbers({ q: 'subject:refused' })).toEqual([]);
  const c = await s.gql(`query($id: ID!) { ticket(id: $id) { subject version } }`, { id: t.c.id });
  expect(c.data.ticket.subject).toBe('App crash');
});

test('a field required in a category: on create, when clearing it, and when the ticket moves into the category', async () => {
  const missing = await s.gql(T_CREATE, { input: { subject: 'No site', category: 'hardware' } }, ada);
  expect(missing.data.ticketCreate.userErrors).toEqual([{ field: ['input', 'customFields', 'site'], code: 'BLANK', message: expect.stringMatching(/site \(Site\) is required/) }]);
  const clear = await s.gql(T_UPDATE, { id: t.b.id, input: { customFields: [{ key: 'site' }] } }, ada);
  expect(clear.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'customFields', 'site'], code: 'BLANK' })]);
  const move = await s.gql(T_UPDATE, { id: t.d.id, input: { category: 'hardware' } }, ada);
  expect(move.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'customFields', 'site'], code: 'BLANK' })]);
  const d = await s.gql(`query($id: ID!) { ticket(id: $id) { category { key } version } }`, { id: t.d.id });
  expect(d.data.ticket).toEqual({ category: null, version: 1 });
  // Moving in with the value in the same update works; other tickets' updates are not held up.
  const moved = await s.gql(T_UPDATE, { id: t.d.id, input: { category: 'hardware', customFields: [{ key: 'site', choice: 'oslo' }] } }, ada);
  expect(moved.data.ticketUpdate.userErrors).toEqual([]);
  const back = await s.gql(T_UPDATE, { id: t.d.id, input: { category: null, customFields: [{ key: 'site' }] } }, ada);
  expect(back.data.ticketUpdate.userErrors).toEqual([]);
  expect(back.data.ticketUpdate.ticket.customFields).toEqual([]);
});

test('changes are recorded in history with old and new values; unchanged values record nothing', async () => {
  const x = await ticket({ subject: 'History', customFields: [{ key: 'tier', number: 1 }, { key: 'environment', choices: ['dev'] }] });
  const grace = await s.user('histgrace');
  const u = await s.gql(T_UPDATE, { id: x.id, input: { customFields: [{ key: 'tier', number: 4 }, { key: 'environment', choices: ['dev', 'staging'] }, { key: 'api', text: 'Orders' }] } }, grace);
  expect(u.data.ticketUpdate.userErrors).toEqual([]);
  expect(u.data.ticketUpdate.ticket.version).toBe(2);
  const same = await s.gql(T_UPDATE, { id: x.id, input: { customFields: [{ key: 'tier', number: 4 }] } }, grace);
  expect(same.data.ticketUpdate.ticket.version).toBe(2);
  const h = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(first: 20, types: [CHANGE]) { edges { node { field customFieldKey oldValue newValue added removed } } } } }`, { id: x.id });
  expect(h.data.ticket.changes.edges.map((e: any) => e.node)).toEqual([
    { field: 'CUSTOM_FIELD', customFieldKey: 'tier', oldValue: '1', newValue: '4', added: null, removed: null },
    { field: 'CUSTOM_FIELD', customFieldKey: 'environment', oldValue: 'dev', newValue: 'staging, dev', added: ['staging'], removed: [] },
    { field: 'CUSTOM_FIELD', customFieldKey: 'api', oldValue: null, newValue: 'Orders', added: null, removed: null },
  ]);
});

test('the query language: cf.<key> by value, alternatives, none, ranges of numbers and days, @me', async () => {
  const { a, b, c, d } = t;
  // (Leaves out the tickets other tests make.)
  const q = (query: string) => numbers({ q: `${query} -subject:History -subject:Mailed -subject:Streamed` });
  expect(await q('cf.site:berlin')).toEqual([a.number]);
  expect(await q('cf.site:berlin|paris')).toEqual([a.number, b.number]);
  expect(await q('cf.site:none')).toEqual(expect.arrayContaining([c.number, d.number]));
  expect(await q('-cf.site:berlin cf.tier:>=1')).toEqual([b.number, c.number]);
  expect(await q('cf.tier:>2')).toEqual([a.number, c.number]);
  expect(await q('cf.tier:1..2.5')).toEqual([b.number, c.number]);
  expect(await q('cf.tier:3')).toEqual([a.number]);
  expect(await q('cf.due_review:<2026-01-01')).toEqual([a.number]);
  expect(await q('cf.due_review:2026-01-01..2026-12-31')).toEqual([b.number]);
  expect(await q('cf.environment:production')).toEqual([a.number]);
  expect(await q('cf.environment:staging cf.environment:production')).toEqual([a.number]);
  expect(await q('cf.owner:grace')).toEqual([a.number]);
  const me = await s.gql(SEARCH, { q: 'cf.owner:@me', first: 10 }, ada);
  expect(me.data.tickets.edges.map((e: any) => e.node.number)).toEqual([c.number]);
  expect(await q('cf.api:Payments')).toEqual([a.number]);
  expect(await q('cf.site:berlin printer')).toEqual([a.number]);

  const parsed = await s.gql(`{ ticketQueryParse(query: "cf.tier:>2 cf.site:berlin|paris") }`);
  expect(parsed.data.ticketQueryParse).toEqual({ customFields: [{ key: 'tier', gt: '2' }, { key: 'site', in: ['berlin', 'paris'] }] });
  expect(await numbers({ f: parsed.data.ticketQueryParse })).toEqual([a.number]);

  for (const [query, message] of [
    ['cf.nope:x', /cf\.nope: no custom field has this key/],
    ['cf.tier:abc', /cf\.tier: "abc" is not a number/],
    ['cf.site:tokyo', /cf\.site: "tokyo" is not a choice/],
    ['cf.site:>berlin', /ranges .* only work on NUMBER and DATE fields/],
    ['cf.due_review:2026-02-30', /cf\.due_review: .*not a calendar date/],
  ] as const) {
    const r = await s.gql(SEARCH, { q: query, first: 1 });
    expect({ query, code: r.errors?.[0].extensions?.code, message: r.errors?.[0].message }).toEqual({ query, code: 'BAD_USER_INPUT', message: expect.stringMatching(message) });
  }
});

test('the typed filter: customFields conditions with eq, in, notIn, ranges and isNull', async () => {
  const { a, b, c, d } = t;
  const f = (...customFields: Record<string, unknown>[]) => numbers({ f: { customFields }, q: '-subject:History -subject:Mailed -subject:Streamed' });
  expect(await f({ key: 'site', eq: 'BERLIN' })).toEqual([a.number]);
  expect(await f({ key: 'tier', gte: '2', lt: '3' })).toEqual([c.number]);
  expect(await f({ key: 'environment', notIn: ['production'] })).toEqual([b.number, c.number, d.number]);
  expect(await f({ key: 'owner', isNull: false })).toEqual([a.number, c.number]);
  expect(await f({ key: 'tier', isNull: true })).toEqual([d.number]);
  expect(await f({ key: 'site', in: [] })).toEqual([]);
  expect(await f({ key: 'due_review', gte: '2026-01-01' }, { key: 'site', eq: 'paris' })).toEqual([b.number]);
});

test('a search on one field starts from its (field_id, value) index on both databases', async () => {
  const { db, services } = s.app;
  // The statement tickets(query:) runs for the condition, compiled as the server compiles it, then explained.
  const explain = async (filter: TicketFilter) => {
    const qb = db.manager.createQueryBuilder(Ticket, 't').select('t.id');
    new TicketFilterCompiler(qb, db.dialect, 't', services.customFields).apply(filter);
    const [sql, params] = qb.getQueryAndParameters();
    return JSON.stringify(await db.manager.query(db.dialect === 'sqlite' ? `EXPLAIN QUERY PLAN ${sql}` : `EXPLAIN ${sql}`, params));
  };
  const byChoice = await explain({ customFields: [{ key: 'site', eq: 'berlin' }] });
  const byRange = await explain({ customFields: [{ key: 'tier', gt: '2' }] });
  const byDay = await explain({ customFields: [{ key: 'due_review', lt: '2026-01-01' }] });
  if (db.dialect === 'sqlite') {
    expect(byChoice).toMatch(/SEARCH v USING (COVERING )?INDEX IDX_\w+ \(field_id=\? AND value_text=\?\)/);
    expect(byRange).toMatch(/SEARCH v USING (COVERING )?INDEX IDX_\w+ \(field_id=\? AND value_number>\?\)/);
    expect(byDay).toMatch(/SEARCH v USING (COVERING )?INDEX IDX_\w+ \(field_id=\? AND value_date<\?\)/);
    for (const p of [byChoice, byRange, byDay]) expect(p).not.toMatch(/SCAN v\b/);
  } else {
    for (const [p, column] of [[byChoice, 'value_text'], [byRange, 'value_number'], [byDay, 'value_date']] as const) {
      const v = (JSON.parse(p) as { table: string; key: string | null; type: string }[]).find((r) => r.table === 'v');
      expect({ column, type: v?.type, key: v?.key }).toEqual({ column, type: expect.stringMatching(/^(ref|range|eq_ref)$/), key: expect.stringMatching(/^IDX_/) });
    }
  }
});

test('mail: the Created mail lists the values, the Updated mail names the changed field by title', async () => {
  const x = await ticket({ subject: 'Mailed', assignees: ['grace'], customFields: [{ key: 'site', choice: 'paris' }, { key: 'environment', choices: ['dev', 'production'] }, { key: 'tier', number: 2 }] });
  const [created] = await sink.waitFor(new RegExp(`^Ticket #${x.number} Created: Mailed$`));
  expect(created.envelopeTo).toEqual(['grace@example.com']);
  expect(created.mail.text).toContain('Site: Paris\nSupport tier: 2\nEnvironment: production, dev\n');
  const u = await s.gql(T_UPDATE, { id: x.id, input: { customFields: [{ key: 'site', choice: 'berlin' }, { key: 'tier' }, { key: 'api', text: 'Orders' }] } }, ada);
  expect(u.data.ticketUpdate.userErrors).toEqual([]);
  const [updated] = await sink.waitFor(new RegExp(`^Ticket #${x.number} Updated: Mailed$`));
  expect(updated.envelopeTo).toEqual(['grace@example.com']);
  expect(updated.mail.text).toContain('Ada Lovelace changed Site to: Berlin');
  expect(updated.mail.text).toContain('Ada Lovelace changed Support tier to: (none)');
  expect(updated.mail.text).toContain('Ada Lovelace changed API to: Orders');
  expect(updated.mail.html).toContain('Ada Lovelace changed Site to: Berlin');
});

test('webhooks carry the values on the ticket and the field key on each change', async () => {
  const hook = await s.gql(`mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { userErrors { field code message } } }`, { i: { url: hookUrl, events: ['TICKET_UPDATED'], query: 'cf.site:berlin|oslo' } });
  expect(hook.data.webhookCreate.userErrors).toEqual([]);
  const bad = await s.gql(`mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { userErrors { field code message } } }`, { i: { url: hookUrl, events: ['TICKET_UPDATED'], query: 'cf.tier:lots' } });
  expect(bad.data.webhookCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'query'], message: expect.stringMatching(/cf\.tier: "lots" is not a number/) })]);
  const u = await s.gql(T_UPDATE, { id: t.a.id, input: { customFields: [{ key: 'tier', number: 5 }] } }, ada);
  expect(u.data.ticketUpdate.userErrors).toEqual([]);
  // Not delivered: ticket b is in Paris.
  await s.gql(T_UPDATE, { id: t.b.id, input: { customFields: [{ key: 'tier', number: 2 }] } }, ada);
  await eventually('the webhook delivered', () => hooks.length > 0);
  const [body] = hooks;
  expect(body.ticket.number).toBe(t.a.number);
  expect(body.ticket.customFields).toEqual({ site: 'berlin', tier: '5', due_review: '2025-12-01', environment: ['production', 'staging'], owner: 'grace', api: 'Payments' });
  expect(body.changes).toEqual([expect.objectContaining({ type: 'CHANGE', field: 'custom_field', customField: 'tier', previous: '3', value: '5' })]);
  // A webhook whose query names a field deleted since matches nothing; ticket writes go on.
  await field({ key: 'doomed', type: 'NUMBER' });
  const doomed = await s.gql(`mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { userErrors { message } } }`, { i: { url: hookUrl, events: ['TICKET_UPDATED'], query: 'cf.doomed:>1' } });
  expect(doomed.data.webhookCreate.userErrors).toEqual([]);
  expect((await s.gql(`mutation { customFieldDelete(key: "doomed") { userErrors { message } } }`)).data.customFieldDelete.userErrors).toEqual([]);
  const still = await s.gql(T_UPDATE, { id: t.c.id, input: { customFields: [{ key: 'tier', number: 2.5 }, { key: 'api', text: 'Webhooks' }] } }, ada);
  expect(still.data.ticketUpdate.userErrors).toEqual([]);
  // Deliveries are written in the transaction of the change: none was for ticket b (or c).
  const deliveries = await s.app.db.manager.find(WebhookDelivery);
  expect(deliveries.map((d) => d.ticketId)).toEqual([rowIdOf('Ticket', t.a.id)]);
});

test('subscriptions: ticketChanged(query: "cf.…") is matched in memory like tickets(query:), and the change names the field', async () => {
  const c = wsClient(s.url, { Authorization: `Bearer ${ADMIN_KEY}` });
  clients.push(c);
  const CHANGED = `subscription($q: String) { ticketChanged(query: $q) { ticket { number customFields { key display } } change { field customFieldKey oldValue newValue } } }`;
  const CREATED = `subscription($f: TicketFilter) { ticketCreated(filter: $f) { number } }`;
  const queries = ['cf.site:berlin', 'cf.tier:>2', 'cf.tier:none', '-cf.environment:dev', 'cf.due_review:<2026-01-01', 'cf.owner:grace|ada', 'cf.api:payments'];
  const subs = queries.map((q) => ({ q, r: c.subscribe<any>(CHANGED, { q }) }));
  const filters = [{ key: 'site', in: ['paris', 'oslo'] }, { key: 'tier', gte: '2', lte: '3' }, { key: 'environment', notIn: ['production'] }, { key: 'owner', isNull: true }, { key: 'api', eq: 'PAYMENTS' }];
  const created = filters.map((f) => ({ f, r: c.subscribe<any>(CREATED, { f: { customFields: [f], subject: { contains: 'Streamed' } } }) }));
  await eventually('subscriptions registered', () => s.app.services.ticketStream.subscriberCount === queries.length + filters.length);
  const all = c.subscribe<any>(CHANGED, { q: null });
  await eventually('all registered', () => s.app.services.ticketStream.subscriberCount === queries.length + filters.length + 1);

  const made: number[] = [];
  for (const input of [
    { subject: 'Streamed one', category: 'hardware', customFields: [{ key: 'site', choice: 'oslo' }, { key: 'tier', number: 3 }, { key: 'api', text: 'Payments' }] },
    { subject: 'Streamed two', customFields: [{ key: 'environment', choices: ['production'] }, { key: 'owner', user: 'ada' }] },
  ]) made.push((await ticket(input)).number);
  for (const [name, api] of [['a', 'Stream a'], ['b', 'Stream b'], ['c', 'Stream c'], ['d', 'Stream d']] as const) {
    const u = await s.gql(T_UPDATE, { id: t[name].id, input: { customFields: [{ key: 'api', text: api }] } }, ada);
    expect(u.data.ticketUpdate.userErrors).toEqual([]);
  }
  await eventually('4 changes streamed', () => all.events.filter((e) => e.ticketChanged.change?.customFieldKey === 'api').length === 4);
  const change = all.events.find((e) => e.ticketChanged.ticket.number === t.b.number)!.ticketChanged;
  expect(change.change).toEqual({ field: 'CUSTOM_FIELD', customFieldKey: 'api', oldValue: null, newValue: 'Stream b' });
  expect(change.ticket.customFields).toEqual(expect.arrayContaining([{ key: 'api', display: 'Stream b' }]));

  const changed = [t.a.number, t.b.number, t.c.number, t.d.number];
  for (const { q, r } of subs) {
    // Judged after the change (the api value is the new one), as the dispatcher judges it.
    const expected = (await numbers({ q })).filter((n) => changed.includes(n));
    await r.waitFor(expected.length).catch(() => undefined);
    const got = r.events.filter((e) => e.ticketChanged.change?.customFieldKey === 'api').map((e) => e.ticketChanged.ticket.number).sort((x: number, y: number) => x - y);
    expect({ q, got }).toEqual({ q, got: expected });
  }
  for (const { f, r } of created) {
    const expected = (await numbers({ f: { customFields: [f] } })).filter((n) => made.includes(n));
    await r.waitFor(expected.length).catch(() => undefined);
    expect({ f, got: r.events.map((e) => e.ticketCreated.number).sort((x: number, y: number) => x - y) }).toEqual({ f, got: expected });
  }
});

test('orderBy a custom field: values in order, tickets without a value last, keyset pages neither skip nor repeat', async () => {
  const order = (customField: string, direction: string) => [{ field: 'CUSTOM_FIELD', customField, direction }];
  const q = '-subject:History -subject:Mailed -subject:Streamed';
  const pages = async (o: unknown): Promise<number[]> => {
    const seen: number[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r: any = await s.gql(SEARCH, { q, o, first: 1, after });
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.tickets.edges.map((e: any) => e.node.number));
      if (!r.data.tickets.pageInfo.hasNextPage) break;
      after = r.data.tickets.pageInfo.endCursor;
    }
    return seen;
  };
  const whole = async (o: unknown) => ((await s.gql(SEARCH, { q, o, first: 100 })).data.tickets.edges as any[]).map((e) => e.node.number);
  for (const [key, direction] of [['tier', 'ASC'], ['tier', 'DESC'], ['due_review', 'ASC'], ['site', 'DESC'], ['owner', 'ASC'], ['environment', 'ASC']]) {
    const all = await whole(order(key, direction));
    expect({ key, direction, paged: await pages(order(key, direction)) }).toEqual({ key, direction, paged: all });
  }
  const { a, b, c, d } = t;
  // a: tier 5 (set by the webhook test) or 3, b: 1 or 2, c: 2.5, d: none.
  const byTier = await whole(order('tier', 'ASC'));
  expect(byTier.indexOf(d.number)).toBe(byTier.length - 1);
  expect(byTier.slice(0, 3)).toEqual([b.number, c.number, a.number]);
  expect((await whole(order('due_review', 'ASC'))).slice(0, 2)).toEqual([a.number, b.number]);
  const bad = await s.gql(SEARCH, { o: [{ field: 'CUSTOM_FIELD', customField: 'nope' }], first: 1 });
  expect(bad.errors?.[0].message).toMatch(/no custom field nope/);
  const missing = await s.gql(SEARCH, { o: [{ field: 'CUSTOM_FIELD' }], first: 1 });
  expect(missing.errors?.[0].message).toMatch(/needs customField/);
});

test('saved searches keep custom field conditions and orderBy', async () => {
  const r = await s.gql(
    `mutation($i: SavedSearchCreateInput!) { savedSearchCreate(input: $i) { savedSearch { query filter orderBy { field direction customField } tickets(first: 10) { edges { node { number } } } } userErrors { field code message } } }`,
    { i: { name: 'Berlin and Paris by tier', query: 'cf.site:berlin|paris', filter: { customFields: [{ key: 'tier', isNull: false }] }, orderBy: [{ field: 'CUSTOM_FIELD', customField: 'tier', direction: 'DESC' }] } },
  );
  expect(r.data.savedSearchCreate.userErrors).toEqual([]);
  const ss = r.data.savedSearchCreate.savedSearch;
  expect(ss.filter).toEqual({ customFields: [{ key: 'tier', isNull: false }] });
  expect(ss.orderBy).toEqual([{ field: 'CUSTOM_FIELD', direction: 'DESC', customField: 'tier' }]);
  expect(ss.tickets.edges.map((e: any) => e.node.number)).toEqual([t.a.number, t.b.number]);
  const bad = await s.gql(`mutation($i: SavedSearchCreateInput!) { savedSearchCreate(input: $i) { userErrors { field code message } } }`, { i: { name: 'bad', filter: { customFields: [{ key: 'tier', gt: 'many' }] } } });
  expect(bad.data.savedSearchCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'filter'], message: expect.stringMatching(/cf\.tier: "many" is not a number/) })]);
});

test('a custom field is a Node: its global id refetches it through node(id:), for any signed-in caller', async () => {
  const made = await s.gql(`mutation { customFieldCreate(input: { key: "rack", title: "Rack", type: TEXT }) { customField { id key } userErrors { message } } }`);
  const { id } = made.data.customFieldCreate.customField;
  expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  const viewer = await s.user('cfreader', []);
  const r = await s.gql(`query($id: ID!) { node(id: $id) { __typename id ... on CustomField { key title type } } }`, { id }, viewer);
  expect(r.data.node).toEqual({ __typename: 'CustomField', id, key: 'rack', title: 'Rack', type: 'TEXT' });
  const listed = await s.gql(`{ customFields { id key } }`, {}, viewer);
  expect(listed.data.customFields).toContainEqual({ id, key: 'rack' });
  expect((await s.gql(`mutation { customFieldDelete(key: "rack") { customField { id } userErrors { message } } }`)).data.customFieldDelete.customField.id).toBe(id);
  expect((await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, viewer)).data.node).toBeNull();
});
