import graphqlEslint from '@graphql-eslint/eslint-plugin';
import { ChangeType, diff } from '@graphql-inspector/core';
import { ESLint } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';
import { buildClientSchema, buildSchema, getIntrospectionQuery, introspectionFromSchema, validateSchema } from 'graphql';
import { codegen, relayCompile, removeScratchDirs, ROOT } from './helpers/client-tools';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * Front-end tools read the committed schema.graphql: relay-compiler (Node refetch, @connection on
 * tickets and on a ticket's changes), graphql-codegen (typescript-operations), graphql-inspector and
 * graphql's own buildSchema. They failed on the subgraph SDL (relay-compiler 21 panics on
 * `extend schema @link(...)`); routers get that as schema.subgraph.graphql.
 */

const SCHEMA = path.join(ROOT, 'schema.graphql');
afterAll(removeScratchDirs);
const SUBGRAPH = path.join(ROOT, 'schema.subgraph.graphql');
const RELAY_FIXTURES = ['TicketSummary.ts', 'TicketList.ts', 'TicketHistory.ts', 'TicketOrigins.ts'];

test('relay-compiler compiles a Node refetch fragment and @connection on tickets and on changes', () => {
  const run = relayCompile(SCHEMA, RELAY_FIXTURES);
  expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: run.status === 0 ? run.output : 'no errors' });
  const artifacts = fs.readdirSync(run.artifacts).sort();
  expect(artifacts).toEqual(
    expect.arrayContaining([
      'TicketSummaryRefetchQuery.graphql.ts', // node(id:) refetch of a Ticket
      'TicketListPaginationQuery.graphql.ts',
      'TicketHistoryPaginationQuery.graphql.ts',
      'TicketList_query.graphql.ts',
      'TicketHistory_ticket.graphql.ts',
    ]),
  );
  const refetch = fs.readFileSync(path.join(run.artifacts, 'TicketSummaryRefetchQuery.graphql.ts'), 'utf8');
  expect(refetch).toContain('node(id: $id)');
  const list = fs.readFileSync(path.join(run.artifacts, 'TicketList_query.graphql.ts'), 'utf8');
  expect(list).toContain('"name": "__TicketList_tickets_connection"');
  const history = fs.readFileSync(path.join(run.artifacts, 'TicketHistory_ticket.graphql.ts'), 'utf8');
  expect(history).toContain('"name": "__TicketHistory_changes_connection"');
});

test('relay-compiler refuses the subgraph SDL, which is why schema.graphql is the client view', () => {
  // Documents the reason for the split: if relay-compiler learns federation this can go.
  const run = relayCompile(SUBGRAPH, ['TicketSummary.ts']);
  expect(run.status).not.toBe(0);
});

test('graphql-codegen emits TypeScript types for operations against schema.graphql', () => {
  const run = codegen(SCHEMA);
  expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: run.status === 0 ? run.output : 'no errors' });
  const generated = run.generated ?? '';
  expect(generated).toContain('export type OpenTicketsQuery = {');
  expect(generated).toContain('export type OpenTicketsQueryVariables = Exact<{');
  expect(generated).toContain('export type CommentOnTicketMutation = {');
  expect(generated).toMatch(/export enum TicketStatus \{|export type TicketStatus =/);
});

describe('schema.graphql is the live schema as clients see it', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  test('graphql builds it; graphql-inspector finds no difference from the served introspection but the federation fields', async () => {
    const committed = buildSchema(fs.readFileSync(SCHEMA, 'utf8'));
    expect(validateSchema(committed)).toEqual([]);
    const introspection = await s.gql(getIntrospectionQuery({ specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    expect(introspection.errors).toBeUndefined();
    const live = buildClientSchema(introspection.data as never);
    // Both sides as introspection describes them (an SDL's @specifiedBy is an applied directive, an
    // introspected scalar's is specifiedByURL): like with like.
    const changes = await diff(buildClientSchema(introspectionFromSchema(committed)), live);
    // What the server adds for routers (Query._entities, _service, their types and the federation
    // directive definitions) and nothing else.
    const federation = /^(Query\._entities|Query\._service|_Any|_Entity|_Service|link__\w+|federation__\w+|@(link|key|shareable|federation__\w+))(\.|$)/;
    expect(changes.filter((c) => !federation.test(c.path ?? '')).map((c) => c.message)).toEqual([]);
    expect(changes.filter((c) => c.type === ChangeType.TypeAdded || c.type === ChangeType.FieldAdded).map((c) => `${c.type} ${c.path ?? ''}`).sort()).toEqual([
      `${ChangeType.FieldAdded} Query._entities`,
      `${ChangeType.FieldAdded} Query._service`,
      `${ChangeType.FieldAdded} _Service.sdl`,
      `${ChangeType.TypeAdded} _Any`,
      `${ChangeType.TypeAdded} _Entity`,
      `${ChangeType.TypeAdded} _Service`,
      `${ChangeType.TypeAdded} federation__FieldSet`,
      `${ChangeType.TypeAdded} link__Import`,
      `${ChangeType.TypeAdded} link__Purpose`,
    ]);
  });
});

test('graphql-eslint reads schema.graphql on its own (no @apollo/subgraph): its schema-aware rules work', async () => {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.graphql'],
        languageOptions: { parser: graphqlEslint.parser, parserOptions: { graphQLConfig: { schema: path.join(ROOT, 'schema.graphql') } } },
        plugins: { '@graphql-eslint': graphqlEslint as never },
        rules: { '@graphql-eslint/no-deprecated': 'error', '@graphql-eslint/fields-on-correct-type': 'error', '@graphql-eslint/known-type-names': 'error' },
      },
    ],
  });
  const lint = async (text: string) => (await eslint.lintText(text, { filePath: path.join(ROOT, 'operation.graphql') }))[0].messages.map((m) => [m.ruleId, m.message]);
  expect(await lint('query Ok($id: ID!) { ticket(id: $id) { number subject origin { sourceId } } }')).toEqual([]);
  expect(await lint('query Old { ticketEvents(first: 1) { totalCount } viewer { nope } }')).toEqual([
    ['@graphql-eslint/no-deprecated', expect.stringMatching(/"ticketEvents" is marked as deprecated/)],
    ['@graphql-eslint/fields-on-correct-type', expect.stringMatching(/Cannot query field "nope" on type "User"/)],
  ]);
});
