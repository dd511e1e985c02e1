import { diffTickets, sameValue, type TicketSnapshot } from '../../src/services/ticket-diff';

const base: TicketSnapshot = {
  subject: 's', body: 'b', type: 'ISSUE', status: 'OPEN', priority: 'NORMAL', category: null, server: null, due: null,
  assignees: ['a', 'b'], cc: [], notify: ['x@y.z'], tags: ['t1', 't2'], locked: 'false', resolution: null,
};

test('finds no change between equal snapshots or reordered lists', () => {
  expect(diffTickets(base, { ...base })).toEqual([]);
  expect(diffTickets(base, { ...base, assignees: ['b', 'a'], tags: ['t2', 't1', 't2'] })).toEqual([]);
});

test('reports each changed field with old and new values', () => {
  expect(diffTickets(base, { ...base, status: 'CLOSED', assignees: ['a'], category: 'db' })).toEqual([
    { field: 'status', oldValue: 'OPEN', newValue: 'CLOSED' },
    { field: 'category', oldValue: null, newValue: 'db' },
    { field: 'assignees', oldValue: ['a', 'b'], newValue: ['a'] },
  ]);
});

test('compares lists as sets and scalars exactly', () => {
  expect(sameValue(['a', 'b'], ['b', 'a'])).toBe(true);
  expect(sameValue([], null)).toBe(true);
  expect(sameValue(['a'], ['a', 'b'])).toBe(false);
  expect(sameValue('A', 'a')).toBe(false);
  expect(sameValue(null, '')).toBe(false);
});
