import { multipartRequest } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/**
 * One convention for every mutation: options (expectedVersion, clientMutationId) go inside
 * `input`. Mutations that took them as bare arguments still accept those, deprecated; giving both
 * with different values is a BAD_USER_INPUT naming both.
 */

let s: TestServer;
const newTicket = async (subject: string) => {
  const t = (await s.gql(`mutation($s: String!) { ticketCreate(input: { subject: $s }) { ticket { id number version } } }`, { s: subject })).data.ticketCreate.ticket as { id: string; number: number; version: number };
  numbers.set(t.id, t.number);
  return t;
};
const numbers = new Map<string, number>();
/** The ticket's current version, read from the table: a soft-deleted ticket is not visible to ticket(). */
const version = async (id: string) => Number((await s.app.db.manager.query(`SELECT version FROM ticket WHERE number = ?`, [numbers.get(id)]))[0].version);

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

test('the schema marks the bare arguments deprecated and offers input instead', async () => {
  const r = await s.gql(`{ __schema { mutationType { fields { name args(includeDeprecated: true) { name isDeprecated deprecationReason } } } } }`);
  const fields = r.data.__schema.mutationType.fields as { name: string; args: { name: string; isDeprecated: boolean; deprecationReason: string | null }[] }[];
  const moved: Record<string, string[]> = {
    ticketDelete: ['expectedVersion'],
    ticketRestore: ['expectedVersion'],
    ticketPickUp: ['expectedVersion'],
    commentDelete: ['expectedVersion'],
    ticketEventRemove: ['expectedVersion'],
    ticketFileDelete: ['expectedVersion'],
    ticketFilesUpload: ['expectedVersion', 'clientMutationId'],
  };
  for (const [name, args] of Object.entries(moved)) {
    const field = fields.find((f) => f.name === name)!;
    expect(field.args.map((a) => a.name)).toContain('input');
    for (const arg of args) {
      expect(field.args.find((a) => a.name === arg)).toEqual({ name: arg, isDeprecated: true, deprecationReason: `Use input.${arg}: every mutation takes its options inside input.` });
    }
  }
  // No mutation takes expectedVersion or clientMutationId as a bare argument that is not deprecated.
  const bare = fields.flatMap((f) => f.args.filter((a) => ['expectedVersion', 'clientMutationId'].includes(a.name) && !a.isDeprecated).map((a) => `${f.name}(${a.name})`));
  expect(bare).toEqual([]);
});

