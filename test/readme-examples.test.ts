/**
 * The README is a client developer's first page, so its examples must work as written: every
 * GraphQL operation in a ```graphql block runs, in the README's order, against a fresh server
 * started as the Quick start says (ADMIN_API_KEY from the Quick start, nothing else created), with
 * that key, and answers without errors and without userErrors.
 *
 * Extraction rules (also stated in the README's API overview):
 * - every ```graphql block is parsed; each operation in it is one example, run in order;
 * - a placeholder string "<X id>" stands for the id of the object an earlier answer returned under
 *   the field X in camelCase ("<ticket event id>": the latest `ticketEvent { id }`, or an item of a
 *   `ticketEvents` list); the test substitutes it, and fails when no earlier answer had one;
 * - a block preceded by `<!-- readme-examples: skip -->` is only validated (for blocks that are
 *   fragments of a larger document or show something a fresh install cannot do).
 *
 * The Clients section's ```ts blocks preceded by `<!-- readme-examples: typecheck -->` are
 * type-checked against the installed packages; its possibleTypes and scalar maps are compared with
 * the schema, and its graphql-ws options subscribe to the test server.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSchema, isScalarType, parse, print, specifiedScalarTypes, validate, type OperationDefinitionNode } from 'graphql';
import { createClient } from 'graphql-ws';
import ts from 'typescript';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from './helpers/test-server';
import { eventually } from './helpers/ws-client';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const schema = buildSchema(fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

interface Example {
  line: number;
  source: string;
  run: boolean;
}

function extractExamples(): Example[] {
  const examples: Example[] = [];
  const fence = /^```graphql\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(readme); match; match = fence.exec(readme)) {
    const before = readme.slice(0, match.index);
    const line = before.split('\n').length;
    const skipBlock = /<!-- readme-examples: skip -->\s*$/.test(before);
    const document = parse(match[1]!);
    for (const definition of document.definitions) {
      const operation = definition as OperationDefinitionNode;
      const source = print(operation);
      examples.push({ line: line + (operation.loc?.startToken.line ?? 1), source, run: !skipBlock });
    }
  }
  return examples;
}

/** The admin key the Quick start tells people to start the server with. */
function quickStartKey(): string {
  const key = /ADMIN_API_KEY=(\S+) npm start/.exec(readme)?.[1];
  if (!key) throw new Error('README Quick start does not show ADMIN_API_KEY=... npm start');
  return key;
}

