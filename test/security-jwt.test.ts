import http from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { createLogger } from '../src/common/logger';
import { startTestServer, type TestServer } from './helpers/test-server';

const SECRET = 'jwt-test-secret-0123456789abcdef-0123456789';
const ISSUER = 'https://idp.test';
const AUDIENCE = 'ticket-gateway';

let s: TestServer;
let jwks: http.Server;
let jwksRequests = 0;
let rsa: { privateKey: KeyLike; publicKey: KeyLike };
let ec: { privateKey: KeyLike; publicKey: KeyLike };
let strangerRsa: { privateKey: KeyLike; publicKey: KeyLike };

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  strangerRsa = await generateKeyPair('RS256');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  // A real JWKS endpoint over HTTP, as an identity provider serves it.
  jwks = http.createServer((req, res) => {
    jwksRequests++;
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  s = await startTestServer({ JWT_SECRET: SECRET, JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  await s.user('jules', ['CREATE_TICKETS']);
  await s.user('gone', ['CREATE_TICKETS']);
  await s.app.db.manager.query(`UPDATE app_user SET active = ? WHERE username = 'gone'`, [false]);
});
afterAll(async () => {
  await s?.close();
  await new Promise((r) => jwks?.close(r));
});

interface Claims { sub?: string; iss?: string; aud?: string; exp?: number | string; nbf?: number; [k: string]: unknown }

const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: Claims, secret = SECRET): Promise<string> {
  return sign(claims, { alg: 'HS256' }, new TextEncoder().encode(secret));
}

function sign(claims: Claims, header: { alg: string; kid?: string }, key: KeyLike | Uint8Array): Promise<string> {
  const { exp, ...rest } = { sub: 'jules', iss: ISSUER, aud: AUDIENCE, exp: now() + 300, ...claims };
  const jwt = new SignJWT(rest).setProtectedHeader(header).setIssuedAt();
  if (exp !== undefined) jwt.setExpirationTime(exp);
  return jwt.sign(key);
}

const whoAmI = (token: string) => s.gql<{ viewer: { username: string } | null }>(`{ viewer { username } }`, {}, token);

async function expectRefused(token: string, reason: RegExp): Promise<void> {
  const r = await whoAmI(token);
  expect(r.status).toBe(200); // application/json: authentication errors are 200 (auth.test.ts)
  expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  expect(r.errors?.[0].message).toMatch(reason);
  expect(r.data?.viewer ?? null).toBeNull();
}

test('accepts a valid HS256 token as the user its sub claim names, with that user\'s privileges', async () => {
  const token = await hs256({});
  expect((await whoAmI(token)).data.viewer).toEqual({ username: 'jules' });
  const created = await s.gql(`mutation { ticketCreate(input: { subject: "Via JWT" }) { ticket { creator { username } } } }`, {}, token);
  expect(created.data.ticketCreate.ticket.creator.username).toBe('jules');
  const denied = await s.gql(`mutation { tagCreate(input: { key: "nope" }) { tag { key } } }`, {}, token);
  expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
});

test('refuses an expired token, a wrong audience, a wrong issuer and a bad signature', async () => {
  await expectRefused(await hs256({ exp: now() - 120 }), /expired/);
  await expectRefused(await hs256({ aud: 'another-service' }), /claim aud/);
  await expectRefused(await hs256({ iss: 'https://evil.test' }), /claim iss/);
  await expectRefused(await hs256({}, 'a-different-secret-0123456789abcdef-0123'), /signature/);
  await expectRefused(await hs256({ nbf: now() + 600 }), /claim nbf/);
  await expectRefused(await hs256({ exp: undefined }), /claim exp/);
  // A tampered payload keeps the signature of the original.
  const [h, , sig] = (await hs256({})).split('.');
  const forged = Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })).toString('base64url');
  await expectRefused(`${h}.${forged}.${sig}`, /signature/);
});

test('tolerates small clock skew on exp', async () => {
  expect((await whoAmI(await hs256({ exp: now() - 5 }))).data.viewer).toEqual({ username: 'jules' });
});

test('refuses a token for an unknown or inactive user, and one without the username claim', async () => {
  await expectRefused(await hs256({ sub: 'nobody' }), /no active user/);
  await expectRefused(await hs256({ sub: 'gone' }), /no active user/);
  await expectRefused(await hs256({ sub: undefined }), /claim sub/);
});

