import { Ticket } from '../src/entities/ticket.entity';
import { addWorkingMinutes } from '../src/common/business-hours';
import { CREATE, UPDATE } from './helpers/documents';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/* SLA policies and the targets they give tickets, through the real server. */

let s: TestServer;
let agent: string;

const POLICY = `mutation($i: SlaPolicyInput!) { slaPolicyCreate(input: $i) { policy { id name priority category { key } responseMinutes resolutionMinutes businessHours { timeZone days start end } } userErrors { field code message } } }`;
const SLA = `query($id: ID!) { ticket(id: $id) { due sla { policy { name } responseDueAt resolutionDueAt firstResponseAt breached atRisk } } }`;
const MIN = 60_000;

async function policy(input: Record<string, unknown>) {
  const r = await s.gql(POLICY, { i: input });
  expect(r.data.slaPolicyCreate.userErrors).toEqual([]);
  return r.data.slaPolicyCreate.policy;
}

async function create(input: Record<string, unknown>, key = agent) {
  const r = await s.gql(CREATE, { input }, key);
  if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
  return r.data.ticketCreate.ticket as { id: string; number: number; createdAt: string; due: string | null };
}

const sla = async (id: string) => (await s.gql(SLA, { id })).data.ticket;
const at = (iso: string) => Date.parse(iso);

beforeAll(async () => {
  s = await startTestServer();
  await s.gql(`mutation { categoryCreate(input: { key: "network" }) { userErrors { message } } }`);
  agent = await s.user('agent');
  await policy({ name: 'Default', responseMinutes: 480, resolutionMinutes: 2880 });
  await policy({ name: 'High', priority: 'HIGH', responseMinutes: 60, resolutionMinutes: 240 });
  await policy({ name: 'High network', priority: 'HIGH', category: 'network', responseMinutes: 30, resolutionMinutes: 120 });
  await policy({ name: 'Urgent office hours', priority: 'URGENT', responseMinutes: 60, resolutionMinutes: 600, businessHours: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } });
});
afterAll(() => s?.close());

test('the most specific policy sets the targets and the due date', async () => {
  const normal = await create({ subject: 'Normal' });
  const high = await create({ subject: 'High', priority: 'HIGH' });
  const highNet = await create({ subject: 'High network', priority: 'HIGH', category: 'network' });
  for (const [t, name, response, resolution] of [[normal, 'Default', 480, 2880], [high, 'High', 60, 240], [highNet, 'High network', 30, 120]] as const) {
    const r = await sla(t.id);
    expect(r.sla.policy.name).toBe(name);
    expect(at(r.sla.responseDueAt) - at(t.createdAt)).toBe(response * MIN);
    expect(at(r.sla.resolutionDueAt) - at(t.createdAt)).toBe(resolution * MIN);
    expect(r.due).toBe(r.sla.resolutionDueAt);
    expect(r.sla).toMatchObject({ breached: false, atRisk: false, firstResponseAt: null });
  }
});

