import { CREATE, TICKET_FIELDS, UPDATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
let alice: string;

beforeAll(async () => {
  s = await startTestServer({ BODY_MAX_BYTES: '2000' });
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  for (const key of ['important', 'release']) await s.gql(`mutation { tagCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  alice = await s.user('alice');
  await s.user('bob');
});
afterAll(() => s?.close());

const countTickets = async () => (await s.gql(`{ tickets { totalCount } }`)).data.tickets.totalCount as number;

describe('ticketCreate', () => {
  test('creates a ticket with every field, keeps subject and body as typed, and records one CREATED entry', async () => {
    const r = await s.gql(CREATE, {
      input: {
        subject: '  Disk <b>full</b> on db-1 <script>alert(1)</script> ',
        body: 'Free space is **low**.<script>alert(1)</script><!-- hidden --><iframe src="x"></iframe>\n\n<b>bold</b> stays as text',
        type: 'MAINTENANCE',
        status: 'OPEN',
        priority: 'HIGH',
        category: 'database',
        tags: ['important', 'release', 'important'],
        server: 'db-1',
        assignees: ['bob', 'alice'],
        cc: ['alice'],
        notify: ['ops@example.com', 'OPS@example.com', 'oncall@example.org'],
        due: '2030-01-15T10:00:00Z',
      },
    }, alice);
    expect(r.errors).toBeUndefined();
    const t = r.data.ticketCreate.ticket;
    expect(r.data.ticketCreate.userErrors).toEqual([]);
    expect(t).toMatchObject({
      number: 1,
      subject: 'Disk <b>full</b> on db-1 <script>alert(1)</script>',
      body: 'Free space is **low**.<script>alert(1)</script><!-- hidden --><iframe src="x"></iframe>\n\n<b>bold</b> stays as text',
      type: 'MAINTENANCE',
      status: 'OPEN',
      priority: 'HIGH',
      server: 'db-1',
      notify: ['ops@example.com', 'oncall@example.org'],
      due: '2030-01-15T10:00:00.000Z',
      version: 1,
      closedAt: null,
      deletedAt: null,
      category: { key: 'database' },
      tags: [{ key: 'important' }, { key: 'release' }],
      assignees: [{ username: 'bob' }, { username: 'alice' }],
      cc: [{ username: 'alice' }],
      creator: { username: 'alice' },
    });
    expect(t.bodyHtml).toBe('<p>Free space is <strong>low</strong>.&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- hidden --&gt;&lt;iframe src="x"&gt;&lt;/iframe&gt;</p>\n<p>&lt;b&gt;bold&lt;/b&gt; stays as text</p>\n');
    const h = await s.gql(`query($id: ID!) { ticket(id: $id) { changes { totalCount edges { node { type author { username } } } } } }`, { id: t.id });
    expect(h.data.ticket.changes.totalCount).toBe(1);
    expect(h.data.ticket.changes.edges[0].node).toEqual({ type: 'CREATED', author: { username: 'alice' } });
  });

  test('takes the xyOps API\'s ticket types (task, bug, incident) alongside the guide\'s, and finds them by type', async () => {
    for (const type of ['TASK', 'BUG', 'INCIDENT']) {
      const r = await s.gql(CREATE, { input: { subject: `A ${type.toLowerCase()}`, type } }, alice);
      expect(r.data.ticketCreate.userErrors).toEqual([]);
      expect(r.data.ticketCreate.ticket.type).toBe(type);
    }
    const found = await s.gql(`{ tickets(query: "type:bug|incident") { edges { node { subject type } } } }`, {}, alice);
    expect(found.data.tickets.edges.map((e: { node: { type: string } }) => e.node.type).sort()).toEqual(['BUG', 'INCIDENT']);
  });

  test('takes a due date as Unix seconds, as the xyOps API sends it', async () => {
    const r = await s.gql(CREATE, { input: { subject: 'Epoch due', due: '1893456000' } }, alice);
    expect(r.data.ticketCreate.userErrors).toEqual([]);
    expect(r.data.ticketCreate.ticket.due).toBe('2030-01-01T00:00:00.000Z');
  });

  test('applies defaults and ignores any attempt to choose the creator', async () => {
    const r = await s.gql(CREATE, { input: { subject: 'Defaults' } }, alice);
    expect(r.data.ticketCreate.ticket).toMatchObject({ type: 'ISSUE', status: 'OPEN', priority: 'NORMAL', body: '', tags: [], assignees: [], notify: [], due: null, category: null, creator: { username: 'alice' } });
    const spoof = await s.gql(`mutation { ticketCreate(input: { subject: "x", creator: "bob" }) { ticket { id } } }`, {}, alice);
    expect(spoof.status).toBe(400);
    expect(spoof.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('escapes raw HTML and drops javascript: links in bodyHtml', async () => {
    const r = await s.gql(CREATE, { input: { subject: 'links', body: '[x](javascript:alert(1)) [ok](https://example.com) a < b & <img src=x onerror=alert(1)' } }, alice);
    const html = r.data.ticketCreate.ticket.bodyHtml as string;
    expect(html).not.toMatch(/href="javascript:/);
    expect(html).toContain('<a href="https://example.com">ok</a>');
    expect(html).not.toContain('<img');
    expect(html).toContain('a &lt; b &amp;');
  });

  // Regression (issue 15): a one-pass tag regex turned `<im<b>g ...>` into a live `<img onerror>`
  // and ate plain text such as `if a<b and c>d`. Text is now stored as typed; only the rendering is
  // made safe.
  test.each([
    ['Disk <im<b>g src=x onerror=alert(1)> full'],
    ['<scr<b>ipt>alert(1)</scr<b>ipt> [x](javascript:alert(1)) <a href="javascript:alert(1)" onclick="x()">a</a>'],
    ['if a<b and c>d'],
    ['List<T> and Map<K, V>'],
  ])('stores %j as typed in subject and body, and bodyHtml has no markup from it', async (text) => {
    const r = await s.gql(CREATE, { input: { subject: text, body: text } }, alice);
    expect(r.data.ticketCreate.userErrors).toEqual([]);
    const t = r.data.ticketCreate.ticket;
    expect(t).toMatchObject({ subject: text, body: text });
    const read = await s.gql(`query($id: ID!) { ticket(id: $id) { subject body bodyHtml } }`, { id: t.id });
    expect(read.data.ticket).toMatchObject({ subject: text, body: text });
    const html = read.data.ticket.bodyHtml as string;
    expect(html).not.toMatch(/<(script|img|a)\b/i);
    expect(html).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(html).not.toMatch(/<[^>]*javascript:/i);
  });

  test.each([
    [{ subject: '   ' }, ['input', 'subject'], 'BLANK'],
    [{ subject: ' \u0007\t ' }, ['input', 'subject'], 'BLANK'],
    [{ subject: 'x'.repeat(301) }, ['input', 'subject'], 'TOO_LONG'],
    [{ subject: 'ok', body: 'x'.repeat(2001) }, ['input', 'body'], 'TOO_LONG'],
    [{ subject: 'ok', category: 'nope' }, ['input', 'category'], 'NOT_FOUND'],
    [{ subject: 'ok', tags: ['important', 'nope'] }, ['input', 'tags'], 'NOT_FOUND'],
    [{ subject: 'ok', assignees: ['ghost'] }, ['input', 'assignees'], 'NOT_FOUND'],
    [{ subject: 'ok', cc: ['ghost'] }, ['input', 'cc'], 'NOT_FOUND'],
    [{ subject: 'ok', notify: ['not-an-email'] }, ['input', 'notify'], 'INVALID'],
    [{ subject: 'ok', notify: ['a@b.c\r\nBcc: x@y.z'] }, ['input', 'notify'], 'INVALID'],
    [{ subject: 'ok', due: 'next blue moon' }, ['input', 'due'], 'INVALID'],
    [{ subject: 'ok', due: '2026-02-30' }, ['input', 'due'], 'INVALID'],
  ])('refuses input %# with a userError on the field and writes nothing', async (input, field, code) => {
    const before = await countTickets();
    const r = await s.gql(CREATE, { input }, alice);
    expect(r.errors).toBeUndefined();
    expect(r.data.ticketCreate.ticket).toBeNull();
    expect(r.data.ticketCreate.userErrors).toEqual([expect.objectContaining({ field, code })]);
    expect(r.data.ticketCreate.userErrors[0].message.length).toBeGreaterThan(5);
    expect(await countTickets()).toBe(before);
  });

  test('reports every invalid field at once', async () => {
    const r = await s.gql(CREATE, { input: { subject: '', category: 'nope', assignees: ['ghost'], notify: ['bad'] } }, alice);
    expect(r.data.ticketCreate.userErrors.map((e: { field: string[] }) => e.field[1]).sort()).toEqual(['assignees', 'category', 'notify', 'subject']);
  });

  test('rejects an unknown enum value as a bad request', async () => {
    const r = await s.gql(`mutation { ticketCreate(input: { subject: "x", type: DEFECT }) { ticket { id } } }`, {}, alice);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].message).toMatch(/DEFECT/);
  });

  test('does not consume a ticket number when validation fails', async () => {
    const a = await s.gql(CREATE, { input: { subject: 'before' } }, alice);
    await s.gql(CREATE, { input: { subject: '' } }, alice);
    const b = await s.gql(CREATE, { input: { subject: 'after' } }, alice);
    expect(b.data.ticketCreate.ticket.number).toBe(a.data.ticketCreate.ticket.number + 1);
  });
});

describe('reads', () => {
  test('finds a ticket by global id, by number, by "#number" as id, and through node', async () => {
    const t = (await s.gql(CREATE, { input: { subject: 'Lookup' } }, alice)).data.ticketCreate.ticket;
    const r = await s.gql(
      `query($id: ID!, $n: Int!, $ns: ID!, $hash: ID!) {
        a: ticket(id: $id) { number } b: ticket(number: $n) { id } c: ticket(id: $ns) { id } d: ticket(id: $hash) { id }
        node(id: $id) { __typename id ... on Ticket { subject } }
      }`,
      { id: t.id, n: t.number, ns: String(t.number), hash: `#${t.number}` },
    );
    expect(r.data).toEqual({ a: { number: t.number }, b: { id: t.id }, c: { id: t.id }, d: { id: t.id }, node: { __typename: 'Ticket', id: t.id, subject: 'Lookup' } });
  });

  test('returns null for a missing ticket, a malformed id, or an id of another type', async () => {
    const viewer = await s.gql(`{ viewer { id } }`);
    const r = await s.gql(`query($u: ID!) { a: ticket(number: 99999) { id } b: ticket(id: "garbage!") { id } c: ticket(id: $u) { id } d: node(id: "Zm9vOjE") { id } }`, { u: viewer.data.viewer.id });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ a: null, b: null, c: null, d: null });
  });

  test('ticketsByIds answers in request order with null for each missing id', async () => {
    const a = (await s.gql(CREATE, { input: { subject: 'A' } }, alice)).data.ticketCreate.ticket;
    const b = (await s.gql(CREATE, { input: { subject: 'B' } }, alice)).data.ticketCreate.ticket;
    const r = await s.gql(`query($ids: [ID!]!) { ticketsByIds(ids: $ids) { subject } }`, { ids: [b.id, 'nope', a.id, String(b.number), '999999'] });
    expect(r.data.ticketsByIds).toEqual([{ subject: 'B' }, null, { subject: 'A' }, { subject: 'B' }, null]);
  });

  test('resolves users, categories and tags as nodes and lists them', async () => {
    const r = await s.gql(`{ categories { id key } tags { key } users(first: 10) { totalCount edges { node { id username } } } }`);
    expect(r.data.categories.map((c: { key: string }) => c.key)).toEqual(['database', 'network']);
    expect(r.data.tags.map((c: { key: string }) => c.key)).toEqual(['important', 'release']);
    expect(r.data.users.edges.map((e: { node: { username: string } }) => e.node.username)).toEqual(['admin', 'alice', 'bob']);
    const n = await s.gql(`query($c: ID!, $u: ID!) { c: node(id: $c) { __typename } u: node(id: $u) { ... on User { username } } }`, {
      c: r.data.categories[0].id,
      u: r.data.users.edges[1].node.id,
    });
    expect(n.data).toEqual({ c: { __typename: 'Category' }, u: { username: 'alice' } });
  });
});

