import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../common/logger';

/** What scripts/build-graphiql.ts writes to <dist>/graphiql/manifest.json (paths relative to assets/). */
interface GraphiqlManifest {
  script: string;
  css: string;
  workers: { editor: string; json: string; graphql: string };
}

export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets';

/**
 * The page and its assets only load from this server. Styles may be inline because Monaco, Radix
 * and framer-motion inject <style> elements at run time; scripts and workers may not. connect-src
 * 'self' covers the same-origin ws:/wss: subscription socket (CSP Level 3).
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// The compiled route (dist/src/http) finds dist/graphiql two levels up; the TypeScript source
// (src/http, tests and ts-node) finds it in <project>/dist/graphiql.
const DEFAULT_DIST_DIRS = [path.resolve(__dirname, '..', '..', 'graphiql'), path.resolve(__dirname, '..', '..', 'dist', 'graphiql')];

export interface GraphiqlRouterOptions {
  log?: Logger;
  /** Where the built bundle is (the folder holding manifest.json); default: dist/graphiql. */
  distDir?: string;
}

/**
 * GET /graphql from a browser (HTML preferred over JSON, as Apollo decides for its landing page):
 * GraphiQL, bundled by `npm run build` into dist/graphiql and served from /graphiql/assets, so it
 * works with no internet. Every other request to /graphql goes on to Apollo unchanged.
 *
 * A missing bundle answers 503 with the command to run. The server does not build it itself:
 * esbuild is a build-time tool (a devDependency), and a production start must not compile.
 */
export function graphiqlRouter(options: GraphiqlRouterOptions = {}): Router {
  const candidates = options.distDir ? [options.distDir] : DEFAULT_DIST_DIRS;
  const locate = (): string | null => candidates.find((dir) => fs.existsSync(path.join(dir, 'manifest.json'))) ?? null;
  const statics = new Map<string, express.Handler>();
  let warned = false;

  const router = Router();
  router.use(GRAPHIQL_ASSETS_PATH, (req: Request, res: Response, next: NextFunction) => {
    const dir = locate();
    if (!dir) return next();
    let serve = statics.get(dir);
    if (!serve) {
      serve = express.static(path.join(dir, 'assets'), {
        index: false,
        redirect: false,
        // Every file name carries a content hash: a new build means new names.
        immutable: true,
        maxAge: '365d',
        setHeaders: securityHeaders,
      });
      statics.set(dir, serve);
    }
    // The build wrote a gzip copy of each script and stylesheet next to it.
    const gz = /\.(js|css)$/.exec(req.path);
    const wantsGzip = Boolean(req.headers['accept-encoding']) && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (gz && wantsGzip && !req.path.includes('..') && fs.existsSync(path.join(dir, 'assets', `${req.path}.gz`))) {
      res.setHeader('Content-Type', gz[1] === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Vary', 'Accept-Encoding');
      req.url = `${req.path}.gz`;
    } else if (gz) res.setHeader('Vary', 'Accept-Encoding');
    serve(req, res, next);
  });

  router.get('/graphql', (req: Request, res: Response, next: NextFunction) => {
    if (req.accepts(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) !== 'text/html') return next();
    securityHeaders(res);
    // The page names the current build's hashed files, so it is revalidated on every load.
    res.setHeader('Cache-Control', 'no-cache');
    const dir = locate();
    const manifest = dir ? readManifest(dir) : null;
    if (!manifest) {
      if (!warned) options.log?.warn({ looked: candidates }, 'GraphiQL is not built: run `npm run build` (or `npm run build:graphiql`)');
      warned = true;
      return res.status(503).type('html').send(notBuiltPage());
    }
    res.type('html').send(graphiqlPage(manifest));
  });
  return router;
}

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', GRAPHIQL_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

function readManifest(dir: string): GraphiqlManifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as GraphiqlManifest;
  } catch {
    return null; // mid-rebuild or damaged: same answer as not built
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const asset = (file: string): string => escapeHtml(`${GRAPHIQL_ASSETS_PATH}/${file}`);

function graphiqlPage(m: GraphiqlManifest): string {
  // No inline script: the worker URLs travel in data attributes (read by setup-workers.js).
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ticket-gateway · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(m.css)}">
<script type="module" src="${asset(m.script)}"></script>
</head>
<body>
<div id="graphiql" data-editor-worker="${asset(m.workers.editor)}" data-json-worker="${asset(m.workers.json)}" data-graphql-worker="${asset(m.workers.graphql)}">Loading GraphiQL…</div>
</body>
</html>
`;
}

function notBuiltPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphiQL is not built</title><link rel="icon" href="data:,"></head>
<body>
<h1>GraphiQL is not built</h1>
<p>This server serves GraphiQL from files bundled at build time, and they are missing.
Run <code>npm run build</code> (or only <code>npm run build:graphiql</code>) in the project folder, then reload this page.</p>
<p>The GraphQL API itself works: POST queries to <code>/graphql</code>.</p>
</body>
</html>
`;
}
