import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config/config';
import { Ticket } from '../src/entities/ticket.entity';
import { CREATE, UPDATE } from './helpers/documents';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/* The helpdesk workflow, requesters, read state and form metadata, through the real server. */

let s: TestServer;
let alice: string; // agent
let bob: string; // agent
let carol: string; // requester without edit rights

const T = `id number status version locked resolution resolvedAt resolvedBy { username } requester { username } assignees { username } closedAt`;
const ACTIONS = {
  pickUp: `mutation($id: ID!) { ticketPickUp(id: $id) { ticket { ${T} } userErrors { field code message } } }`,
  resolve: `mutation($id: ID!, $r: String!) { ticketResolve(id: $id, input: { resolution: $r }) { ticket { ${T} } userErrors { field code message } } }`,
  close: `mutation($id: ID!, $c: String, $n: Boolean) { ticketClose(id: $id, input: { comment: $c, notifyRequester: $n }) { ticket { ${T} } userErrors { field code message } } }`,
  reopen: `mutation($id: ID!, $r: String!) { ticketReopen(id: $id, input: { reason: $r }) { ticket { ${T} } userErrors { field code message } } }`,
  reply: `mutation($id: ID!, $b: String!) { ticketReply(id: $id, input: { body: $b }) { change { type body author { username } } ticket { ${T} } userErrors { field code message } } }`,
  markRead: `mutation($id: ID!) { ticketMarkRead(id: $id) { ticket { id } userErrors { message } } }`,
};

async function act(doc: keyof typeof ACTIONS, vars: Record<string, unknown>, key: string) {
  const r = await s.gql(ACTIONS[doc], vars, key);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return Object.values(r.data)[0] as { ticket: any; userErrors: { field: string[]; code: string; message: string }[]; change?: any };
}

async function create(input: Record<string, unknown>, key = alice): Promise<{ id: string; number: number; status: string }> {
  const r = await s.gql(CREATE, { input }, key);
  if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
  return r.data.ticketCreate.ticket;
}

const statusHistory = async (id: string) =>
  (await s.gql(`query($id: ID!) { ticket(id: $id) { changes(first: 100, types: [CHANGE, COMMENT]) { edges { node { type field newValue body } } } } }`, { id })).data.ticket.changes.edges.map((e: any) => e.node);

beforeAll(async () => {
  s = await startTestServer();
  await s.gql(`mutation { categoryCreate(input: { key: "it" }) { userErrors { message } } }`);
  await s.gql(`mutation { tagCreate(input: { key: "vpn" }) { userErrors { message } } }`);
  alice = await s.user('alice');
  bob = await s.user('bob');
  carol = await s.user('carol', []);
});
afterAll(() => s?.close());

