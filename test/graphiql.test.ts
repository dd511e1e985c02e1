import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildGraphiql, GRAPHIQL_CLIENT_DIR, GRAPHIQL_DIST_DIR } from '../scripts/build-graphiql';
import { GRAPHIQL_CSP, graphiqlRouter } from '../src/http/graphiql.route';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { BROWSER_ARGS, findChromium } from './helpers/browser';

/*
 * GraphiQL in a real browser (Debian's chromium, driven by playwright-core) against the real
 * server: the page must work with no internet, so every request it makes has to stay on this host.
 */

const CHROMIUM = findChromium('graphiql.test.ts');
const BROWSER_HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const SUBJECT = 'GraphiQL-smoke-ticket';
// Monaco renders spaces as no-break spaces; compare text with them turned back.
const normalize = (s: string): string => s.replace(/\u00a0/g, ' ');

/** `npm test` on a fresh clone has no bundle yet (CI builds first): build it when missing or older than its sources. */
async function ensureBundle(): Promise<void> {
  const manifest = path.join(GRAPHIQL_DIST_DIR, 'manifest.json');
  const builtAt = fs.existsSync(manifest) ? fs.statSync(manifest).mtimeMs : 0;
  const sources = [...fs.readdirSync(GRAPHIQL_CLIENT_DIR).map((f) => path.join(GRAPHIQL_CLIENT_DIR, f)), path.join(__dirname, '..', 'scripts', 'build-graphiql.ts')];
  const newestSource = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
  if (builtAt < newestSource) await buildGraphiql();
}