/** The ```ts blocks marked for type-checking, in README order. */
function typecheckedSnippets(): string[] {
  return [...readme.matchAll(/<!-- readme-examples: typecheck -->\n```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Type-checks snippets as separate modules next to the tests, so they resolve the installed packages. */
function typecheck(snippets: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(__dirname, '.readme-snippets-'));
  try {
    const files = snippets.map((source, i) => {
      const file = path.join(dir, `snippet-${i}.mts`);
      fs.writeFileSync(file, source);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Records the latest id returned under each field name (list items under the singular too). */
function rememberIds(value: unknown, ids: Map<string, string>, field = ''): void {
  if (Array.isArray(value)) {
    const singular = field.replace(/ies$/, 'y').replace(/s$/, '');
    value.forEach((item) => rememberIds(item, ids, singular));
  } else if (value && typeof value === 'object') {
    const id = (value as { id?: unknown }).id;
    if (field && typeof id === 'string') ids.set(field, id);
    for (const [name, child] of Object.entries(value)) rememberIds(child, ids, name);
  }
}

/** Replaces each "<X id>" by the id remembered under camelCase(X); throws naming a placeholder no answer filled. */
function fillPlaceholders(source: string, ids: Map<string, string>): string {
  return source.replace(/"<([^">]+) id>"/g, (placeholder, words: string) => {
    const field = words.replace(/ (\w)/g, (_, c: string) => c.toUpperCase());
    const id = ids.get(field);
    if (!id) throw new Error(`${placeholder}: no earlier example returned a ${field} { id }`);
    return JSON.stringify(id);
  });
}

function userErrorsIn(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((item) => userErrorsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [name, child] of Object.entries(value)) {
      if (name === 'userErrors' && Array.isArray(child)) found.push(...child);
      else userErrorsIn(child, found);
    }
  }
  return found;
}

describe('README examples', () => {
  const examples = extractExamples();
  const key = quickStartKey();
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_API_KEY: key });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('finds the examples', () => {
    expect(examples.filter((e) => e.run).length).toBeGreaterThan(20);
  });

  it('validates every GraphQL example against schema.graphql', () => {
    const invalid = examples
      .map((e) => ({ line: e.line, errors: validate(schema, parse(e.source)).map((error) => error.message) }))
      .filter((e) => e.errors.length);
    expect(invalid).toEqual([]);
  });

  it('runs every GraphQL example in order on a fresh server, without errors or userErrors', async () => {
    const failures: unknown[] = [];
    const ids = new Map<string, string>();
    for (const example of examples.filter((e) => e.run)) {
      let query: string;
      try {
        query = fillPlaceholders(example.source, ids);
      } catch (error) {
        failures.push({ line: example.line, example: example.source, placeholder: (error as Error).message });
        continue;
      }
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
      rememberIds(body.data, ids);
      const userErrors = userErrorsIn(body.data);
      if (res.status !== 200 || body.errors || userErrors.length) {
        failures.push({ line: example.line, example: query, status: res.status, errors: body.errors, userErrors });
      }
    }
    expect(failures).toEqual([]);
  });

  it('type-checks the marked client snippets against the installed packages', () => {
    const snippets = typecheckedSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    expect(typecheck(snippets)).toEqual([]);
  });

  it("compiles the README's Relay fragments with its relay.config.json (Node refetch, @connection, scalars)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-relay-'));
    try {
      fs.mkdirSync(path.join(dir, 'src'));
      fs.copyFileSync(path.join(__dirname, '..', 'schema.graphql'), path.join(dir, 'schema.graphql'));
      fs.writeFileSync(path.join(dir, 'relay.config.json'), /```json\n(\{\n  "src"[\s\S]*?)```/.exec(readme)![1]!);
      const relaySnippet = typecheckedSnippets().find((snippet) => snippet.includes("from 'relay-runtime'"))!;
      fs.writeFileSync(path.join(dir, 'src', 'environment.ts'), relaySnippet);
      const bin = require('relay-compiler') as string;
      const run = spawnSync(bin, ['--noWatchman', '--output', 'quiet-with-errors', 'relay.config.json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect({ status: run.status, output: run.status === 0 ? '' : `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
      const generated = path.join(dir, 'src', '__generated__');
      expect(fs.readFileSync(path.join(generated, 'TicketSummaryRefetchQuery.graphql.ts'), 'utf8')).toContain('node(id: $id)');
      expect(fs.readFileSync(path.join(generated, 'TicketSummary_ticket.graphql.ts'), 'utf8')).toContain('readonly createdAt: string;');
      expect(fs.readFileSync(path.join(generated, 'TicketHistory_ticket.graphql.ts'), 'utf8')).toContain('"name": "__TicketHistory_changes_connection"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("generates typed operations with the README's codegen.ts (client preset, scalars map)", () => {
    // Inside the project, so that codegen.ts and the preset resolve the installed packages.
    const dir = fs.mkdtempSync(path.join(__dirname, '.readme-codegen-'));
    try {
      fs.mkdirSync(path.join(dir, 'src'));
      fs.copyFileSync(path.join(__dirname, '..', 'schema.graphql'), path.join(dir, 'schema.graphql'));
      fs.writeFileSync(path.join(dir, 'codegen.ts'), typecheckedSnippets().find((snippet) => snippet.includes('CodegenConfig'))!);
      fs.writeFileSync(
        path.join(dir, 'src', 'app.ts'),
        "import { graphql } from './gql';\nexport const q = graphql(`query OpenTickets { tickets(first: 5) { edges { node { number due createdAt origin { details } } } } }`);\n",
      );
      // A child process: the CLI's ESM dependencies do not load under Jest's CommonJS runtime.
      const bin = path.join(path.dirname(require.resolve('@graphql-codegen/cli/package.json')), 'esm', 'bin.js');
      const run = spawnSync(process.execPath, [bin, '--config', 'codegen.ts', '--silent'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect({ status: run.status, output: run.status === 0 ? '' : `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
      const generated = fs.readFileSync(path.join(dir, 'src', 'gql', 'graphql.ts'), 'utf8');
      expect(generated).toContain('createdAt: string');
      expect(generated).toContain('details: Record<string, unknown>');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists in Apollo's possibleTypes exactly the types that implement Node", () => {
    const list = /Node: \[([^\]]*)\]/.exec(readme)?.[1];
    expect(list).toBeDefined();
    const listed = [...list!.matchAll(/'(\w+)'/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(schema.getPossibleTypes(schema.getType('Node') as any).map((t) => t.name).sort());
  });

  it('maps every custom scalar in the codegen and Relay configs', () => {
    const custom = Object.values(schema.getTypeMap())
      .filter((t) => isScalarType(t) && !t.name.startsWith('__') && !specifiedScalarTypes.some((s) => s.name === t.name))
      .map((t) => t.name)
      .sort();
    const codegenScalars = /scalars: \{([^}]*)\}/.exec(readme)?.[1] ?? '';
    expect([...codegenScalars.matchAll(/(\w+): '/g)].map((m) => m[1]).sort()).toEqual(custom);
    const relayScalars = JSON.parse(/"customScalarTypes": (\{[^}]*\})/.exec(readme)?.[1] ?? '{}');
    expect(Object.keys(relayScalars).sort()).toEqual(custom);
  });

  it("subscribes from Node with the README's graphql-ws options (ws package, authorization in connectionParams)", async () => {
    // The same options as the README's Node.js snippet, pointed at the test server; ticket #1 exists
    // once the examples above have run.
    const client = createClient({
      url: server.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
    });
    const received: any[] = [];
    let failure: unknown = null;
    const dispose = client.subscribe(
      { query: 'subscription { ticketUpdated(id: "1") { cursor change { type field newValue body } ticket { status } } }' },
      { next: ({ data }) => received.push(data), error: (error) => (failure = error), complete: () => {} },
    );
    try {
      await eventually('the subscription to be registered', () => {
        if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        return server.app.services.ticketStream.subscriberCount === 1;
      });
      const added = await server.gql(`mutation { commentAdd(input: { ticketId: "1", body: "Heard over graphql-ws" }) { userErrors { message } } }`, {}, key);
      expect(added.errors).toBeUndefined();
      await eventually('the comment to arrive over the subscription', () => {
        if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        return received.some((d) => d.ticketUpdated.change.body === 'Heard over graphql-ws');
      });
    } finally {
      dispose();
      await client.dispose();
    }
  });
});
