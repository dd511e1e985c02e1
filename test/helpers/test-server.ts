import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createApp, type App, type AppOptions, type RequestInfo } from '../../src/http/app';
import { createTestDatabase, type TestDatabase } from './test-db';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
  requestId: string;
}

export interface TestServer {
  app: App;
  url: string;
  db: TestDatabase;
  /** Statistics of completed requests, by request id. */
  requests: Map<string, RequestInfo>;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GqlResponse<T>>;
  /** Creates a user with the given privileges and returns an API key for them. */
  user(username: string, privileges?: string[], extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Starts the real server (HTTP on a random port) on a fresh database, with an admin key. */
export async function startTestServer(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-data-'));
  const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', GRAPHQL_COMPILE_AFTER: process.env.TEST_GRAPHQL_COMPILE_AFTER ?? '2', ...env });
  const requests = new Map<string, RequestInfo>();
  const app = await createApp(config, {
    ...options,
    onRequestComplete: (info) => {
      requests.set(info.requestId, info);
      options.onRequestComplete?.(info);
    },
  });
  const url = await app.listen();

  const gql = async <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, key: string | null = ADMIN_KEY): Promise<GqlResponse<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GqlResponse<T>, 'status' | 'requestId'>;
    return { ...body, status: res.status, requestId: res.headers.get('x-request-id') ?? '' };
  };

  const user = async (username: string, privileges: string[] = ['CREATE_TICKETS', 'EDIT_TICKETS'], extra: Record<string, unknown> = {}) => {
    const created = await gql(
      `mutation($input: UserCreateInput!) { userCreate(input: $input) { user { username } userErrors { message } } }`,
      { input: { username, name: username.replace(/^./, (c) => c.toUpperCase()), email: `${username}@example.com`, privileges, ...extra } },
    );
    if (created.errors || created.data.userCreate.userErrors.length) throw new Error(JSON.stringify(created));
    const key = await gql(`mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret userErrors { message } } }`, { input: { name: 'test', username } });
    if (key.errors || !key.data.apiKeyCreate.secret) throw new Error(JSON.stringify(key));
    return key.data.apiKeyCreate.secret as string;
  };

  return {
    app,
    url,
    db,
    requests,
    gql,
    user,
    close: async () => {
      await app.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