test('ticketDelete, ticketRestore and ticketPickUp take expectedVersion in input; a stale one is a CONFLICT', async () => {
  const t = await newTicket('new form');
  const stale = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id, input: { expectedVersion: 999 }) { deletedId userErrors { code } } }`, { id: t.id });
  expect(stale.data.ticketDelete).toEqual({ deletedId: null, userErrors: [{ code: 'CONFLICT' }] });
  const del = await s.gql(`mutation($id: ID!, $v: Int) { ticketDelete(id: $id, input: { expectedVersion: $v }) { deletedId userErrors { code } } }`, { id: t.id, v: t.version });
  expect(del.data.ticketDelete).toEqual({ deletedId: t.id, userErrors: [] });
  const restored = await s.gql(`mutation($id: ID!, $v: Int) { ticketRestore(id: $id, input: { expectedVersion: $v }) { ticket { id } userErrors { code } } }`, { id: t.id, v: await version(t.id) });
  expect(restored.data.ticketRestore).toEqual({ ticket: { id: t.id }, userErrors: [] });
  const picked = await s.gql(`mutation($id: ID!, $v: Int) { ticketPickUp(id: $id, input: { expectedVersion: $v }) { ticket { status } userErrors { code } } }`, { id: t.id, v: await version(t.id) });
  expect(picked.errors).toBeUndefined();
  expect(picked.data.ticketPickUp.userErrors).toEqual([]);
});

test('the deprecated bare arguments still work', async () => {
  const t = await newTicket('old form');
  const del = await s.gql(`mutation($id: ID!, $v: Int) { ticketDelete(id: $id, expectedVersion: $v) { deletedId userErrors { code } } }`, { id: t.id, v: t.version });
  expect(del.data.ticketDelete).toEqual({ deletedId: t.id, userErrors: [] });
  const stale = await s.gql(`mutation($id: ID!) { ticketRestore(id: $id, expectedVersion: 999) { ticket { id } userErrors { code } } }`, { id: t.id });
  expect(stale.data.ticketRestore).toEqual({ ticket: null, userErrors: [{ code: 'CONFLICT' }] });
  const restored = await s.gql(`mutation($id: ID!, $v: Int) { ticketRestore(id: $id, expectedVersion: $v) { ticket { id } userErrors { code } } }`, { id: t.id, v: await version(t.id) });
  expect(restored.data.ticketRestore).toEqual({ ticket: { id: t.id }, userErrors: [] });
  // The same value in both places is not a conflict.
  const v = await version(t.id);
  const picked = await s.gql(`mutation($id: ID!, $v: Int) { ticketPickUp(id: $id, expectedVersion: $v, input: { expectedVersion: $v }) { userErrors { code } } }`, { id: t.id, v });
  expect(picked.data.ticketPickUp).toEqual({ userErrors: [] });
});

test('commentDelete takes expectedVersion in input or, deprecated, bare', async () => {
  const t = await newTicket('comments');
  const add = (body: string) => s.gql(`mutation($t: ID!, $b: String!) { commentAdd(input: { ticketId: $t, body: $b }) { change { id } } }`, { t: t.id, b: body });
  const a = (await add('first')).data.commentAdd.change.id;
  const b = (await add('second')).data.commentAdd.change.id;
  const viaInput = await s.gql(`mutation($id: ID!, $v: Int) { commentDelete(id: $id, input: { expectedVersion: $v }) { deletedId userErrors { code } } }`, { id: a, v: await version(t.id) });
  expect(viaInput.data.commentDelete).toEqual({ deletedId: a, userErrors: [] });
  const viaBare = await s.gql(`mutation($id: ID!, $v: Int) { commentDelete(id: $id, expectedVersion: $v) { deletedId userErrors { code } } }`, { id: b, v: await version(t.id) });
  expect(viaBare.data.commentDelete).toEqual({ deletedId: b, userErrors: [] });
});

test('different old and new values are refused with a BAD_USER_INPUT naming both, and nothing is written', async () => {
  const t = await newTicket('conflicting');
  const r = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id, expectedVersion: 1, input: { expectedVersion: 2 }) { deletedId userErrors { code } } }`, { id: t.id });
  expect(r.data.ticketDelete).toBeNull();
  expect(r.errors).toHaveLength(1);
  expect(r.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(r.errors![0].message).toContain('input.expectedVersion');
  expect(r.errors![0].message).toContain('deprecated argument expectedVersion');
  expect((await s.gql(`query($id: ID!) { ticket(id: $id) { id } }`, { id: t.id })).data.ticket).toEqual({ id: t.id });
  for (const m of ['ticketEventRemove', 'ticketFileDelete', 'commentDelete']) {
    const c = await s.gql(`mutation { ${m}(id: "1", expectedVersion: 1, input: { expectedVersion: 2 }) { userErrors { code } } }`);
    expect(c.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  }
});

