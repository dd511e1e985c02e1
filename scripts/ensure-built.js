#!/usr/bin/env node
/*
 * Builds only what is out of date, so `npm start` and `npm run cli` start at once on a warm
 * checkout: the server (tsc, incremental) when a source under src/, migrations/ or a tsconfig is
 * newer than the last build, and with --graphiql the GraphiQL bundle when its inputs changed.
 * `--force` builds both whatever their age (`npm run build`). Plain JavaScript on purpose: it runs
 * before anything is compiled.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** Newest modification time under the given files and folders (0 when none exist). */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else latest = Math.max(latest, st.mtimeMs);
  };
  for (const p of paths) visit(path.join(ROOT, p));
  return latest;
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function run(what, args) {
  process.stderr.write(`[ensure-built] ${what}\n`);
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
}

const force = process.argv.includes('--force');
const serverStamp = path.join(DIST, '.server-built');
if (force || newest(['src', 'migrations', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) > mtime(serverStamp)) {
  const started = Date.now();
  run('compiling the server (sources changed since the last build)', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', path.join(DIST, '.tsbuildinfo')]);
  fs.writeFileSync(serverStamp, `${new Date(started).toISOString()}\n`);
  // Stamped with the start time: a source saved during the compile counts as newer next time.
  fs.utimesSync(serverStamp, new Date(started), new Date(started));
}

if (process.argv.includes('--graphiql')) {
  const manifest = path.join(DIST, 'graphiql', 'manifest.json');
  if (force || newest(['src/graphiql-client', 'scripts/build-graphiql.ts', 'package-lock.json']) > mtime(manifest)) {
    run('bundling GraphiQL (its inputs changed since the last bundle)', [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'scripts/build-graphiql.ts']);
  }
}
