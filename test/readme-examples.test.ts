/**
 * The README is a client developer's first page, so its examples must work as written: every
 * GraphQL operation in a ```graphql block runs, in the README's order, against a fresh server
 * started as the Quick start says (ADMIN_API_KEY from the Quick start, nothing else created), with
 * that key, and answers without errors and without userErrors.
 *
 * Extraction rules (also stated in the README's API overview):
 * - every ```graphql block is parsed; each operation in it is one example, run in order;
 * - an operation holding a placeholder string such as "<event id>" stands for an id taken from an
 *   earlier answer: it is validated against the schema but not run;
 * - a block preceded by `<!-- readme-examples: skip -->` is only validated (for blocks that are
 *   fragments of a larger document or show something a fresh install cannot do).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, print, validate, type OperationDefinitionNode } from 'graphql';
import { startTestServer, type TestServer } from './helpers/test-server';

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
      examples.push({ line: line + (operation.loc?.startToken.line ?? 1), source, run: !skipBlock && !/"<[^">]+>"/.test(source) });
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
    for (const example of examples.filter((e) => e.run)) {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: example.source }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
      const userErrors = userErrorsIn(body.data);
      if (res.status !== 200 || body.errors || userErrors.length) {
        failures.push({ line: example.line, example: example.source, status: res.status, errors: body.errors, userErrors });
      }
    }
    expect(failures).toEqual([]);
  });
});
