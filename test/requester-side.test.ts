import { multipartRequest } from './helpers/multipart';
import { SmtpSink, type ReceivedMail } from './helpers/smtp-sink';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/*
 * The requester's side of a ticket over HTTP with the real SMTP sink: who receives which mail
 * (public replies vs internal notes, acknowledgement, resolution, forwards), and that a requester
 * without staff privileges reads no internal note through any path.
 */

const sink = new SmtpSink();
let s: TestServer;
let ada: string; // staff
let carl: string; // a customer: may create tickets, nothing else
const clients: WsClient[] = [];

const FAST = { NOTIFY_DEBOUNCE_SECONDS: '1', OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', OVERDUE_TIME: '23:59', PUBLIC_URL: 'https://tickets.example.com' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CREATE = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number } userErrors { field code message } } }`;
const COMMENT = `mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id visibility } userErrors { field code message } } }`;
const REPLY = `mutation($id: ID!, $body: String!, $files: [Upload!]) { ticketReply(id: $id, input: { body: $body }, files: $files) {
  change { id visibility files { filename size } } files { id filename } ticket { status } userErrors { field code message } } }`;
const FORWARD = `mutation($id: ID!, $input: TicketForwardInput!) { ticketForward(id: $id, input: $input) {
  change { type newValue body visibility author { username } createdAt } userErrors { field code message } } }`;
const CHANGES = `query($id: ID!) { ticket(id: $id) { changes(first: 100) { totalCount nodes { id type body visibility } } } }`;

async function create(input: Record<string, unknown>, key = ada): Promise<{ id: string; number: number }> {
  const r = await s.gql(CREATE, { input }, key);
  if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
  return r.data.ticketCreate.ticket;
}

async function comment(ticketId: string, body: string, visibility?: 'PUBLIC' | 'INTERNAL'): Promise<string> {
  const r = await s.gql(COMMENT, { i: { ticketId, body, ...(visibility ? { visibility } : {}) } }, ada);
  expect(r.data.commentAdd.userErrors).toEqual([]);
  return r.data.commentAdd.change.id;
}

const to = (who: string) => (m: ReceivedMail) => m.envelopeTo.includes(who);
const about = (n: number) => (m: ReceivedMail) => (m.mail.subject ?? '').includes(`#${n}`);

beforeAll(async () => {
  await sink.start();
  s = await startTestServer({ ...FAST, SMTP_URL: sink.url });
  ada = await s.user('ada', ['CREATE_TICKETS', 'EDIT_TICKETS'], { name: 'Ada Lovelace' });
  await s.user('grace', ['EDIT_TICKETS'], { name: 'Grace Hopper' });
  carl = await s.user('carl', ['CREATE_TICKETS'], { name: 'Carl Customer' });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await s?.close();
  await sink.stop();
});

test('the requester gets the acknowledgement and public replies, never internal notes nor their own reply; staff get both, the note marked', async () => {
  const t = await create({ subject: 'Printer jams', body: 'Page 2 always jams.', requester: 'carl', assignees: ['grace'] });
  const [ack] = await sink.waitFor(new RegExp(`^Ticket #${t.number} Received: Printer jams$`));
  expect(ack.envelopeTo).toEqual(['carl@example.com']);
  expect(ack.mail.text).toContain('We received your ticket');
  expect(ack.mail.text).toContain('Page 2 always jams.');
  const [created] = await sink.waitFor(new RegExp(`^Ticket #${t.number} Created`));
  expect(created.envelopeTo).toEqual(['grace@example.com']); // the customer requester is not on staff mail

  await comment(t.id, 'We ordered a new roller.', 'PUBLIC');
  await comment(t.id, 'Internal: the vendor contract expired, keep quiet.'); // staff default: internal
  const [reply] = await sink.waitFor(new RegExp(`^Ticket #${t.number} New Reply: Printer jams$`));
  expect(reply.envelopeTo).toEqual(['carl@example.com']);
  expect(reply.mail.text).toContain('We ordered a new roller.');
  expect(reply.mail.text).not.toContain('vendor contract');
  expect(reply.mail.html).not.toContain('vendor contract');
  const [staff] = await sink.waitFor(new RegExp(`^Ticket #${t.number} Updated`));
  expect(staff.envelopeTo).toEqual(['grace@example.com']);
  expect(staff.mail.text).toMatch(/Ada Lovelace commented at .*:\n> We ordered a new roller\./);
  expect(staff.mail.text).toMatch(/Ada Lovelace wrote an INTERNAL NOTE \(staff only\) at .*:\n> Internal: the vendor contract expired/);

  // The requester's own reply goes to staff, never back to the requester.
  const r = await s.gql(REPLY, { id: t.id, body: 'Thanks, roller sounds right.' }, carl);
  expect(r.data.ticketReply.userErrors).toEqual([]);
  expect(r.data.ticketReply.change.visibility).toBe('PUBLIC');
  const updates = await sink.waitFor(new RegExp(`^Ticket #${t.number} Updated`), 2);
  expect(updates[1].mail.text).toContain('Thanks, roller sounds right.');
  await sleep(1500); // a requester reply mail would have been due with the staff one
  expect(sink.received.filter((m) => about(t.number)(m) && to('carl@example.com')(m)).map((m) => m.mail.subject)).toEqual([
    `Ticket #${t.number} Received: Printer jams`,
    `Ticket #${t.number} New Reply: Printer jams`,
  ]);
});

test('a requester reads no internal note: not in changes, node, search, the change stream nor subscriptions', async () => {
  const t = await create({ subject: 'Laptop battery', requester: 'carl' });
  const publicId = await comment(t.id, 'Replacement battery shipped.', 'PUBLIC');
  const noteId = await comment(t.id, 'zanzibarnote: refurbished part, cheaper.');

  const mine = (await s.gql(CHANGES, { id: t.id }, carl)).data.ticket.changes;
  expect(mine.nodes.map((c: { id: string }) => c.id)).toContain(publicId);
  expect(mine.nodes.map((c: { id: string }) => c.id)).not.toContain(noteId);
  expect(mine.nodes.every((c: { visibility: string }) => c.visibility === 'PUBLIC')).toBe(true);
  expect(mine.totalCount).toBe(mine.nodes.length);
  const staffView = (await s.gql(CHANGES, { id: t.id }, ada)).data.ticket.changes.nodes;
  expect(staffView.find((c: { id: string }) => c.id === noteId)).toMatchObject({ visibility: 'INTERNAL' });
  const notes = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(visibility: INTERNAL) { nodes { id } } } }`, { id: t.id }, carl);
  expect(notes.data.ticket.changes.nodes).toEqual([]); // the filter cannot widen what the caller reads

  const node = `query($id: ID!) { node(id: $id) { id ... on Change { body } } }`;
  expect((await s.gql(node, { id: noteId }, carl)).data.node).toBeNull();
  expect((await s.gql(node, { id: noteId }, ada)).data.node.body).toContain('zanzibarnote');

  const search = `query($q: String!) { tickets(query: $q) { nodes { number } } }`;
  expect((await s.gql(search, { q: 'zanzibarnote' }, ada)).data.tickets.nodes).toEqual([{ number: t.number }]);
  expect((await s.gql(search, { q: 'zanzibarnote' }, carl)).data.tickets.nodes).toEqual([]);
  expect((await s.gql(search, { q: 'Replacement battery' }, carl)).data.tickets.nodes).toEqual([{ number: t.number }]);

  const stream = `{ ticketChangeStream(last: 50) { nodes { change { id } } } }`;
  const seen = (await s.gql(stream, {}, carl)).data.ticketChangeStream.nodes.map((n: { change: { id: string } }) => n.change.id);
  expect(seen).toContain(publicId);
  expect(seen).not.toContain(noteId);

  // Subscriptions: the requester's ticketUpdated and a text view over the note's word.
  const c = wsClient(s.url, { Authorization: `Bearer ${carl}` });
  clients.push(c);
  const before = s.app.services.ticketStream.subscriberCount;
  const updated = c.subscribe<any>(`subscription($id: ID!) { ticketUpdated(id: $id) { change { id type body } } }`, { id: t.id });
  const view = c.subscribe<any>(`subscription { ticketChanged(query: "kilimanjaro") { change { id } } }`);
  await eventually('subscriptions registered', () => s.app.services.ticketStream.subscriberCount === before + 2);
  await comment(t.id, 'kilimanjaro internal remark');
  const visibleId = await comment(t.id, 'A public kilimanjaro update.', 'PUBLIC');
  const events = await updated.waitFor(1);
  await sleep(300);
  expect(updated.events.map((e: any) => e.ticketUpdated.change.id)).toEqual([visibleId]);
  expect(events[0].ticketUpdated.change.body).toBe('A public kilimanjaro update.');
  await view.waitFor(1);
  expect(view.events.map((e: any) => e.ticketChanged.change.id)).toEqual([visibleId]);
});

test('resolving mails the requester the resolution and how to reopen; closing with notifyRequester mails the closing', async () => {
  const t = await create({ subject: 'VPN drops', requester: 'carl' });
  await sink.waitFor(new RegExp(`^Ticket #${t.number} Received`));
  const res = await s.gql(`mutation($id: ID!) { ticketResolve(id: $id, input: { resolution: "Updated the **VPN client** to 5.2." }) { userErrors { message } } }`, { id: t.id }, ada);
  expect(res.data.ticketResolve.userErrors).toEqual([]);
  const [m] = await sink.waitFor(new RegExp(`^Ticket #${t.number} Resolved: VPN drops$`));
  expect(m.envelopeTo).toEqual(['carl@example.com']);
  expect(m.mail.text).toContain('Updated the **VPN client** to 5.2.');
  expect(m.mail.text).toContain('reply to the ticket (the ticketReply mutation');
  expect(m.mail.text).toContain('it reopens');

  const closed = await s.gql(`mutation($id: ID!) { ticketClose(id: $id, input: { notifyRequester: true }) { userErrors { message } } }`, { id: t.id }, ada);
  expect(closed.data.ticketClose.userErrors).toEqual([]);
  const [c] = await sink.waitFor(new RegExp(`^Ticket #${t.number} Closed: VPN drops$`));
  expect(c.envelopeTo).toEqual(['carl@example.com']);
  expect(c.mail.text).toContain('Resolution:');

  // notifyRequester: false resolves silently.
  const quiet = await create({ subject: 'Quiet fix', requester: 'carl' });
  await s.gql(`mutation($id: ID!) { ticketResolve(id: $id, input: { resolution: "Done", notifyRequester: false }) { userErrors { message } } }`, { id: quiet.id }, ada);
  await sink.waitFor(new RegExp(`^Ticket #${quiet.number} Received`));
  await sleep(800);
  expect(sink.received.filter((x) => (x.mail.subject ?? '').startsWith(`Ticket #${quiet.number} Resolved`))).toEqual([]);
});

