import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

/** What clients used to GitHub's and Shopify's APIs expect (issue 17). */
let s: TestServer;
const tickets: { id: string; number: number }[] = [];

beforeAll(async () => {
  s = await startTestServer();
  for (let i = 1; i <= 3; i++) {
    const r = await s.gql(CREATE, { input: { subject: `T${i}` } });
    tickets.push(r.data.ticketCreate.ticket);
  }
  const c = await s.gql(COMMENT_ADD, { input: { ticketId: tickets[0].id, body: 'hello' } });
  expect(c.data.commentAdd.userErrors).toEqual([]);
});
afterAll(() => s?.close());

describe('nodes on every connection', () => {
  test('lists the same page as edges, in the same order, top-level and nested', async () => {
    const r = await s.gql(`{ tickets(first: 2) {
      edges { node { number changes { edges { node { id type } } } } }
      nodes { number changes { nodes { id type } } }
    } }`);
    expect(r.errors).toBeUndefined();
    const { edges, nodes } = r.data.tickets;
    expect(nodes.map((n: { number: number }) => n.number)).toEqual([3, 2]);
    expect(nodes).toEqual(edges.map((e: { node: unknown }) => ({
      ...(e.node as object),
      changes: { nodes: (e.node as { changes: { edges: { node: unknown }[] } }).changes.edges.map((c) => c.node) },
    })));
  });

  test('costs no more SQL than edges (nodes come from the page already fetched)', async () => {
    const sql = async (selection: string) => {
      const r = await s.gql(`{ tickets(first: 3) { ${selection} } }`);
      expect(r.errors).toBeUndefined();
      return s.requests.get(r.requestId)!.sqlCount;
    };
    const viaEdges = await sql('edges { node { number creator { username } changes { edges { node { id } } } } }');
    const viaNodes = await sql('nodes { number creator { username } changes { nodes { id } } }');
    const both = await sql('edges { node { number } } nodes { number creator { username } changes { nodes { id } } }');
    expect(viaNodes).toBe(viaEdges);
    expect(both).toBe(viaEdges);
  });

  test('every connection type in the schema has nodes of its edge node type', async () => {
    const r = await s.gql(`{ __schema { types { name kind fields { name type { kind name ofType { kind name ofType { kind name ofType { name } } } } } } } }`);
    type F = { name: string; type: any };
    const connections = r.data.__schema.types.filter((t: { name: string; fields: F[] | null }) => t.name.endsWith('Connection') && t.fields?.some((f) => f.name === 'edges'));
    expect(connections.length).toBeGreaterThanOrEqual(5);
    const named = (t: any): string => (t.name ?? named(t.ofType));
    const byName = new Map(r.data.__schema.types.map((t: { name: string }) => [t.name, t]));
    for (const c of connections) {
      const nodes = c.fields.find((f: F) => f.name === 'nodes');
      expect([c.name, nodes && named(nodes.type)]).toEqual([c.name, named((byName.get(named(c.fields.find((f: F) => f.name === 'edges').type)) as any).fields.find((f: F) => f.name === 'node').type)]);
    }
  });
});