test('business hours: the clock runs on working time in the policy time zone', async () => {
  const t = await create({ subject: 'Weekend', priority: 'NORMAL' });
  // Created on a Friday at 16:30 Berlin time (15:30Z), then raised to urgent: targets are recomputed from creation.
  await s.app.db.manager.update(Ticket, { number: t.number }, { createdAt: new Date('2026-11-20T15:30:00Z') });
  const r = await s.gql(UPDATE, { id: t.id, input: { priority: 'URGENT' } }, agent);
  expect(r.data.ticketUpdate.userErrors).toEqual([]);
  const after = await sla(t.id);
  expect(after.sla.policy.name).toBe('Urgent office hours');
  // 30 minutes on Friday, then 30 from Monday 09:00 = Monday 09:30 Berlin (08:30Z).
  expect(after.sla.responseDueAt).toBe('2026-11-23T08:30:00.000Z');
  // 600 minutes: 30 on Friday, 480 on Monday, 90 on Tuesday = Tuesday 10:30 Berlin (09:30Z).
  expect(after.sla.resolutionDueAt).toBe('2026-11-24T09:30:00.000Z');
  expect(after.due).toBe('2026-11-24T09:30:00.000Z');
  // And across the DST change in March (CET -> CEST): Friday 16:30 + 60 minutes = Monday 09:30 CEST.
  expect(addWorkingMinutes(new Date('2026-03-27T15:30:00Z'), 60, { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }).toISOString()).toBe('2026-03-30T07:30:00.000Z');
  // On the 23-hour day itself the working clock counts real minutes: 00:00 CET + 120 min = 03:00 CEST (01:00Z).
  const sundays = { timeZone: 'Europe/Berlin', days: [7], start: '00:00', end: '23:59' };
  expect(addWorkingMinutes(new Date('2026-03-28T23:00:00Z'), 120, sundays).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  // Opening hours are wall-clock times: 09:00 on the day after the change is 07:00Z, not 08:00Z.
  expect(addWorkingMinutes(new Date('2026-03-29T12:00:00Z'), 0, { ...sundays, days: [1], start: '09:00' }).toISOString()).toBe('2026-03-30T07:00:00.000Z');
});

test('a due date set by hand is kept when the priority changes; clearing it returns to the SLA', async () => {
  const manual = '2030-01-01T12:00:00.000Z';
  const t = await create({ subject: 'Manual due', due: manual });
  expect(t.due).toBe(manual);
  await s.gql(UPDATE, { id: t.id, input: { priority: 'HIGH' } }, agent);
  const raised = await sla(t.id);
  expect(raised.sla.policy.name).toBe('High');
  expect(raised.due).toBe(manual);
  await s.gql(UPDATE, { id: t.id, input: { due: null } }, agent);
  const cleared = await sla(t.id);
  expect(cleared.due).toBe(cleared.sla.resolutionDueAt);
});

test('first response, breach, risk and the sla:breached search', async () => {
  const requester = await s.user('req', []);
  const t = (await s.gql(CREATE, { input: { subject: 'Slow', priority: 'HIGH', requester: 'req', assignees: ['agent'] } }, agent)).data.ticketCreate.ticket;
  await s.gql(`mutation($id: ID!) { ticketReply(id: $id, input: { body: "any news?" }) { userErrors { message } } }`, { id: t.id }, requester);
  expect((await sla(t.id)).sla.firstResponseAt).toBeNull(); // the requester's own reply is no response
  await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } } }`, { i: { ticketId: t.id, body: 'Looking' } }, agent);
  expect((await sla(t.id)).sla.firstResponseAt).not.toBeNull();

  const late = await create({ subject: 'Late', priority: 'HIGH', assignees: ['agent'] });
  const hour = 3_600_000;
  await s.app.db.manager.update(Ticket, { number: late.number }, { createdAt: new Date(Date.now() - 3 * hour), responseDueAt: new Date(Date.now() - 2 * hour), resolutionDueAt: new Date(Date.now() + hour) });
  expect((await sla(late.id)).sla).toMatchObject({ breached: true, atRisk: false });

  const risky = await create({ subject: 'Risky', priority: 'HIGH' });
  await s.app.db.manager.update(Ticket, { number: risky.number }, { createdAt: new Date(Date.now() - 3.5 * hour), responseDueAt: new Date(Date.now() + hour), resolutionDueAt: new Date(Date.now() + 0.5 * hour) });
  expect((await sla(risky.id)).sla).toMatchObject({ breached: false, atRisk: true });

  // (The business-hours ticket above, created days ago, may be breached too: look at these three.)
  const found = await s.gql(`{ tickets(query: "sla:breached subject:late|risky|slow") { edges { node { number } } } }`);
  expect(found.data.tickets.edges.map((e: any) => e.node.number)).toEqual([late.number]);
  const notBreached = await s.gql(`{ tickets(query: "-sla:breached subject:late") { totalCount } }`);
  expect(notBreached.data.tickets.totalCount).toBe(0);
  const bad = await s.gql(`{ tickets(query: "sla:fine") { totalCount } }`);
  expect(bad.errors![0]).toMatchObject({ message: expect.stringMatching(/sla takes one value: breached/), extensions: { code: 'BAD_USER_INPUT' } });

  // The overdue notice covers a missed response, although the ticket is not past its due date.
  await s.app.services.mail.queueOverdue(s.app.contexts.system('test'), new Date());
  const notices = await s.app.db.manager.query("SELECT t.number FROM outbox o JOIN ticket t ON t.id = o.ticket_id WHERE o.kind = 'mail.ticket_overdue'");
  expect(notices.map((n: { number: number }) => Number(n.number))).toContain(late.number);
  expect(notices.map((n: { number: number }) => Number(n.number))).not.toContain(risky.number);
});

describe('policy administration', () => {
  test('admins manage policies; the metadata lists them; others may not change them', async () => {
    const meta = await s.gql(`{ ticketMetadata { slaPolicies { name priority } } }`, {}, agent);
    expect(meta.data.ticketMetadata.slaPolicies.map((p: { name: string }) => p.name)).toEqual(['Default', 'High', 'High network', 'Urgent office hours']);
    const denied = await s.gql(POLICY, { i: { name: 'Mine', responseMinutes: 1, resolutionMinutes: 2 } }, agent);
    expect(denied.errors![0].extensions!.code).toBe('FORBIDDEN');

    const p = await policy({ name: 'Low', priority: 'LOW', responseMinutes: 1440, resolutionMinutes: 10080 });
    const upd = await s.gql(`mutation($id: ID!) { slaPolicyUpdate(id: $id, input: { resolutionMinutes: 20160 }) { policy { resolutionMinutes responseMinutes } userErrors { message } } }`, { id: p.id }, ADMIN_KEY);
    expect(upd.data.slaPolicyUpdate).toEqual({ policy: { resolutionMinutes: 20160, responseMinutes: 1440 }, userErrors: [] });
    const del = await s.gql(`mutation($id: ID!) { slaPolicyDelete(id: $id) { deletedId } }`, { id: p.id }, ADMIN_KEY);
    expect(del.data.slaPolicyDelete.deletedId).toBe(p.id);
  });

  test('an unknown policy id is NOT_FOUND', async () => {
    const id = Buffer.from('SlaPolicy:9999').toString('base64url');
    const updated = await s.gql(`mutation($id: ID!) { slaPolicyUpdate(id: $id, input: { name: "x" }) { policy { id } userErrors { field code message } } }`, { id });
    expect(updated.data.slaPolicyUpdate).toEqual({ policy: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: 'No such SLA policy' }] });
    const deleted = await s.gql(`mutation($id: ID!) { slaPolicyDelete(id: $id) { deletedId userErrors { field code } } }`, { id });
    expect(deleted.data.slaPolicyDelete).toEqual({ deletedId: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
  });

  test('invalid policies are userErrors naming the field', async () => {
    const r = await s.gql(POLICY, { i: { name: 'High', category: 'nope', responseMinutes: 0, resolutionMinutes: 10, businessHours: { timeZone: 'Mars/Olympus', days: [1], start: '09:00', end: '17:00' } } });
    const fields = r.data.slaPolicyCreate.userErrors.map((e: { field: string[]; code: string }) => `${e.field[1]}:${e.code}`);
    expect(fields.sort()).toEqual(['businessHours:INVALID', 'category:NOT_FOUND', 'name:TAKEN', 'responseMinutes:INVALID']);
    const hours = await s.gql(POLICY, { i: { name: 'Backwards', responseMinutes: 5, resolutionMinutes: 10, businessHours: { timeZone: 'UTC', days: [8], start: '17:00', end: '09:00' } } });
    expect(hours.data.slaPolicyCreate.userErrors[0]).toMatchObject({ field: ['input', 'businessHours'], code: 'INVALID' });
    const order = await s.gql(POLICY, { i: { name: 'Order', responseMinutes: 50, resolutionMinutes: 10 } });
    expect(order.data.slaPolicyCreate.userErrors[0]).toMatchObject({ field: ['input', 'responseMinutes'], message: expect.stringMatching(/must not exceed/) });
  });
});