test('drafts mail the requester nothing until published, then the acknowledgement', async () => {
  const t = await create({ subject: 'Draft for carl', status: 'DRAFT', requester: 'carl' });
  await comment(t.id, 'public words on a draft', 'PUBLIC');
  await sleep(1600);
  expect(sink.received.filter(about(t.number))).toEqual([]);
  await s.gql(`mutation($id: ID!) { ticketUpdate(id: $id, input: { status: OPEN }) { userErrors { message } } }`, { id: t.id }, ada);
  const [ack] = await sink.waitFor(new RegExp(`^Ticket #${t.number} Received`));
  expect(ack.envelopeTo).toEqual(['carl@example.com']);
  await sleep(1500);
  expect(sink.received.filter((m) => about(t.number)(m) && to('carl@example.com')(m))).toHaveLength(1);
});

test('a requester attaches files to a reply; they are linked to it', async () => {
  const t = await create({ subject: 'Screenshot attached', requester: 'carl' });
  const r = await multipartRequest(s.url, carl, REPLY, { id: t.id, body: 'Here is the error.', files: [null] }, [
    { path: 'variables.files.0', filename: 'error.txt', type: 'text/plain', content: 'E42: paper path' },
  ]);
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.ticketReply.userErrors).toEqual([]);
  expect(r.body.data.ticketReply.files).toMatchObject([{ filename: 'error.txt' }]);
  expect(r.body.data.ticketReply.change.files).toEqual([{ filename: 'error.txt', size: 15 }]);
  const files = await s.gql(`query($id: ID!) { ticket(id: $id) { files { filename } } }`, { id: t.id }, ada);
  expect(files.data.ticket.files).toEqual([{ filename: 'error.txt' }]);
  // Another user's ticket: refused before anything is stored.
  const other = await create({ subject: 'Not carl\'s' });
  const refused = await multipartRequest(s.url, carl, REPLY, { id: other.id, body: 'mine?', files: [null] }, [{ path: 'variables.files.0', filename: 'x.txt', type: 'text/plain', content: 'x' }]);
  expect(JSON.stringify(refused.body)).toContain('FORBIDDEN');
  expect(refused.body.data?.ticketReply?.change ?? null).toBeNull();
});