let s: TestServer;
beforeAll(async () => {
  [s] = await Promise.all([startTestServer(), ensureBundle()]);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('GET /graphql', () => {
  test('serves the GraphiQL page to a browser, with a strict CSP and no caching of the page', async () => {
    const res = await fetch(`${s.url}/graphql`, { headers: { accept: BROWSER_HTML_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere

    // The assets it names exist and, being content-hashed, are cacheable forever.
    const urls = [...html.matchAll(/(?:src|href|data-[a-z-]+-worker)="(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls).toHaveLength(5); // script, CSS and three Monaco workers
    for (const url of urls) {
      const asset = await fetch(`${s.url}${url}`);
      expect({ url, status: asset.status }).toEqual({ url, status: 200 });
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-type')).toMatch(url.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      // Workers are governed by the CSP of their own response.
      expect(asset.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
      // Sent precompressed to clients that accept gzip (fetch does, and decodes it), as is otherwise.
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      const plain = await fetch(`${s.url}${url}`, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(plain.headers.get('content-type')).toBe(asset.headers.get('content-type'));
      expect(await asset.text()).toBe(await plain.text());
    }
    expect((await fetch(`${s.url}/graphiql/assets/nope-123.js`)).status).toBe(404);
  });

  test('still answers API clients as before: GET queries with JSON, CSRF preflight required', async () => {
    const query = encodeURIComponent('{ __typename }');
    const ok = await fetch(`${s.url}/graphql?query=${query}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown }).data).toEqual({ __typename: 'Query' });

    const csrf = await fetch(`${s.url}/graphql?query=${query}`, { headers: { accept: 'application/json' } });
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toMatch(/CSRF/);

    const noAccept = await fetch(`${s.url}/graphql?query=${query}`, { headers: { accept: '*/*', 'apollo-require-preflight': 'true' } });
    expect(noAccept.headers.get('content-type')).toMatch(/json/);

    const post = await s.gql(`{ __typename }`);
    expect(post.data).toEqual({ __typename: 'Query' });
  });

  test('tells the browser to run npm run build when the bundle is missing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-graphiql-missing-'));
    const app = express().use(graphiqlRouter({ distDir: empty }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/graphql`, { headers: { accept: BROWSER_HTML_ACCEPT } });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
      // API clients are not affected: the router hands them on (here to express's 404).
      expect((await fetch(`${base}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

// Without a browser only this part is skipped (see helpers/browser.ts); the HTTP checks above still run.
(CHROMIUM ? describe : describe.skip)('GraphiQL in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: BROWSER_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  // Waits go through locators: with the page's CSP (no 'unsafe-eval') Playwright cannot evaluate
  // string predicates in the page, and the CSP is part of what is under test.
  const RESULT = 'section[aria-label="Result Window"] .view-lines';

  /** Replaces a Monaco editor's whole content the way a user pasting would. */
  async function setEditor(page: Page, editorSelector: string, text: string): Promise<void> {
    const lines = page.locator(`${editorSelector} .monaco-editor .view-lines`);
    await lines.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
    await page.locator(`${editorSelector} .monaco-editor .view-lines`, { hasText: text }).waitFor();
    // Exactly the text: no auto-closed brackets or quotes added.
    expect(normalize((await lines.textContent()) ?? '')).toBe(text);
  }

  /** Waits until the result pane shows `want`; on timeout the error shows what it did show. */
  async function waitForResult(page: Page, want: string): Promise<string> {
    const result = page.locator(RESULT);
    try {
      await page.locator(RESULT, { hasText: want }).waitFor({ timeout: 20_000 });
    } catch (err) {
      const shows = normalize((await result.textContent().catch(() => null)) ?? '(no result pane)');
      throw new Error(`GraphiQL's result pane never showed ${JSON.stringify(want)} (${(err as Error).message.split('\n')[0]}); it shows: ${shows}`);
    }
    return normalize((await result.textContent()) ?? '');
  }

  test('Prettify reformats the query and the headers with the bundled prettier parsers', async () => {
    const page = await browser.newPage();
    const logged: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') logged.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => logged.push(`uncaught: ${e.message}`));
    try {
      await page.goto(`${s.url}/graphql`);
      await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
      await setEditor(page, '.graphiql-query-editor', 'query Ugly{tickets(first:1){totalCount}}');
      await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
      const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
      await setEditor(page, headersEditor, '{"X-Trace":"a","X-Other":"b"}');

      // The toolbar button. (Its shortcut, labelled Shift-Ctrl-P, is bound by GraphiQL to Monaco's
      // WinCtrl, which is the Meta key outside macOS: not something this bundle decides.)
      const line = async (editor: string, text: string) => {
        try {
          await page.locator(`${editor} .monaco-editor .view-line`, { hasText: text }).waitFor({ timeout: 20_000 });
        } catch (err) {
          const shows = normalize((await page.locator(`${editor} .monaco-editor .view-lines`).textContent()) ?? '');
          throw new Error(`Prettify did not reformat: no line ${JSON.stringify(text)} (${(err as Error).message.split('\n')[0]}); the editor shows ${JSON.stringify(shows)}; console: ${JSON.stringify(logged)}`);
        }
      };
      await page.locator('button[aria-label^="Prettify query"]').click();
      await line('.graphiql-query-editor', 'tickets(first: 1) {');
      expect(normalize((await page.locator('.graphiql-query-editor .monaco-editor .view-lines').textContent()) ?? '')).toBe('query Ugly {  tickets(first: 1) {    totalCount  }}');
      await line(headersEditor, '"X-Trace": "a",');
    } finally {
      await page.close();
    }
    expect(logged.filter((l) => /parser|prettif/i.test(l))).toEqual([]);
  }, 60_000);

  test('in production, the docs load as soon as the Authorization header is set, without a manual refetch', async () => {
    // There anonymous callers may not introspect: the page starts with no schema.
    const prod = await startTestServer({ NODE_ENV: 'production' });
    const page = await browser.newPage();
    const errorStatuses: string[] = [];
    page.on('response', (r) => { if (r.status() >= 400) errorStatuses.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`); });
    try {
      await page.goto(`${prod.url}/graphql`);
      await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
      await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.locator('.graphiql-doc-explorer-error', { hasText: 'Error fetching schema' }).waitFor();
      // The page says what to do about it.
      await page.locator('.tg-schema-hint', { hasText: /Authorization/ }).waitFor();

      const refusedBefore = errorStatuses.length;
      expect(errorStatuses).toContain('401 POST /graphql'); // the anonymous introspection

      await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
      await setEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', `{"Authorization": "Bearer ${ADMIN_KEY}"}`);
      // No click on "refetch" (and no Shift-Ctrl-R): the header change alone brings the schema.
      await docs.locator('a', { hasText: /^Query$/ }).waitFor({ timeout: 20_000 });
      expect(await docs.locator('.graphiql-doc-explorer-error').count()).toBe(0);
      expect(await page.locator('.tg-schema-hint').count()).toBe(0);
      // The refetch carried the key: nothing was refused after the header was set.
      expect(errorStatuses.slice(refusedBefore)).toEqual([]);
    } finally {
      await page.close();
      await prod.close();
    }
  }, 60_000);

  test('runs a query and a subscription with the Authorization header from the headers editor, browses the docs, and never leaves this host', async () => {
    const created = await s.gql(`mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { number } userErrors { message } } }`, { input: { subject: SUBJECT } });
    expect(created.data.ticketCreate.userErrors).toEqual([]);

    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: { url: string; method: string; headers: Record<string, string> }[] = [];
    const failed: string[] = [];
    const errorStatuses: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), headers: r.headers() }));
    page.on('requestfailed', (r) => failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) errorStatuses.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`); });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`); });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

    try {
      await page.goto(`${s.url}/graphql`);
      await page.locator('.graphiql-query-editor .monaco-editor').waitFor();

      // Without a key the API refuses: the query below really depends on the header.
      const query = `query SmokeTickets { tickets(first: 5) { totalCount edges { node { number subject } } } }`;
      await setEditor(page, '.graphiql-query-editor', query);
      // GraphiQL has parsed the new document (the tab is named after its operation), so the run
      // sends this operation and not the default one.
      await page.locator('.graphiql-tab', { hasText: 'SmokeTickets' }).waitFor();
      await page.locator('.graphiql-execute-button').click();
      await waitForResult(page, 'UNAUTHENTICATED');

      await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
      const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
      await setEditor(page, headersEditor, `{"Authorization": "Bearer ${ADMIN_KEY}"}`);
      await page.locator('.graphiql-execute-button').click();
      const shown = await waitForResult(page, SUBJECT);
      expect(shown).toContain('"totalCount": 1');
      expect(shown).toContain(`"number": ${created.data.ticketCreate.ticket.number}`);

      // A subscription runs over the WebSocket with the same Authorization header, and shows events as they come.
      await setEditor(page, '.graphiql-query-editor', 'subscription Watch { ticketCreated { number subject } }');
      await page.locator('.graphiql-tab', { hasText: 'Watch' }).waitFor();
      await page.locator('.graphiql-execute-button').click();
      // The subscription is live once the server counts it; then a ticket created elsewhere appears.
      for (let i = 0; i < 400 && s.app.services.ticketStream.subscriberCount === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(s.app.services.ticketStream.subscriberCount).toBe(1);
      await s.gql(`mutation { ticketCreate(input: { subject: "Seen live in GraphiQL" }) { userErrors { message } } }`);
      await waitForResult(page, 'Seen live in GraphiQL');
      await page.locator('.graphiql-execute-button').click(); // stops the subscription

      // The docs explorer works from introspection.
      await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.locator('a', { hasText: /^Query$/ }).click();
      await docs.locator('.graphiql-doc-explorer-title', { hasText: 'Query' }).waitFor();
      await docs.locator('a.graphiql-doc-explorer-field-name', { hasText: /^tickets$/ }).waitFor();

      // The CSP lets GraphiQL open its subscription socket (graphql-ws on the same host and path).
      const violations = await page.evaluate<string[]>(`(async () => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective + ' ' + e.blockedURI));
        const ws = new WebSocket('ws://' + location.host + '/graphql', 'graphql-transport-ws');
        await new Promise((resolve) => { ws.onopen = ws.onerror = ws.onclose = resolve; });
        ws.close();
        await new Promise((resolve) => setTimeout(resolve, 0)); // violation events are queued as tasks
        return seen;
      })()`);
      expect(violations).toEqual([]);

      const gqlPosts = requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/graphql');
      expect(gqlPosts.length).toBeGreaterThanOrEqual(3); // introspection, the refused run, the run with the key
      for (const r of gqlPosts) expect({ url: r.url, preflight: r.headers['apollo-require-preflight'] }).toEqual({ url: r.url, preflight: 'true' });
      expect(gqlPosts.filter((r) => r.headers.authorization === `Bearer ${ADMIN_KEY}`).length).toBeGreaterThanOrEqual(1);
      // Monaco's three workers came from this server.
      for (const worker of ['editor.worker-', 'json.worker-', 'graphql.worker-']) {
        expect(requests.some((r) => new URL(r.url).pathname.startsWith(`/graphiql/assets/${worker}`))).toBe(true);
      }
    } finally {
      await context.close();
    }

    const offHost = requests.map((r) => r.url).filter((u) => !/^(data|blob):/.test(u) && !['127.0.0.1', 'localhost'].includes(new URL(u).hostname));
    expect(offHost).toEqual([]);
    expect(failed).toEqual([]);
    // No error answers: the deliberate run without a key is refused field by field (tickets: null and
    // UNAUTHENTICATED, with HTTP 200 since the response has data), so the browser logs nothing.
    expect(errorStatuses).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
