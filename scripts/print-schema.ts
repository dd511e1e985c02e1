/**
 * Writes the schema files from the code (`npm run schema:print`), or with --check fails when a
 * committed file differs (CI), so API changes are reviewed as a diff:
 * - schema.graphql: the client-facing schema (what introspection shows, no federation machinery),
 *   read by front-end tools (relay-compiler, graphql-codegen, graphql-inspector, graphql-eslint);
 * - schema.subgraph.graphql: the subgraph SDL with the federation directives, for routers.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildAppSchema, printClientSdl, printSubgraphSdl } from '../src/graphql/schema';

async function main(): Promise<void> {
  const schema = await buildAppSchema();
  const files = [
    { file: path.resolve(__dirname, '..', 'schema.graphql'), sdl: printClientSdl(schema) },
    { file: path.resolve(__dirname, '..', 'schema.subgraph.graphql'), sdl: printSubgraphSdl(schema) },
  ];
  if (process.argv.includes('--check')) {
    const stale = files.filter(({ file, sdl }) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '') !== sdl);
    for (const { file } of stale) console.error(`${path.basename(file)} is stale: run \`npm run schema:print\` and commit the result.`);
    if (stale.length > 0) process.exit(1);
    console.log('schema.graphql and schema.subgraph.graphql are up to date.');
    return;
  }
  for (const { file, sdl } of files) {
    fs.writeFileSync(file, sdl);
    console.log(`Wrote ${file}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