test('ticketForward validates addresses, records who forwarded to whom, and mails the public conversation with the chosen files', async () => {
  const t = await create({ subject: 'Server room heat', body: 'It is **hot**.', requester: 'carl' });
  await comment(t.id, 'We called facilities.', 'PUBLIC');
  await comment(t.id, 'secretnote: the AC is past warranty');
  const up = await multipartRequest(s.url, ada, `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { id } userErrors { message } } }`, { t: t.id, files: [null] }, [
    { path: 'variables.files.0', filename: 'temps.csv', type: 'text/csv', content: 'time,celsius\n10:00,31\n' },
  ]);
  const fileId = up.body.data.ticketFilesUpload.files[0].id;

  const bad = await s.gql(FORWARD, { id: t.id, input: { to: ['not-an-address'], cc: ['ok@example.com', 'also bad'] } }, ada);
  expect(bad.data.ticketForward.userErrors).toEqual([
    { field: ['input', 'to'], code: 'INVALID', message: 'Not a valid e-mail address: not-an-address' },
    { field: ['input', 'cc'], code: 'INVALID', message: 'Not a valid e-mail address: also bad' },
  ]);
  const noFile = await s.gql(FORWARD, { id: t.id, input: { to: ['x@example.com'], fileIds: ['VGlja2V0RmlsZTo5OTk5'] } }, ada);
  expect(noFile.data.ticketForward.userErrors[0]).toMatchObject({ field: ['input', 'fileIds'], code: 'NOT_FOUND' });
  const customer = await s.gql(FORWARD, { id: t.id, input: { to: ['x@example.com'] } }, carl);
  expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const fwd = await s.gql(FORWARD, { id: t.id, input: { to: ['Vendor@Example.com'], cc: ['boss@example.com'], message: 'Please quote a new unit.', fileIds: [fileId] } }, ada);
  expect(fwd.data.ticketForward.userErrors).toEqual([]);
  expect(fwd.data.ticketForward.change).toMatchObject({ type: 'FORWARDED', newValue: 'vendor@example.com, cc:boss@example.com', body: 'Please quote a new unit.', visibility: 'INTERNAL', author: { username: 'ada' } });

  const [m] = await sink.waitFor(new RegExp(`^Fwd: Ticket #${t.number}: Server room heat$`));
  expect(m.envelopeTo.sort()).toEqual(['boss@example.com', 'vendor@example.com']);
  expect(m.mail.text).toContain('Ada Lovelace forwarded ticket');
  expect(m.mail.text).toContain('Please quote a new unit.');
  expect(m.mail.text).toContain('We called facilities.');
  expect(m.mail.text).toContain('It is **hot**.');
  expect(m.mail.text).not.toContain('secretnote');
  expect(m.mail.html).not.toContain('secretnote');
  expect(m.mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['temps.csv', 'time,celsius\n10:00,31\n']]);

  // In the history for staff, not for the requester.
  const staff = (await s.gql(CHANGES, { id: t.id }, ada)).data.ticket.changes.nodes.map((c: { type: string }) => c.type);
  expect(staff).toContain('FORWARDED');
  const theirs = (await s.gql(CHANGES, { id: t.id }, carl)).data.ticket.changes.nodes.map((c: { type: string }) => c.type);
  expect(theirs).not.toContain('FORWARDED');
});

