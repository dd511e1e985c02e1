import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'client-tools');

const scratch: string[] = [];

/** A scratch directory, removed by removeScratchDirs (call it in afterAll). */
function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface RelayRun {
  status: number | null;
  output: string;
  /** Where the artifacts were written (<dir>/__generated__). */
  artifacts: string;
}

/**
 * Runs relay-compiler's own binary (a Rust executable: no Node start-up, well under a second) on the
 * given fixture files against a schema file, in a scratch directory: relay.config.json resolves its
 * paths from its own directory, so the fixtures and the schema are copied in.
 */
export function relayCompile(schemaFile: string, fixtures: string[], language: 'typescript' | 'javascript' = 'typescript'): RelayRun {
  const dir = scratchDir('relay-');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, '__generated__'));
  for (const f of fixtures) {
    const source = fs.readFileSync(path.join(FIXTURES, 'relay', f), 'utf8');
    fs.writeFileSync(path.join(dir, 'src', language === 'typescript' ? f : f.replace(/\.ts$/, '.js')), language === 'typescript' ? source : source.replace(/^import .*$/m, "const { graphql } = require('relay-runtime');"));
  }
  fs.copyFileSync(schemaFile, path.join(dir, 'schema.graphql'));
  fs.writeFileSync(
    path.join(dir, 'relay.config.json'),
    JSON.stringify({ src: './src', schema: './schema.graphql', artifactDirectory: './__generated__', language, eagerEsModules: false }),
  );
  // The package's main export is the path of the binary for this platform.
  const bin = require('relay-compiler') as string;
  const run = spawnSync(bin, ['--noWatchman', '--output', 'quiet-with-errors', 'relay.config.json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}`, artifacts: path.join(dir, '__generated__') };
}

/**
 * Runs graphql-codegen's CLI (typescript + typescript-operations) on the codegen fixtures against a
 * schema file and returns the generated TypeScript. A child process, because the CLI's ESM
 * dependencies (yargs) do not load under Jest's CommonJS runtime.
 */
export function codegen(schemaFile: string): { status: number | null; output: string; generated: string | null } {
  const dir = scratchDir('codegen-');
  const config = path.join(dir, 'codegen.json');
  const out = path.join(dir, 'operations.ts');
  fs.writeFileSync(
    config,
    JSON.stringify({ schema: schemaFile, documents: [path.join(FIXTURES, 'codegen', '*.graphql')], generates: { [out]: { plugins: ['typescript', 'typescript-operations'] } } }),
  );
  const bin = path.join(path.dirname(require.resolve('@graphql-codegen/cli/package.json')), 'esm', 'bin.js');
  const run = spawnSync(process.execPath, [bin, '--config', config, '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}`, generated: fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null };
}