describe('workflow actions', () => {
  test('pick up, hold, pick up again, resolve, close and reopen, each recorded', async () => {
    const t = await create({ subject: 'VPN down' });
    expect(t.status).toBe('OPEN');

    const picked = await act('pickUp', { id: t.id }, bob);
    expect(picked.userErrors).toEqual([]);
    expect(picked.ticket).toMatchObject({ status: 'IN_PROGRESS', assignees: [{ username: 'bob' }] });

    await s.gql(UPDATE, { id: t.id, input: { status: 'ON_HOLD' } }, bob);
    const again = await act('pickUp', { id: t.id }, bob);
    expect(again.ticket).toMatchObject({ status: 'IN_PROGRESS', assignees: [{ username: 'bob' }] }); // not assigned twice

    const resolved = await act('resolve', { id: t.id, r: 'Restarted the **VPN** gateway' }, bob);
    expect(resolved.userErrors).toEqual([]);
    expect(resolved.ticket).toMatchObject({ status: 'RESOLVED', resolution: 'Restarted the **VPN** gateway', resolvedBy: { username: 'bob' } });
    expect(Date.parse(resolved.ticket.resolvedAt)).toBeGreaterThan(Date.now() - 60_000);

    const closed = await act('close', { id: t.id, c: 'Confirmed with the user', n: true }, alice);
    expect(closed.ticket).toMatchObject({ status: 'CLOSED' });
    expect(closed.ticket.closedAt).not.toBeNull();
    const mails = await s.app.db.manager.query("SELECT kind FROM outbox WHERE ticket_id = (SELECT id FROM ticket WHERE number = ?) AND kind = 'mail.ticket_closed'", [t.number]);
    expect(mails).toHaveLength(1);

    const reopened = await act('reopen', { id: t.id, r: 'It broke again' }, alice);
    expect(reopened.ticket).toMatchObject({ status: 'OPEN', resolvedAt: null, resolution: 'Restarted the **VPN** gateway', closedAt: null });

    const history = await statusHistory(t.id);
    // One person's edits of one field within a minute collapse into one entry (core history rule).
    expect(history.filter((h: any) => h.field === 'STATUS').map((h: any) => h.newValue)).toEqual(['RESOLVED', 'OPEN']);
    expect(history.find((h: any) => h.field === 'RESOLUTION').newValue).toBe('Restarted the **VPN** gateway');
    expect(history.filter((h: any) => h.type === 'COMMENT').map((h: any) => h.body)).toEqual(['Confirmed with the user', 'Reopened: It broke again']);
  });

  test('refused transitions are userErrors naming both states, and nothing changes', async () => {
    const draft = await create({ subject: 'Not ready', status: 'DRAFT' });
    const r1 = await act('resolve', { id: draft.id, r: 'done' }, alice);
    expect(r1.userErrors).toEqual([{ field: ['input', 'status'], code: 'INVALID_TRANSITION', message: 'A ticket cannot go from Draft to Resolved' }]);

    const open = await create({ subject: 'Fresh' });
    const r2 = await act('reopen', { id: open.id, r: 'why not' }, alice);
    expect(r2.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/Only resolved or closed tickets reopen; this one is open/) });

    const r3 = await s.gql(UPDATE, { id: open.id, input: { status: 'RESOLVED' } }, alice);
    expect(r3.data.ticketUpdate.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/ticketResolve/) });

    await s.gql(UPDATE, { id: open.id, input: { status: 'CLOSED' } }, alice);
    const r4 = await s.gql(UPDATE, { id: open.id, input: { status: 'ON_HOLD', subject: 'Changed too' } }, alice);
    expect(r4.data.ticketUpdate.userErrors).toEqual([{ field: ['input', 'status'], code: 'INVALID_TRANSITION', message: 'A ticket cannot go from Closed to On hold' }]);
    const after = await s.gql(`query($id: ID!) { ticket(id: $id) { subject status } }`, { id: open.id });
    expect(after.data.ticket).toEqual({ subject: 'Fresh', status: 'CLOSED' });

    const blank = await act('resolve', { id: open.id, r: '   ' }, alice);
    expect(blank.userErrors[0]).toMatchObject({ field: ['input', 'resolution'], code: 'BLANK' });
  });

  test('ticketUpdate follows the default transition table for every pair of statuses', async () => {
    const statuses = ['draft', 'open', 'in_progress', 'on_hold', 'resolved', 'closed'];
    const allowed: Record<string, string[]> = {
      draft: ['open'],
      open: ['in_progress', 'on_hold', 'closed'],
      in_progress: ['on_hold', 'open', 'closed'],
      on_hold: ['in_progress', 'open', 'closed'],
      resolved: ['closed', 'open'],
      closed: ['open'],
    };
    const t = await create({ subject: 'Matrix' });
    for (const from of statuses) {
      for (const to of statuses.filter((x) => x !== from)) {
        await s.app.db.manager.update(Ticket, { number: t.number }, { status: from as never });
        const r = await s.gql(UPDATE, { id: t.id, input: { status: to.toUpperCase() } }, alice);
        const errors = r.data.ticketUpdate.userErrors;
        if (allowed[from].includes(to)) expect([from, to, errors]).toEqual([from, to, []]);
        else expect([from, to, errors[0]?.code]).toEqual([from, to, 'INVALID_TRANSITION']);
      }
    }
  });

  test('actions need edit_tickets', async () => {
    const t = await create({ subject: 'Privileges' });
    const r = await s.gql(ACTIONS.pickUp, { id: t.id }, carol);
    expect(r.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('requesters and replies', () => {
  test('the requester defaults to the creator and can be someone else', async () => {
    const own = await s.gql(`mutation { ticketCreate(input: { subject: "Mine" }) { ticket { requester { username } } } }`, {}, alice);
    expect(own.data.ticketCreate.ticket.requester).toEqual({ username: 'alice' });
    const forCarol = await s.gql(`mutation { ticketCreate(input: { subject: "For Carol", requester: "carol" }) { ticket { requester { username } } } }`, {}, alice);
    expect(forCarol.data.ticketCreate.ticket.requester).toEqual({ username: 'carol' });
    const nobody = await s.gql(`mutation { ticketCreate(input: { subject: "For nobody", requester: "ghost" }) { ticket { id } userErrors { field code } } }`, {}, alice);
    expect(nobody.data.ticketCreate.userErrors).toEqual([{ field: ['input', 'requester'], code: 'NOT_FOUND' }]);
  });

  test("the requester's reply reopens a resolved or closed ticket unless it is locked", async () => {
    const t = await create({ subject: 'Printer', requester: 'carol' });
    await act('resolve', { id: t.id, r: 'Replaced toner' }, bob);
    const reply = await act('reply', { id: t.id, b: 'Still streaky' }, carol);
    expect(reply.userErrors).toEqual([]);
    expect(reply.change).toMatchObject({ type: 'COMMENT', body: 'Still streaky', author: { username: 'carol' } });
    expect(reply.ticket.status).toBe('OPEN');

    await act('close', { id: t.id }, bob);
    await s.gql(UPDATE, { id: t.id, input: { locked: true } }, bob);
    const locked = await act('reply', { id: t.id, b: 'Hello?' }, carol);
    expect(locked.change.body).toBe('Hello?');
    expect(locked.ticket).toMatchObject({ status: 'CLOSED', locked: true });

    const notRequester = await s.gql(ACTIONS.reply, { id: t.id, b: 'me too' }, alice);
    expect(notRequester.data.ticketReply).toMatchObject({ change: null, ticket: null, userErrors: [{ code: 'FORBIDDEN', message: 'Only the requester of a ticket can reply to it' }] });
  });
});

describe('read state', () => {
  const UNREAD = `query($id: ID!) { ticket(id: $id) { unread } viewer { unreadCount } }`;
  const state = async (id: string, key: string) => {
    const r = await s.gql(UNREAD, { id }, key);
    return { unread: r.data.ticket.unread, count: r.data.viewer.unreadCount };
  };

  test('changes by others make a ticket unread until marked read; your own do not', async () => {
    const dave = await s.user('dave');
    const erin = await s.user('erin');
    const t = (await s.gql(CREATE, { input: { subject: 'Read me', assignees: ['erin'] } }, dave)).data.ticketCreate.ticket;
    expect(await state(t.id, dave)).toEqual({ unread: false, count: 0 });
    expect(await state(t.id, erin)).toEqual({ unread: true, count: 1 });

    await s.gql(ACTIONS.markRead, { id: t.id }, erin);
    expect(await state(t.id, erin)).toEqual({ unread: false, count: 0 });

    await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } } }`, { i: { ticketId: t.id, body: 'ping' } }, dave);
    expect(await state(t.id, erin)).toEqual({ unread: true, count: 1 });
    expect(await state(t.id, dave)).toEqual({ unread: false, count: 0 });

    await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } } }`, { i: { ticketId: t.id, body: 'pong' } }, erin);
    expect(await state(t.id, erin)).toEqual({ unread: false, count: 0 });
    expect(await state(t.id, dave)).toEqual({ unread: true, count: 1 });
  });
});