describe('ticketUpdate', () => {
  test('keeps omitted fields, clears nullable ones with null, and refuses to clear the subject', async () => {
    const t = (await s.gql(CREATE, { input: { subject: 'Keep', category: 'network', server: 'web-1', due: '2031-01-01T00:00:00Z' } }, alice)).data.ticketCreate.ticket;
    const r = await s.gql(UPDATE, { id: t.id, input: { category: null, server: null, due: 'none' } }, alice);
    expect(r.data.ticketUpdate.ticket).toMatchObject({ subject: 'Keep', category: null, server: null, due: null, version: 2 });
    const blank = await s.gql(UPDATE, { id: t.id, input: { subject: '  ' } }, alice);
    expect(blank.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'subject'], code: 'BLANK' })]);
    const cleared = await s.gql(UPDATE, { id: t.id, input: { subject: null } }, alice);
    expect(cleared.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'subject'], code: 'BLANK' })]);
    const after = await s.gql(`query($id: ID!) { ticket(id: $id) { subject version } }`, { id: t.id });
    expect(after.data.ticket).toEqual({ subject: 'Keep', version: 2 });
  });

  test('stamps closedAt when closing and clears it when reopening', async () => {
    const t = (await s.gql(CREATE, { input: { subject: 'Close me' } }, alice)).data.ticketCreate.ticket;
    const closed = await s.gql(UPDATE, { id: t.id, input: { status: 'CLOSED' } }, alice);
    expect(closed.data.ticketUpdate.ticket.closedAt).not.toBeNull();
    const reopened = await s.gql(UPDATE, { id: String(t.number), input: { status: 'OPEN' } }, alice);
    expect(reopened.data.ticketUpdate.ticket.closedAt).toBeNull();
  });

  test('returns NOT_FOUND as a userError on id for a ticket that does not exist', async () => {
    const r = await s.gql(UPDATE, { id: '424242', input: { subject: 'x' } }, alice);
    expect(r.errors).toBeUndefined();
    expect(r.data.ticketUpdate).toEqual({ ticket: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: 'No such ticket' }] });
  });

  test('returns CONFLICT as a userError for a stale expectedVersion and writes nothing', async () => {
    const t = (await s.gql(CREATE, { input: { subject: 'Versioned' } }, alice)).data.ticketCreate.ticket;
    const ok = await s.gql(UPDATE, { id: t.id, input: { subject: 'v2', expectedVersion: 1 } }, alice);
    expect(ok.data.ticketUpdate.ticket.version).toBe(2);
    const stale = await s.gql(UPDATE, { id: t.id, input: { subject: 'v3', status: 'CLOSED', expectedVersion: 1 } }, alice);
    expect(stale.data.ticketUpdate.ticket).toBeNull();
    expect(stale.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'expectedVersion'], code: 'CONFLICT' })]);
    const after = await s.gql(`query($id: ID!) { ticket(id: $id) { subject status version changes { totalCount } } }`, { id: t.id });
    expect(after.data.ticket).toEqual({ subject: 'v2', status: 'OPEN', version: 2, changes: { totalCount: 2 } });
  });
});