test('refuses alg none and algorithms it was not configured for', async () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`;
  // Unsigned tokens have an empty third segment: not a JWT shape we accept, and never anonymous.
  await expectRefused(none, /Invalid|API key/);
  await expectRefused(`${none}AAAA`, /algorithm/);
  const hs512 = await new SignJWT({ sub: 'jules', iss: ISSUER, aud: AUDIENCE }).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
  await expectRefused(hs512, /algorithm/);
});

test('verifies RS256 and ES256 tokens against the keys served at JWKS_URL', async () => {
  expect((await whoAmI(await sign({}, { alg: 'RS256', kid: 'rsa-1' }, rsa.privateKey))).data.viewer).toEqual({ username: 'jules' });
  expect((await whoAmI(await sign({}, { alg: 'ES256', kid: 'ec-1' }, ec.privateKey))).data.viewer).toEqual({ username: 'jules' });
  const fetched = jwksRequests;
  expect(fetched).toBeGreaterThan(0);
  expect((await whoAmI(await sign({ sub: 'kim' }, { alg: 'RS256', kid: 'rsa-1' }, rsa.privateKey))).errors?.[0].message).toMatch(/no active user/);
  expect(jwksRequests).toBe(fetched); // the key set is cached, not fetched per request
  // A key the identity provider does not publish, and a published kid with the wrong key.
  await expectRefused(await sign({}, { alg: 'RS256', kid: 'rsa-unknown' }, strangerRsa.privateKey), /no key in the JWKS/);
  await expectRefused(await sign({}, { alg: 'RS256', kid: 'rsa-1' }, strangerRsa.privateKey), /signature/);
  await expectRefused(await sign({ aud: 'other' }, { alg: 'ES256', kid: 'ec-1' }, ec.privateKey), /claim aud/);
});

test('keeps API keys working next to JWTs', async () => {
  const key = await s.user('lee', []);
  expect((await whoAmI(key)).data.viewer).toEqual({ username: 'lee' });
});

test('applies a JWT caller\'s categories to federation _entities, as a router forwarding the header would send them', async () => {
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  await s.gql(`mutation { userCreate(input: { username: "fed-dba", privileges: [], categories: ["database"] }) { userErrors { message } } }`);
  const net = (await s.gql(`mutation { ticketCreate(input: { subject: "NET", category: "network" }) { ticket { id } } }`)).data.ticketCreate.ticket.id;
  const db = (await s.gql(`mutation { ticketCreate(input: { subject: "DB", category: "database" }) { ticket { id } } }`)).data.ticketCreate.ticket.id;
  const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { subject } } }`;
  const representations = [{ __typename: 'Ticket', id: db }, { __typename: 'Ticket', id: net }];
  const r = await s.gql(entities, { r: representations }, await hs256({ sub: 'fed-dba' }));
  expect(r.errors).toBeUndefined();
  expect(r.data._entities).toEqual([{ subject: 'DB' }, null]);
  const bad = await s.gql(entities, { r: representations }, await hs256({ sub: 'fed-dba', aud: 'elsewhere' }));
  expect(bad.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(bad.data?._entities ?? null).toBeNull();
});

test('refuses tokens as UNAUTHENTICATED while the JWKS endpoint is unreachable, and logs why', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const lines: string[] = [];
  const logger = createLogger('warn', new Writable({ write: (c: Buffer, _e, done) => { lines.push(c.toString()); done(); } }));
  const down = await startTestServer({ JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, { logger });
  try {
    await down.user('jules', []);
    const r = await down.gql(`{ viewer { username } }`, {}, await sign({}, { alg: 'RS256', kid: 'rsa-1' }, rsa.privateKey));
    expect(r.status).toBe(200); // application/json: authentication errors are 200 (auth.test.ts)
    expect(r.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Invalid JWT: /), extensions: { code: 'UNAUTHENTICATED' } });
    expect(r.errors?.[0].message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect(lines.join('')).toMatch(/JWT verification failed/);
    // HS256 is not configured on this server: such a token is refused, not trusted.
    expect((await down.gql(`{ viewer { username } }`, {}, await hs256({}))).errors?.[0].message).toMatch(/algorithm/);
  } finally {
    await down.close();
  }
});

test('a JWT acts with its user\'s own scope over keys: it issues full keys and manages all of them; a narrowed key does not manage those', async () => {
  const token = await hs256({ sub: 'jules' });
  const ISSUE = `mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { id name privileges } userErrors { field code } } }`;
  const full = (await s.gql(ISSUE, { input: { name: 'jwt full' } }, token)).data.apiKeyCreate;
  expect(full).toMatchObject({ apiKey: { name: 'jwt full', privileges: null }, userErrors: [] });
  const narrow = (await s.gql(ISSUE, { input: { name: 'jwt narrow', privileges: [] } }, token)).data.apiKeyCreate;
  expect(narrow.userErrors).toEqual([]);
  const seen = (await s.gql(`{ viewer { apiKeys { name } } }`, {}, token)).data.viewer.apiKeys.map((k: { name: string }) => k.name);
  expect(seen).toEqual(expect.arrayContaining(['jwt full', 'jwt narrow']));
  // The narrowed key neither sees nor revokes the full one, nor mints another.
  const fromNarrow = (await s.gql(`{ viewer { apiKeys { name } } }`, {}, narrow.secret)).data.viewer.apiKeys.map((k: { name: string }) => k.name);
  expect(fromNarrow).toEqual(['jwt narrow']);
  const refused = await s.gql(ISSUE, { input: { name: 'wider' } }, narrow.secret);
  expect(refused.data.apiKeyCreate).toMatchObject({ secret: null, userErrors: [{ field: ['input', 'privileges'], code: 'FORBIDDEN' }] });
  const REVOKE = `mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } userErrors { field code } } }`;
  expect((await s.gql(REVOKE, { id: full.apiKey.id }, narrow.secret)).data.apiKeyRevoke).toEqual({ apiKey: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
  // The JWT revokes both.
  for (const id of [full.apiKey.id, narrow.apiKey.id]) expect((await s.gql(REVOKE, { id }, token)).data.apiKeyRevoke.apiKey.revokedAt).not.toBeNull();
});
