import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import { CREATE, COMMENT_ADD } from './helpers/documents';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/*
 * This service as an Apollo Federation 2 subgraph: composition with a sample ops subgraph
 * (servers and alerts), a real @apollo/gateway over both, and _entities authorization.
 */

const OPS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
  type Server @key(fields: "id") { id: ID! name: String! }
  type Alert @key(fields: "id") { id: ID! title: String! server: Server! }
  type Query { servers: [Server!]! alerts: [Alert!]! }
`;
const SERVERS = [{ id: 'db-1', name: 'Primary database' }, { id: 'web-1', name: 'Web front' }];

let s: TestServer;
let ops: { url: string; close(): Promise<void> };
let alice: string;

async function startOpsSubgraph(): Promise<{ url: string; close(): Promise<void> }> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(OPS_SDL),
    resolvers: {
      Query: { servers: () => SERVERS, alerts: () => [{ id: 'a1', title: 'Disk full', server: SERVERS[0] }] },
      Server: { __resolveReference: (ref: { id: string }) => SERVERS.find((x) => x.id === ref.id) ?? null },
      Alert: { __resolveReference: (ref: { id: string }) => (ref.id === 'a1' ? { id: 'a1', title: 'Disk full', server: SERVERS[0] } : null) },
    } as never,
  });
  const apollo = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: async () => {
      await apollo.stop();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

beforeAll(async () => {
  s = await startTestServer();
  ops = await startOpsSubgraph();
  await s.gql(`mutation { categoryCreate(input: { key: "secret" }) { userErrors { message } } }`);
  alice = await s.user('alice');
  const t = (await s.gql(CREATE, { input: { subject: 'Replica lag', server: 'db-1', assignees: ['alice'] } }, alice)).data.ticketCreate.ticket;
  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'Looking into it' } }, alice);
  await s.gql(CREATE, { input: { subject: 'Hidden', server: 'db-1', category: 'secret' } });
});
afterAll(async () => {
  await s?.close();
  await ops?.close();
});

async function ourSdl(): Promise<string> {
  const r = await s.gql(`{ _service { sdl } }`);
  return r.data._service.sdl;
}

test('the subgraph composes with an ops subgraph into a supergraph', async () => {
  const sdl = await ourSdl();
  expect(sdl).toContain('@key(fields: "number")');
  const result = composeServices([
    { name: 'tickets', typeDefs: parse(sdl), url: `${s.url}/graphql` },
    { name: 'ops', typeDefs: parse(OPS_SDL), url: ops.url },
  ]);
  expect(result.errors ?? []).toEqual([]);
  expect(result.supergraphSdl).toMatch(/type Server[\s\S]*tickets\(/);
});

describe('through a gateway', () => {
  let gateway: ApolloServer;
  beforeAll(async () => {
    gateway = new ApolloServer({
      gateway: new ApolloGateway({
        supergraphSdl: new IntrospectAndCompose({
          subgraphs: [{ name: 'tickets', url: `${s.url}/graphql` }, { name: 'ops', url: ops.url }],
          introspectionHeaders: { authorization: `Bearer ${ADMIN_KEY}` },
        }),
        // The router forwards the caller's Authorization header, as a real router is configured to.
        buildService: ({ url }) =>
          new RemoteGraphQLDataSource<{ authorization?: string }>({
            url,
            willSendRequest: ({ request, context }) => {
              if (context.authorization) request.http?.headers.set('authorization', context.authorization);
            },
          }),
      }),
    });
    await gateway.start();
  });
  afterAll(() => gateway?.stop());

  const run = async (query: string, key: string | null) => {
    const res = await gateway.executeOperation({ query }, { contextValue: { authorization: key ? `Bearer ${key}` : undefined } });
    if (res.body.kind !== 'single') throw new Error('incremental response');
    return res.body.singleResult;
  };

  test('resolves a query that crosses subgraphs: server -> tickets -> changes -> author', async () => {
    const r = await run(`{ servers { id name tickets { totalCount edges { node { number subject changes { edges { node { type author { username } } } } } } } } }`, alice);
    expect(r.errors).toBeUndefined();
    const db = (r.data as any).servers.find((x: { id: string }) => x.id === 'db-1');
    expect(db.name).toBe('Primary database');
    // alice has no category restriction: the admin's ticket in "secret" counts too.
    expect(db.tickets.totalCount).toBe(2);
    const lag = db.tickets.edges.find((e: any) => e.node.subject === 'Replica lag').node;
    expect(lag.changes.edges.map((e: any) => [e.node.type, e.node.author.username])).toEqual([['CREATED', 'alice'], ['COMMENT', 'alice']]);
    const web = (r.data as any).servers.find((x: { id: string }) => x.id === 'web-1');
    expect(web.tickets.totalCount).toBe(0);
  });

  test('category restrictions hold across the gateway', async () => {
    const outsider = await s.user('outsider', ['EDIT_TICKETS'], { categories: ['secret'] });
    const r = await run(`{ servers { id tickets { totalCount edges { node { subject } } } } }`, outsider);
    const db = (r.data as any).servers.find((x: { id: string }) => x.id === 'db-1');
    expect(db.tickets.edges.map((e: any) => e.node.subject)).toEqual(['Hidden']);
  });

  test('passes an authentication error through as it is, without the subgraph URL', async () => {
    // Refused while executing (no key) and before executing (a bad key): the router asks for
    // application/json, so the subgraph answers 200 and the router relays the GraphQL error
    // instead of "401: Unauthorized" with extensions.response.url.
    for (const key of [null, 'tg_not-a-real-key']) {
      const r = await run(`{ tickets { totalCount } }`, key);
      expect({ key, errors: r.errors }).toEqual({ key, errors: [expect.objectContaining({ message: expect.stringMatching(/API key|Authentication required/), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] });
      expect(JSON.stringify(r)).not.toContain(new URL(s.url).host);
      expect(r.errors![0].extensions).not.toHaveProperty('response');
    }
    // Across subgraphs: the ops part is answered, the tickets part carries the real error.
    const mixed = await run(`{ servers { id tickets { totalCount } } }`, null);
    expect(mixed.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Authentication required/), extensions: { code: 'UNAUTHENTICATED' } });
    expect(JSON.stringify(mixed)).not.toContain(new URL(s.url).host);
  });

  test('resolves alert -> tickets opened for it -> origin, across subgraphs', async () => {
    const opened = await s.gql(
      `mutation($i: TicketCreateFromAlertInput!) { ticketCreateFromAlert(input: $i) { ticket { number } userErrors { message } } }`,
      { i: { alert: { id: 'a1', title: 'Disk full', server: 'db-1', firedAt: '2026-11-23T09:00:00Z' } } },
      alice,
    );
    expect(opened.data.ticketCreateFromAlert.userErrors).toEqual([]);
    const r = await run(`{ alerts { id title server { name } tickets { totalCount edges { node { number subject origin { kind alert { id title } } } } } } }`, alice);
    expect(r.errors).toBeUndefined();
    expect((r.data as any).alerts).toEqual([
      {
        id: 'a1',
        title: 'Disk full',
        server: { name: 'Primary database' },
        tickets: { totalCount: 1, edges: [{ node: { number: opened.data.ticketCreateFromAlert.ticket.number, subject: 'Alert: Disk full on db-1', origin: { kind: 'ALERT', alert: { id: 'a1', title: 'Disk full' } } } }] },
      },
    ]);
  });
});

describe('_entities', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { number subject } ... on User { username assignedTickets { totalCount } } } }`;

  test('resolves tickets by id or number and users by username, in batches', async () => {
    const ids = (await s.gql(`{ tickets { edges { node { id number } } } }`)).data.tickets.edges.map((e: any) => e.node);
    const representations = [
      ...ids.map((t: { id: string }) => ({ __typename: 'Ticket', id: t.id })),
      ...ids.map((t: { number: number }) => ({ __typename: 'Ticket', number: t.number })),
      { __typename: 'User', username: 'alice' },
      { __typename: 'Ticket', number: 999 },
    ];
    const r = await s.gql(ENTITIES, { r: representations });
    expect(r.errors).toBeUndefined();
    expect(r.data._entities).toHaveLength(representations.length);
    expect(r.data._entities.at(-2)).toEqual({ username: 'alice', assignedTickets: { totalCount: 1 } });
    expect(r.data._entities.at(-1)).toBeNull();
    // key lookup, rate-limit charge, tickets by id, tickets by number, users by name, then the assigned-tickets page and count
    expect(s.requests.get(r.requestId)!.sqlCount).toBeLessThanOrEqual(7);
  });

  test('applies the same authorization as direct queries', async () => {
    const outsider = await s.user('outsider2', ['EDIT_TICKETS'], { categories: ['secret'] });
    const all = (await s.gql(`{ tickets { edges { node { number subject } } } }`)).data.tickets.edges.map((e: any) => e.node);
    const r = await s.gql(ENTITIES, { r: all.map((t: { number: number }) => ({ __typename: 'Ticket', number: t.number })) }, outsider);
    expect(r.data._entities.map((e: { subject: string } | null) => e?.subject ?? null)).toEqual(all.map((t: { subject: string }) => (t.subject === 'Hidden' ? 'Hidden' : null)));
    const anonymous = await s.gql(ENTITIES, { r: [{ __typename: 'Ticket', number: 1 }] }, null);
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  test('refuses representations whose keys are not what the entity is keyed by, as BAD_USER_INPUT naming them', async () => {
    const bad: [unknown, RegExp][] = [
      [{ __typename: 'Ticket', id: 5 }, /Ticket: id must be a string/],
      [{ __typename: 'Ticket', id: { nested: true } }, /Ticket: id must be a string/],
      [{ __typename: 'Ticket', id: ['a'] }, /Ticket: id must be a string/],
      [{ __typename: 'Ticket', number: 'seven' }, /Ticket: number must be an integer/],
      [{ __typename: 'Ticket', number: 1.5 }, /Ticket: number must be an integer/],
      [{ __typename: 'Ticket' }, /Ticket: give id or number/],
      [{ __typename: 'User', username: 42 }, /User: username must be a string/],
      [{ __typename: 'Job', id: null }, /Job: id must be a string/],
      [{ __typename: 'Server', id: true }, /Server: id must be a string/],
      [{ __typename: 'Alert', id: [] }, /Alert: id must be a string/],
      ['Ticket', /must be an object/],
      [{ __typename: 'Nope', id: '1' }, /must be an object whose __typename is one of/],
    ];
    for (const [representation, message] of bad) {
      const r = await s.gql(ENTITIES, { r: [representation] });
      expect({ representation, code: r.errors?.[0].extensions?.code }).toEqual({ representation, code: 'BAD_USER_INPUT' });
      expect(r.errors![0].message).toMatch(message);
    }
  });
});
