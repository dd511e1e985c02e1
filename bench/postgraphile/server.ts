/**
 * The PostGraphile peer of the gateway benchmark (issue 21): PostGraphile 5 (grafast, grafserv on
 * node:http) over the PostgreSQL copy of the dataset (bench/lib/postgres-peer.ts), with the
 * connection-filter plugin, in production mode: no GraphiQL, no watch mode, no explain, default
 * pool of 10 connections. Anonymous: like P0 it checks no credentials (see bench/README.md).
 * GET /stats answers the SQL statements its pool's clients ran (PostGraphile's own, counted at
 * `client.query`) and the GraphQL requests answered, as B0's and P0's /stats do.
 *
 * Environment: PG_URL. Prints `{"url": ...}` once listening (bench/lib/child-server.ts protocol);
 * stops on SIGTERM/SIGINT or when the bench's IPC channel closes.
 */
import './promise-with-resolvers';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

async function main(): Promise<void> {
  let statements = 0;
  let requests = 0;
  // idleTimeoutMillis 0: connections stay open while other peers are measured, as mysql2's pool
  // keeps them for B0 and the gateway (pg closes idle ones after 10 s, and PostGraphile runs a
  // `set` on every new connection, which would land in the next measured half).
  const pool = new pg.Pool({ connectionString: process.env.PG_URL, max: 10, idleTimeoutMillis: 0 });
  pool.on('connect', (client) => {
    const query = client.query;
    client.query = function (this: pg.PoolClient, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof client.query;
  });
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
    pgServices: [makePgService({ pool, schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  // createHandler rather than addTo: a second route (/stats), no websockets.
  const graphql = serv.createHandler();
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statements, requests }));
      return;
    }
    requests++;
    graphql(req, res);
  });
  // Build the schema now, not on the first request.
  await pgl.getSchema();
  if (process.env.PRINT_SCHEMA) {
    const { printSchema } = await import('postgraphile/graphql');
    process.stderr.write(printSchema(await pgl.getSchema()));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid })}\n`);
  const stop = () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    server.close(() => {
      void Promise.resolve(pgl.release())
        .then(() => pool.end())
        .finally(() => process.exit(0));
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`postgraphile peer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