test('a forward honours the suppression list', async () => {
  const t = await create({ subject: 'Bounce check' });
  const r = await s.gql(FORWARD, { id: t.id, input: { to: ['bounce@example.com', 'fine@example.com'] } }, ada);
  expect(r.data.ticketForward.userErrors).toEqual([]);
  const [first] = await sink.waitFor(new RegExp(`^Fwd: Ticket #${t.number}:`));
  expect(first.envelopeTo).toEqual(['fine@example.com']); // the sink refused bounce@ at RCPT
  await eventually('bounce suppressed', async () => (await s.app.db.manager.query(`SELECT address FROM mail_suppression WHERE address = 'bounce@example.com'`)).length === 1);
  // Suppressed alone: nothing to send, settled as skipped.
  const only = await s.gql(FORWARD, { id: t.id, input: { to: ['bounce@example.com'] } }, ada);
  expect(only.data.ticketForward.userErrors).toEqual([]);
  await eventually('forward skipped', async () => {
    const rows = await s.app.db.manager.query(`SELECT status, last_error AS note FROM outbox WHERE kind = 'mail.ticket_forward' AND ticket_id = (SELECT id FROM ticket WHERE number = ?) ORDER BY id`, [t.number]);
    return rows.length === 2 && rows[1].status === 'skipped' && rows[1].note === 'every address is suppressed';
  });
});

