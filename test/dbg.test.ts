import { startTestServer, type TestServer } from './helpers/test-server';
let s: TestServer;
beforeAll(async () => { s = await startTestServer({ TEST_LOG_LEVEL: 'error' }); });
afterAll(() => s?.close());
test('dbg', async () => {
  const fields = (n: number) => Array.from({ length: n }, () => '__typename').join(' ');
  console.log(JSON.stringify((await s.gql(`{ ${fields(4997)} }`)).errors));
  console.log(JSON.stringify((await s.gql(`{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } }`)).errors));
  const r = await s.gql(`{ __schema { types { name inputFields { name defaultValue } } } }`);
  console.log(JSON.stringify(r.errors), JSON.stringify(r.data.__schema.types[68]));
});