test('ticketMetadata has everything a form needs', async () => {
  const r = await s.gql(`{ ticketMetadata { types statuses priorities categories { key } tags { key } users { username } workflow { initial transitions { from to } } } }`, {}, alice);
  expect(r.errors).toBeUndefined();
  const m = r.data.ticketMetadata;
  expect(m.types).toContain('MAINTENANCE');
  expect(m.statuses).toEqual(['DRAFT', 'OPEN', 'IN_PROGRESS', 'ON_HOLD', 'RESOLVED', 'CLOSED']);
  expect(m.priorities).toEqual(['LOW', 'NORMAL', 'HIGH', 'URGENT']);
  expect(m.categories).toEqual([{ key: 'it' }]);
  expect(m.tags).toEqual([{ key: 'vpn' }]);
  expect(m.users.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['admin', 'alice', 'bob', 'carol']));
  expect(m.workflow.initial).toBe('OPEN');
  expect(m.workflow.transitions).toContainEqual({ from: 'RESOLVED', to: ['CLOSED', 'OPEN'] });
});

test('admins list deleted tickets with includeDeleted; others may not', async () => {
  const t = await create({ subject: 'Delete me' });
  await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { deletedId } }`, { id: t.id });
  const q = `{ tickets(includeDeleted: true, query: "subject:delete") { totalCount edges { node { number deletedAt } } } }`;
  const admin = await s.gql(q, {}, ADMIN_KEY);
  expect(admin.data.tickets.edges).toEqual([{ node: { number: t.number, deletedAt: expect.any(String) } }]);
  expect((await s.gql(`{ tickets(query: "subject:delete") { totalCount } }`, {}, ADMIN_KEY)).data.tickets.totalCount).toBe(0);
  expect((await s.gql(q, {}, alice)).errors![0].extensions!.code).toBe('FORBIDDEN');
});

describe('custom workflow', () => {
  let custom: TestServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-wf-'));
  afterAll(() => custom?.close());

  test('WORKFLOW_FILE sets the initial state and the allowed transitions', async () => {
    const file = path.join(dir, 'workflow.json');
    fs.writeFileSync(file, JSON.stringify({ initial: 'in_progress', transitions: { in_progress: ['closed'], closed: [] } }));
    custom = await startTestServer({ WORKFLOW_FILE: file });
    const t = (await custom.gql(CREATE, { input: { subject: 'Custom' } })).data.ticketCreate.ticket;
    expect(t.status).toBe('IN_PROGRESS');
    const hold = await custom.gql(UPDATE, { id: t.id, input: { status: 'ON_HOLD' } });
    expect(hold.data.ticketUpdate.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION', message: 'A ticket cannot go from In progress to On hold' });
    const close = await custom.gql(`mutation($id: ID!) { ticketClose(id: $id) { ticket { status } userErrors { code } } }`, { id: t.id });
    expect(close.data.ticketClose).toEqual({ ticket: { status: 'CLOSED' }, userErrors: [] });
    const reopen = await custom.gql(`mutation($id: ID!) { ticketReopen(id: $id, input: { reason: "x" }) { userErrors { code message } } }`, { id: t.id });
    expect(reopen.data.ticketReopen.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION', message: 'A ticket cannot go from Closed to Open' });
    const meta = await custom.gql(`{ ticketMetadata { workflow { initial transitions { from to } } } }`);
    expect(meta.data.ticketMetadata.workflow.initial).toBe('IN_PROGRESS');
    expect(meta.data.ticketMetadata.workflow.transitions).toContainEqual({ from: 'IN_PROGRESS', to: ['CLOSED'] });
  });

  test('a malformed workflow file stops the server with a message naming it', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ initial: 'nope', transitions: { open: ['flying'] } }));
    expect(() => loadConfig({ WORKFLOW_FILE: file })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKFLOW_FILE: file })).toThrow(/WORKFLOW_FILE: "initial" must be one of[\s\S]*transitions\.open/);
    expect(() => loadConfig({ WORKFLOW_FILE: path.join(dir, 'missing.json') })).toThrow(/not readable JSON/);
  });
});

describe('categories, tags and groups', () => {
  const GROUP = `mutation($i: GroupCreateInput!) { groupCreate(input: $i) { group { id key title members { username } } userErrors { field code message } } }`;
  const CATEGORY = `mutation($i: CategoryCreateInput!) { categoryCreate(input: $i) { category { id key title autoAssign group { key } } userErrors { field code message } } }`;

  test('each has its own privilege; admins have them all', async () => {
    const curator = await s.user('curator', ['MANAGE_TAGS']);
    const tag = await s.gql(`mutation { tagCreate(input: { key: "printer", title: "Printers" }) { tag { id key title } userErrors { message } } }`, {}, curator);
    expect(tag.data.tagCreate.tag).toMatchObject({ key: 'printer', title: 'Printers' });
    const cat = await s.gql(CATEGORY, { i: { key: 'hr' } }, curator);
    expect(cat.errors![0].extensions!.code).toBe('FORBIDDEN');
    const grp = await s.gql(GROUP, { i: { key: 'ops' } }, curator);
    expect(grp.errors![0].extensions!.code).toBe('FORBIDDEN');

    const renamed = await s.gql(`mutation($id: ID!) { tagUpdate(id: $id, input: { title: "Printing" }) { tag { key title } userErrors { message } } }`, { id: tag.data.tagCreate.tag.id }, curator);
    expect(renamed.data.tagUpdate.tag).toEqual({ key: 'printer', title: 'Printing' });
    const taken = await s.gql(`mutation($id: ID!) { tagUpdate(id: $id, input: { key: "vpn" }) { userErrors { field code } } }`, { id: tag.data.tagCreate.tag.id }, curator);
    expect(taken.data.tagUpdate.userErrors).toEqual([{ field: ['input', 'key'], code: 'TAKEN' }]);

    const tagged = await create({ subject: 'Tagged', tags: ['printer'] });
    const gone = await s.gql(`mutation($id: ID!) { tagDelete(id: $id) { deletedId userErrors { message } } }`, { id: tag.data.tagCreate.tag.id }, curator);
    expect(gone.data.tagDelete.deletedId).toBe(tag.data.tagCreate.tag.id);
    expect((await s.gql(`query($id: ID!) { ticket(id: $id) { tags { key } } }`, { id: tagged.id })).data.ticket.tags).toEqual([]);
  });

  test('a category in use cannot be deleted', async () => {
    const c = await s.gql(CATEGORY, { i: { key: 'facilities' } });
    await create({ subject: 'Broken chair', category: 'facilities' });
    const del = await s.gql(`mutation($id: ID!) { categoryDelete(id: $id) { deletedId userErrors { code message } } }`, { id: c.data.categoryCreate.category.id });
    expect(del.data.categoryDelete).toEqual({ deletedId: null, userErrors: [{ code: 'IN_USE', message: expect.stringMatching(/Tickets use this category/) }] });
  });

  test("new tickets in an auto-assigning category go round-robin to its group's members", async () => {
    const g = await s.gql(GROUP, { i: { key: 'desk', title: 'Service desk', members: ['bob', 'alice'] } });
    expect(g.data.groupCreate.group).toMatchObject({ key: 'desk', members: [{ username: 'alice' }, { username: 'bob' }] });
    const badMember = await s.gql(GROUP, { i: { key: 'ghosts', members: ['nobody'] } });
    expect(badMember.data.groupCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'members'], code: 'NOT_FOUND' })]);

    const c = await s.gql(CATEGORY, { i: { key: 'helpdesk', group: 'desk', autoAssign: true } });
    expect(c.data.categoryCreate.category).toMatchObject({ autoAssign: true, group: { key: 'desk' } });

    const assigned: string[] = [];
    for (let i = 0; i < 4; i++) {
      const t = (await s.gql(CREATE, { input: { subject: `Auto ${i}`, category: 'helpdesk' } }, alice)).data.ticketCreate.ticket;
      assigned.push(t.assignees.map((u: { username: string }) => u.username).join());
    }
    expect(assigned).toEqual(['alice', 'bob', 'alice', 'bob']);
    // Explicit assignees win; categories without auto-assignment leave tickets unassigned.
    const explicit = (await s.gql(CREATE, { input: { subject: 'Mine', category: 'helpdesk', assignees: ['carol'] } }, alice)).data.ticketCreate.ticket;
    expect(explicit.assignees).toEqual([{ username: 'carol' }]);
    const meta = await s.gql(`{ ticketMetadata { groups { key } } }`, {}, alice);
    expect(meta.data.ticketMetadata.groups.map((x: { key: string }) => x.key)).toContain('desk');
  });

  test('a ticket moved into an auto-assigning category goes to the next group member, unless it has an assignee', async () => {
    // Follows the round-robin above (alice, bob, alice, bob): the next member is alice.
    const UPDATE_CAT = `mutation($id: ID!, $i: TicketUpdateInput!) { ticketUpdate(id: $id, input: $i) { ticket { assignees { username } category { key } } userErrors { message } } }`;
    const moved = (await s.gql(CREATE, { input: { subject: 'Filed elsewhere' } }, alice)).data.ticketCreate.ticket;
    expect(moved.assignees).toEqual([]);
    const r = await s.gql(UPDATE_CAT, { id: moved.id, i: { category: 'helpdesk' } }, alice);
    expect(r.data.ticketUpdate).toEqual({ ticket: { assignees: [{ username: 'alice' }], category: { key: 'helpdesk' } }, userErrors: [] });
    const history = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(first: 10) { edges { node { type field } } } } }`, { id: moved.id }, alice);
    expect(history.data.ticket.changes.edges.map((e: { node: { field: string | null } }) => e.node.field)).toEqual(expect.arrayContaining(['CATEGORY', 'ASSIGNEES']));
    // Someone already on it keeps it; assignees given in the same update win.
    const owned = (await s.gql(CREATE, { input: { subject: 'Owned', assignees: ['carol'] } }, alice)).data.ticketCreate.ticket;
    expect((await s.gql(UPDATE_CAT, { id: owned.id, i: { category: 'helpdesk' } }, alice)).data.ticketUpdate.ticket.assignees).toEqual([{ username: 'carol' }]);
    const given = (await s.gql(CREATE, { input: { subject: 'Given' } }, alice)).data.ticketCreate.ticket;
    expect((await s.gql(UPDATE_CAT, { id: given.id, i: { category: 'helpdesk', assignees: ['carol'] } }, alice)).data.ticketUpdate.ticket.assignees).toEqual([{ username: 'carol' }]);
  });
});