test('a forward retried after one of its files was removed is sent without it, and says so by its list', async () => {
  const t = await create({ subject: 'Gone file' });
  const up = await multipartRequest(s.url, ada, `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { id } } }`, { t: t.id, files: [null, null] }, [
    { path: 'variables.files.0', filename: 'keep.txt', type: 'text/plain', content: 'kept' },
    { path: 'variables.files.1', filename: 'drop.txt', type: 'text/plain', content: 'dropped' },
  ]);
  const [keep, drop] = up.body.data.ticketFilesUpload.files.map((f: { id: string }) => f.id);
  const r = await s.gql(FORWARD, { id: t.id, input: { to: ['vendor2@example.com'], fileIds: [keep, drop] } }, ada);
  expect(r.data.ticketForward.userErrors).toEqual([]);
  const [first] = await sink.waitFor(new RegExp(`^Fwd: Ticket #${t.number}: Gone file$`));
  expect(first.mail.attachments.map((a) => a.filename)).toEqual(['keep.txt', 'drop.txt']);
  expect(first.mail.text).toContain('drop.txt');

  const del = await s.gql(`mutation($id: ID!) { ticketFileDelete(id: $id) { deletedId userErrors { message } } }`, { id: drop }, ada);
  expect(del.data.ticketFileDelete.userErrors).toEqual([]);
  // The same forward delivered again (as after a crash between sending and recording it): composed anew.
  const [row] = await s.app.db.manager.query(`SELECT ref_id AS refId FROM outbox WHERE kind = 'mail.ticket_forward' AND ticket_id = (SELECT id FROM ticket WHERE number = ?)`, [t.number]);
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  await s.app.db.manager.query(`INSERT INTO outbox (kind, ticket_id, ref_id, status, attempts, available_at, created_at) SELECT kind, ticket_id, ref_id, 'pending', 0, ?, ? FROM outbox WHERE ref_id = ? AND kind = 'mail.ticket_forward'`, [now, now, row.refId]);
  await eventually('the forward sent again', async () => sink.received.filter((m) => m.mail.subject === `Fwd: Ticket #${t.number}: Gone file`).length === 2);
  const again = sink.received.filter((m) => m.mail.subject === `Fwd: Ticket #${t.number}: Gone file`)[1];
  expect(again.mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['keep.txt', 'kept']]);
  expect(again.mail.text).toContain('keep.txt');
  expect(again.mail.text).not.toContain('drop.txt');
});

