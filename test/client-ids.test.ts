import { gql, InMemoryCache } from '@apollo/client/core';
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import path from 'node:path';
import 'reflect-metadata';
import { createOperationDescriptor, Environment, Network, RecordSource, Store, type ConcreteRequest } from 'relay-runtime';
import { buildAppSchema } from '../src/graphql/schema';
import { relayCompile, removeScratchDirs, ROOT } from './helpers/client-tools';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * Client caches normalize objects by `id` (Relay: the id alone; Apollo: __typename and id), so
 * every `id` a client can see must name one object. A ticket origin's id used to be the job
 * number, external job id or alert id: two tickets' origins merged in Apollo's cache, and an
 * alert id collided with Alert.id in Relay's store.
 */

let s: TestServer;

const ORIGINS = `query($a: Int!, $b: Int!) {
  a: ticket(number: $a) { id number origin { __typename id sourceId kind details } }
  b: ticket(number: $b) { id number origin { __typename id sourceId kind details } }
}`;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());
afterAll(removeScratchDirs);

async function openFromExternalJob(id: string): Promise<number> {
  const res = await s.gql(
    `mutation($i: TicketCreateFromJobInput!) { ticketCreateFromJob(input: $i) { ticket { number } userErrors { message } } }`,
    { i: { job: { id, code: 1, eventTitle: 'Backup', startedAt: '2026-11-23T02:00:00.000Z', completedAt: '2026-11-23T02:01:00.000Z' } } },
  );
  expect(res.data.ticketCreateFromJob.userErrors).toEqual([]);
  return res.data.ticketCreateFromJob.ticket.number;
}

async function openFromAlert(id: string): Promise<number> {
  const res = await s.gql(
    `mutation($i: TicketCreateFromAlertInput!) { ticketCreateFromAlert(input: $i) { ticket { number } userErrors { message } } }`,
    { i: { alert: { id, title: 'High CPU', server: 'web-3', firedAt: '2026-11-23T09:15:00.000Z' } } },
  );
  expect(res.data.ticketCreateFromAlert.userErrors).toEqual([]);
  return res.data.ticketCreateFromAlert.ticket.number;
}

test("Apollo's InMemoryCache keeps two tickets' origins apart (same source id, different kinds)", async () => {
  const a = await openFromExternalJob('7');
  const b = await openFromAlert('7');
  const res = await s.gql(ORIGINS, { a, b });
  expect(res.errors).toBeUndefined();

  const cache = new InMemoryCache();
  const query = gql(ORIGINS);
  const variables = { a, b };
  cache.writeQuery({ query, variables, data: res.data });
  const read = cache.readQuery<typeof res.data>({ query, variables });
  expect(read?.a.origin).toMatchObject({ kind: 'EXTERNAL_JOB', sourceId: '7', details: { eventTitle: 'Backup' } });
  expect(read?.b.origin).toMatchObject({ kind: 'ALERT', sourceId: '7', details: { title: 'High CPU' } });
  expect(read?.a.origin.id).not.toBe(read?.b.origin.id);
  // Normalized as two records, each its own.
  const records = Object.keys(cache.extract()).filter((k) => k.startsWith('TicketOrigin:'));
  expect(records).toHaveLength(2);
});

test("Relay's store: two tickets from one alert keep their own origins, and no id names both an origin and the alert", async () => {
  const a = await openFromAlert('alert-9c1');
  const b = await openFromAlert('alert-9c1');
  // The query as relay-compiler writes it (test/fixtures/client-tools/relay/TicketOrigins.ts).
  const compiled = relayCompile(path.join(ROOT, 'schema.graphql'), ['TicketOrigins.ts'], 'javascript');
  expect(compiled.output).toBe('');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const query = require(path.join(compiled.artifacts, 'TicketOriginsQuery.graphql.js')) as ConcreteRequest;
  const res = await s.gql(query.params.text ?? '', { a, b });
  expect(res.errors).toBeUndefined();

  const store = new Store(new RecordSource());
  const environment = new Environment({ network: Network.create(() => Promise.reject(new Error('no network in this test'))), store });
  const warnings: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
  try {
    const operation = createOperationDescriptor(query, { a, b });
    environment.commitPayload(operation, res.data);
    const read = environment.lookup(operation.fragment).data as Record<'a' | 'b', { id: string; origin: { id: string; sourceId: string; alert: { id: string } } }>;
    expect(warnings).toEqual([]); // "... violated the globally unique id requirement" before
    expect(read.a.origin.id).not.toBe(read.b.origin.id);
    expect(read.a.origin).toMatchObject({ sourceId: 'alert-9c1', alert: { id: 'alert-9c1' } });
    expect(read.b.origin).toMatchObject({ sourceId: 'alert-9c1', alert: { id: 'alert-9c1' } });
    expect(store.getSource().get('alert-9c1')?.__typename).toBe('Alert');
    expect(store.getSource().get(read.a.origin.id)?.__typename).toBe('TicketOrigin');
  } finally {
    spy.mockRestore();
  }
});

test("an origin's id is a global id no other object has: not the alert's, resolvable through node", async () => {
  const number = await openFromAlert('alert-7f3');
  const res = await s.gql(`query($n: Int!) { ticket(number: $n) { id origin { id sourceId alert { id } } } }`, { n: number });
  const { id: ticketId, origin } = res.data.ticket;
  expect(origin.sourceId).toBe('alert-7f3');
  expect(origin.alert.id).toBe('alert-7f3');
  expect(origin.id).not.toBe('alert-7f3');
  expect(origin.id).not.toBe(ticketId);

  const node = await s.gql(`query($id: ID!) { node(id: $id) { __typename id ... on TicketOrigin { kind sourceId } } }`, { id: origin.id });
  expect(node.data.node).toEqual({ __typename: 'TicketOrigin', id: origin.id, kind: 'ALERT', sourceId: 'alert-7f3' });
  // Another caller sees it as it sees the ticket: not at all without access.
  const anonymous = await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: origin.id }, null);
  expect(anonymous.data?.node ?? null).toBeNull();
});

test('every object type with an id implements Node (a global id), except the entities the ops graph owns', async () => {
  const schema = await buildAppSchema();
  const withId = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith('_') && t.getFields().id)
    .map((t) => t as GraphQLObjectType);
  const notNodes = withId.filter((t) => !t.getInterfaces().some((i) => i.name === 'Node')).map((t) => t.name);
  // Alert and Server are keyed by the ops graph's ids (@key(fields: "id")): that subgraph owns them.
  expect(notNodes.sort()).toEqual(['Alert', 'Server']);
  for (const t of withId) expect(`${t.name}.id: ${getNamedType(t.getFields().id.type).name}`).toBe(`${t.name}.id: ID`);
});
