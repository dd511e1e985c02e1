import { serverAudits, type AuditResult } from 'graphql-http';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * The GraphQL-over-HTTP conformance audits of graphql-http against the real server. MUST-level
 * audits report "error" when they fail; SHOULD-level "warn"; MAY-level "notice".
 *
 * Remaining, by decision:
 * - 572B, FDE2, 7B9B (SHOULD answer 200 to parse, validation and variable-coercion failures when the
 *   client accepts only application/json): Apollo answers 400, which the spec allows and which
 *   application/graphql-response+json requires; clients and our tests rely on the 400.
 * - 5A70, D6D5, 6A70 (MAY accept GET): only without a preflight header, which CSRF prevention
 *   refuses on purpose. With `Apollo-Require-Preflight: true` (what non-browser clients send) they pass.
 */
const ACCEPTED_WARNINGS = ['572B', 'FDE2', '7B9B'];
const GET_WITHOUT_PREFLIGHT = ['5A70', 'D6D5', '6A70'];

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

async function run(fetchFn: typeof fetch): Promise<{ id: string; name: string; result: AuditResult }[]> {
  const out = [];
  for (const audit of serverAudits({ url: `${s.url}/graphql`, fetchFn })) out.push({ id: audit.id, name: audit.name, result: await audit.fn() });
  return out;
}

const describeFailures = (rows: { id: string; name: string; result: AuditResult }[]) =>
  rows.map((r) => `${r.id} ${r.name}: ${r.result.status === 'ok' ? 'ok' : r.result.reason}`).join('\n');

test('passes every MUST audit, and fails only the SHOULD/MAY audits we decided against', async () => {
  const results = await run(fetch);
  expect(results.length).toBeGreaterThan(30);
  const errors = results.filter((r) => r.result.status === 'error');
  expect(describeFailures(errors)).toBe('');
  const warnings = results.filter((r) => r.result.status === 'warn').map((r) => r.id).sort();
  expect(warnings).toEqual([...ACCEPTED_WARNINGS].sort());
  const notices = results.filter((r) => r.result.status === 'notice').map((r) => r.id).sort();
  expect(notices).toEqual([...GET_WITHOUT_PREFLIGHT].sort());
});

test('accepts GET queries (and their URL-encoded variables) from clients that send the preflight header', async () => {
  const withPreflight: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'apollo-require-preflight': 'true' } });
  const results = await run(withPreflight);
  const getAudits = results.filter((r) => GET_WITHOUT_PREFLIGHT.includes(r.id));
  expect(getAudits).toHaveLength(GET_WITHOUT_PREFLIGHT.length);
  expect(describeFailures(getAudits.filter((r) => r.result.status !== 'ok'))).toBe('');
  expect(describeFailures(results.filter((r) => r.result.status === 'error'))).toBe('');
});