test('a forward whose files exceed MAIL_FORWARD_MAX_BYTES is refused on fileIds, and nothing is recorded', async () => {
  const small = await startTestServer({ ...FAST, SMTP_URL: sink.url, MAIL_FORWARD_MAX_BYTES: '10' });
  try {
    const t = (await small.gql(CREATE, { input: { subject: 'Big log' } })).data.ticketCreate.ticket;
    const up = await multipartRequest(small.url, ADMIN_KEY, `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { id } } }`, { t: t.id, files: [null] }, [
      { path: 'variables.files.0', filename: 'big.log', type: 'text/plain', content: 'twenty bytes of log.' },
    ]);
    const uploaded = up.body.data.ticketFilesUpload.files;
    const r = await small.gql(FORWARD, { id: t.id, input: { to: ['vendor@example.com'], fileIds: [uploaded[0].id] } });
    expect(r.data.ticketForward.userErrors).toEqual([{ field: ['input', 'fileIds'], code: 'FILE_TOO_LARGE', message: 'The files come to 20 bytes; a forward attaches at most 10 (MAIL_FORWARD_MAX_BYTES)' }]);
    const history = (await small.gql(CHANGES, { id: t.id })).data.ticket.changes.nodes.map((c: { type: string }) => c.type);
    expect(history).not.toContain('FORWARDED');
    expect(await small.app.db.manager.query(`SELECT id FROM outbox WHERE kind = 'mail.ticket_forward'`)).toEqual([]);
  } finally {
    await small.close();
  }
});

