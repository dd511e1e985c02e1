import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/config';
import { OperationGuard } from '../../src/http/query-limits.plugin';

test('a document is counted once: repeats are refused (or admitted) from the remembered count, and the memory stays bounded', async () => {
  const guard = new OperationGuard(loadConfig({ MAX_QUERY_SELECTIONS: '10' }), null, createLogger('silent'));
  const counted = (guard as unknown as { counted: Map<string, number> }).counted;
  const big = `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
  for (let i = 0; i < 3; i++) await expect(guard.checkQuery(big, 'ip:test')).rejects.toMatchObject({ extensions: { code: 'TOO_MANY_SELECTIONS', selections: 11 } });
  await expect(guard.checkQuery('{ __typename }', 'ip:test')).resolves.toBeUndefined();
  expect([...counted.entries()]).toEqual([[big, 11], ['{ __typename }', 1]]);
  // Not a document: left to Apollo's parser, nothing remembered.
  await expect(guard.checkQuery('{ unclosed', 'ip:test')).resolves.toBeUndefined();
  for (let i = 0; i < 600; i++) await guard.checkQuery(`{ f${i}: __typename }`, 'ip:test');
  expect(counted.size).toBe(500);
  expect(counted.has(big)).toBe(false); // the oldest went first
});
