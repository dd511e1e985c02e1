/**
 * Writes schema.graphql from the code (`npm run schema:print`), or with --check fails when the
 * committed file differs (CI), so API changes are reviewed as a diff.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildAppSchema, printAppSchema } from '../src/graphql/schema';

async function main(): Promise<void> {
  const file = path.resolve(__dirname, '..', 'schema.graphql');
  const sdl = printAppSchema(await buildAppSchema());
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed !== sdl) {
      console.error('schema.graphql is stale: run `npm run schema:print` and commit the result.');
      process.exit(1);
    }
    console.log('schema.graphql is up to date.');
    return;
  }
  fs.writeFileSync(file, sdl);
  console.log(`Wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