test('staff make a note public by commentUpdate: recorded as a staff-only COMMENT_VISIBILITY entry, then the requester reads it', async () => {
  const t = await create({ subject: 'Visibility edit', requester: 'carl' });
  const noteId = await comment(t.id, 'Turns out this is fine to share.');
  const upd = `mutation($id: ID!, $v: CommentVisibility) { commentUpdate(id: $id, input: { visibility: $v }) { change { visibility body } userErrors { field code message } } }`;
  const r = await s.gql(upd, { id: noteId, v: 'PUBLIC' }, ada);
  expect(r.data.commentUpdate).toEqual({ change: { visibility: 'PUBLIC', body: 'Turns out this is fine to share.' }, userErrors: [] });
  const staff = (await s.gql(CHANGES, { id: t.id }, ada)).data.ticket.changes.nodes;
  expect(staff.filter((c: { type: string }) => c.type === 'COMMENT_VISIBILITY')).toHaveLength(1);
  const vis = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(types: [COMMENT_VISIBILITY]) { nodes { oldValue newValue author { username } } } } }`, { id: t.id }, ada);
  expect(vis.data.ticket.changes.nodes).toEqual([{ oldValue: 'INTERNAL', newValue: 'PUBLIC', author: { username: 'ada' } }]);
  const theirs = (await s.gql(CHANGES, { id: t.id }, carl)).data.ticket.changes.nodes;
  expect(theirs.map((c: { id: string }) => c.id)).toContain(noteId);
  expect(theirs.map((c: { type: string }) => c.type)).not.toContain('COMMENT_VISIBILITY');
  const search = await s.gql(`{ tickets(query: "share") { nodes { number } } }`, {}, carl);
  expect(search.data.tickets.nodes.map((n: { number: number }) => n.number)).toContain(t.number);
});

test('a note made public is mailed to the requester once, as a reply; a comment public before, or published again, is not mailed again', async () => {
  const t = await create({ subject: 'Published note', requester: 'carl' });
  await sink.waitFor(new RegExp(`^Ticket #${t.number} Received`));
  const upd = `mutation($id: ID!, $v: CommentVisibility) { commentUpdate(id: $id, input: { visibility: $v }) { change { id } userErrors { field code message } } }`;
  const setVisibility = async (id: string, v: 'PUBLIC' | 'INTERNAL') => expect((await s.gql(upd, { id, v }, ada)).data.commentUpdate.userErrors).toEqual([]);
  const replyRows = async () => Number((await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM outbox o WHERE o.kind = 'mail.requester_reply' AND o.ticket_id = (SELECT id FROM ticket WHERE number = ?)`, [t.number]))[0].n);

  const noteId = await comment(t.id, 'The replacement ships Monday.');
  expect(await replyRows()).toBe(0);
  await setVisibility(noteId, 'PUBLIC');
  const [mail] = await sink.waitFor(new RegExp(`^Ticket #${t.number} New Reply: Published note$`));
  expect(mail.envelopeTo).toEqual(['carl@example.com']);
  expect(mail.mail.text).toContain('The replacement ships Monday.');
  expect(await replyRows()).toBe(1);
  // Hidden and shown again: the requester already has it.
  await setVisibility(noteId, 'INTERNAL');
  await setVisibility(noteId, 'PUBLIC');
  // A public reply (mailed when written) hidden and shown again is not news either.
  const replyId = await comment(t.id, 'Public from the start.', 'PUBLIC');
  await sink.waitFor(new RegExp(`^Ticket #${t.number} New Reply`), 2);
  await setVisibility(replyId, 'INTERNAL');
  await setVisibility(replyId, 'PUBLIC');
  expect(await replyRows()).toBe(2);

  // The audit entries name the comment they are about.
  const entries = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(types: [COMMENT_VISIBILITY]) { nodes { newValue comment { id body } } } } }`, { id: t.id }, ada);
  expect(entries.data.ticket.changes.nodes).toEqual([
    { newValue: 'PUBLIC', comment: { id: noteId, body: 'The replacement ships Monday.' } },
    { newValue: 'INTERNAL', comment: { id: noteId, body: 'The replacement ships Monday.' } },
    { newValue: 'PUBLIC', comment: { id: noteId, body: 'The replacement ships Monday.' } },
    { newValue: 'INTERNAL', comment: { id: replyId, body: 'Public from the start.' } },
    { newValue: 'PUBLIC', comment: { id: replyId, body: 'Public from the start.' } },
  ]);
  // Deleted, the comment is gone from its entries too.
  expect((await s.gql(`mutation($id: ID!) { commentDelete(id: $id) { userErrors { code } } }`, { id: replyId }, ada)).data.commentDelete.userErrors).toEqual([]);
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(types: [COMMENT_VISIBILITY], last: 1) { nodes { comment { id } } } } }`, { id: t.id }, ada);
  expect(after.data.ticket.changes.nodes).toEqual([{ comment: null }]);
  // A draft mails its requester nothing, published notes included.
  const draft = await create({ subject: 'Draft with a note', requester: 'carl', status: 'DRAFT' });
  await setVisibility(await comment(draft.id, 'Draft note'), 'PUBLIC');
  expect(Number((await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'mail.requester_reply' AND ticket_id = (SELECT id FROM ticket WHERE number = ?)`, [draft.number]))[0].n)).toBe(0);
  expect(sink.received.filter(about(t.number)).filter(to('carl@example.com')).map((m) => m.mail.subject)).toEqual([
    `Ticket #${t.number} Received: Published note`,
    `Ticket #${t.number} New Reply: Published note`,
    `Ticket #${t.number} New Reply: Published note`,
  ]);
});