describe('delete, restore, purge', () => {
  test('soft-deletes (hidden from reads), restores, then purges for good', async () => {
    const keeper = await s.user('keeper', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS']);
    const t = (await s.gql(CREATE, { input: { subject: 'Doomed' } }, alice)).data.ticketCreate.ticket;
    const denied = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { deletedId } }`, { id: t.id }, alice);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const del = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { deletedId userErrors { message } } }`, { id: t.id }, keeper);
    expect(del.data.ticketDelete).toEqual({ deletedId: t.id, userErrors: [] });
    const hidden = await s.gql(`query($id: ID!, $n: Int!) { a: ticket(id: $id) { id } b: ticket(number: $n) { id } c: node(id: $id) { id } }`, { id: t.id, n: t.number });
    expect(hidden.data).toEqual({ a: null, b: null, c: null });
    const list = await s.gql(`{ tickets(first: 100) { edges { node { id } } } }`);
    expect(list.data.tickets.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(t.id);
    const edit = await s.gql(UPDATE, { id: t.id, input: { subject: 'x' } }, alice);
    expect(edit.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['id'], code: 'NOT_FOUND' })]);

    const restored = await s.gql(`mutation($id: ID!) { ticketRestore(id: $id) { ticket { subject deletedAt changes { edges { node { type } } } } } }`, { id: t.id }, keeper);
    expect(restored.data.ticketRestore.ticket).toEqual({ subject: 'Doomed', deletedAt: null, changes: { edges: [{ node: { type: 'CREATED' } }, { node: { type: 'DELETED' } }, { node: { type: 'RESTORED' } }] } });

    const purged = await s.gql(`mutation($id: ID!) { ticketPurge(id: $id) { deletedId } }`, { id: t.id }, keeper);
    expect(purged.data.ticketPurge.deletedId).toBe(t.id);
    const gone = await s.gql(`mutation($id: ID!) { ticketRestore(id: $id) { ticket { id } userErrors { field code } } }`, { id: t.id }, keeper);
    expect(gone.data.ticketRestore).toEqual({ ticket: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
  });
});

test('a full ticket selection matches the documented field list', async () => {
  const r = await s.gql(`{ tickets(first: 1) { edges { node { ${TICKET_FIELDS} } } } }`);
  expect(r.errors).toBeUndefined();
});