test('ticketFilesUpload takes clientMutationId and expectedVersion in input or, deprecated, bare; conflicting ones are refused', async () => {
  const t = await newTicket('files');
  const file = (n: number) => [{ path: 'variables.files.0', filename: `f${n}.txt`, type: 'text/plain', content: `file ${n}` }];
  const upload = (args: string, n: number, vars: Record<string, unknown> = {}) =>
    multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $files: [Upload!]!${args.includes('$v') ? ', $v: Int' : ''}) { ticketFilesUpload(ticketId: $t, files: $files, ${args}) {
      clientMutationId files { filename } userErrors { code } } }`, { t: t.id, files: [null], ...vars }, file(n));
  const viaInput = await upload('input: { clientMutationId: "up-1", expectedVersion: $v }', 1, { v: await version(t.id) });
  expect(viaInput.body.data.ticketFilesUpload).toEqual({ clientMutationId: 'up-1', files: [{ filename: 'f1.txt' }], userErrors: [] });
  const viaBare = await upload('clientMutationId: "up-2", expectedVersion: $v', 2, { v: await version(t.id) });
  expect(viaBare.body.data.ticketFilesUpload).toEqual({ clientMutationId: 'up-2', files: [{ filename: 'f2.txt' }], userErrors: [] });
  const stale = await upload('input: { expectedVersion: 999 }', 3);
  expect(stale.body.data.ticketFilesUpload).toEqual({ clientMutationId: null, files: [], userErrors: [{ code: 'CONFLICT' }] });
  const both = await upload('clientMutationId: "a", input: { clientMutationId: "b" }', 4);
  expect(both.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(both.body.errors?.[0].message).toContain('input.clientMutationId');
});

test('every delete that returns only an id returns DeletePayload, so one fragment serves them all', async () => {
  const r = await s.gql(`{ __schema { mutationType { fields { name type { name } } } types { name } } }`);
  const fields = r.data.__schema.mutationType.fields as { name: string; type: { name: string } }[];
  const payloadOf = Object.fromEntries(fields.map((f) => [f.name, f.type.name]));
  for (const m of ['ticketDelete', 'ticketPurge', 'savedSearchDelete', 'categoryDelete', 'tagDelete', 'groupDelete', 'slaPolicyDelete', 'webhookDelete', 'eventDelete', 'ticketEventRemove']) {
    expect([m, payloadOf[m]]).toEqual([m, 'DeletePayload']);
  }
  const names = (r.data.__schema.types as { name: string }[]).map((t) => t.name);
  for (const gone of ['TicketDeletePayload', 'SavedSearchDeletePayload', 'LabelDeletePayload', 'SlaPolicyDeletePayload', 'WebhookDeletePayload']) expect(names).not.toContain(gone);

  const t = await newTicket('fragment');
  const tag = (await s.gql(`mutation { tagCreate(input: { key: "fragment-tag" }) { tag { id } userErrors { message } } }`)).data.tagCreate.tag.id;
  const del = await s.gql(
    `fragment Deleted on DeletePayload { __typename deletedId userErrors { code } }
     mutation($t: ID!, $tag: ID!) { a: ticketDelete(id: $t) { ...Deleted } b: tagDelete(id: $tag) { ...Deleted } }`,
    { t: t.id, tag },
  );
  expect(del.errors).toBeUndefined();
  expect(del.data).toEqual({ a: { __typename: 'DeletePayload', deletedId: t.id, userErrors: [] }, b: { __typename: 'DeletePayload', deletedId: tag, userErrors: [] } });
});

test('tags, categories and groups share one input convention: <Type>CreateInput with a required key, <Type>UpdateInput all optional', async () => {
  const r = await s.gql(`{ __schema { mutationType { fields { name args { name type { kind name ofType { name } } } } } } }`);
  const fields = r.data.__schema.mutationType.fields as { name: string; args: { name: string; type: { kind: string; name: string | null; ofType: { name: string } | null } }[] }[];
  const inputOf = (m: string) => {
    const t = fields.find((f) => f.name === m)!.args.find((a) => a.name === 'input')!.type;
    return t.name ?? t.ofType!.name;
  };
  for (const type of ['Tag', 'Category', 'Group']) {
    const lower = type.toLowerCase();
    expect([inputOf(`${lower}Create`), inputOf(`${lower}Update`)]).toEqual([`${type}CreateInput`, `${type}UpdateInput`]);
    const keys = await s.gql(`query($c: String!, $u: String!) { c: __type(name: $c) { inputFields { name type { kind } } } u: __type(name: $u) { inputFields { name type { kind } } } }`, { c: `${type}CreateInput`, u: `${type}UpdateInput` });
    expect(keys.data.c.inputFields.find((f: { name: string }) => f.name === 'key').type.kind).toBe('NON_NULL');
    expect(keys.data.u.inputFields.every((f: { type: { kind: string } }) => f.type.kind !== 'NON_NULL')).toBe(true);
  }
  const missingKey = await s.gql(`mutation { categoryCreate(input: { title: "No key" }) { category { id } } }`);
  expect(missingKey.errors?.[0].message).toMatch(/key/);
  const created = await s.gql(`mutation($i: GroupCreateInput!) { groupCreate(input: $i) { group { key } userErrors { code } } }`, { i: { key: 'conventions' } });
  expect(created.data.groupCreate).toEqual({ group: { key: 'conventions' }, userErrors: [] });
});

test('things added to a ticket name it in input.ticketId; the bare ticketId of ticketEventAdd and ticketFilesUpload is a deprecated alias', async () => {
  const schema = await s.gql(`{ __schema { mutationType { fields { name args(includeDeprecated: true) { name isDeprecated type { kind } } } } } }`);
  const fields = schema.data.__schema.mutationType.fields as { name: string; args: { name: string; isDeprecated: boolean; type: { kind: string } }[] }[];
  for (const m of ['ticketEventAdd', 'ticketFilesUpload']) {
    expect(fields.find((f) => f.name === m)!.args.find((a) => a.name === 'ticketId')).toEqual({ name: 'ticketId', isDeprecated: true, type: { kind: 'SCALAR' } });
  }
  const t = await newTicket('target');
  const ev = (await s.gql(`mutation { eventCreate(input: { title: "Deploy", key: "deploy-conventions", command: ["/bin/true"] }) { event { id } userErrors { field message } } }`)).data.eventCreate;
  expect(ev.userErrors).toEqual([]);
  const add = (args: string) => s.gql(`mutation($t: ID!, $e: String!) { ticketEventAdd(${args}) { ticketEvent { id } userErrors { field code } } }`, { t: t.id, e: ev.event.id });
  const viaInput = await add('input: { ticketId: $t, eventId: $e }');
  expect(viaInput.errors).toBeUndefined();
  expect(viaInput.data.ticketEventAdd.userErrors).toEqual([]);
  const viaBare = await add('ticketId: $t, input: { eventId: $e }');
  expect(viaBare.data.ticketEventAdd.userErrors).toEqual([]);
  const both = await add('ticketId: "999", input: { ticketId: $t, eventId: $e }');
  expect(both.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(both.errors?.[0].message).toContain('deprecated argument ticketId');
  const neither = await s.gql(`mutation($e: String!) { ticketEventAdd(input: { eventId: $e }) { userErrors { code } } }`, { e: ev.event.id });
  expect(neither.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(neither.errors?.[0].message).toContain('input.ticketId is required');
  const missing = await s.gql(`mutation($e: String!) { ticketEventAdd(input: { ticketId: "998", eventId: $e }) { userErrors { field code } } }`, { e: ev.event.id });
  expect(missing.data.ticketEventAdd.userErrors).toEqual([{ field: ['input', 'ticketId'], code: 'NOT_FOUND' }]);
  const moved = await s.gql(`mutation($id: ID!, $t: ID!) { ticketEventUpdate(id: $id, input: { ticketId: $t }) { userErrors { code } } }`, { id: viaInput.data.ticketEventAdd.ticketEvent.id, t: t.id });
  expect(moved.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

  const up = await multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(files: $files, input: { ticketId: $t }) { files { filename } userErrors { code } } }`,
    { t: t.id, files: [null] }, [{ path: 'variables.files.0', filename: 'in-input.txt', type: 'text/plain', content: 'x' }]);
  expect(up.body.data.ticketFilesUpload).toEqual({ files: [{ filename: 'in-input.txt' }], userErrors: [] });
});
