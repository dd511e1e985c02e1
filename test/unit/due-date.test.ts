import { parseDue } from '../../src/common/due-date';

const now = new Date(2026, 0, 31, 15, 30); // Jan 31, 15:30 local time
const due = (s: string) => {
  const r = parseDue(s, now);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

test('clears with "none" and empty input', () => {
  expect(due('none')).toBeNull();
  expect(due(' NONE ')).toBeNull();
});

test('maps day-sized offsets to local midnight of the target day', () => {
  expect(due('today')).toEqual(new Date(2026, 0, 31));
  expect(due('tomorrow')).toEqual(new Date(2026, 1, 1));
  expect(due('3 days')).toEqual(new Date(2026, 1, 3));
  expect(due('1 day')).toEqual(new Date(2026, 1, 1));
  expect(due('2 weeks')).toEqual(new Date(2026, 1, 14));
});

test('adds calendar months and years, clamping to the end of shorter months (1 month is not 60 seconds)', () => {
  expect(due('1 month')).toEqual(new Date(2026, 1, 28));
  expect(due('2 months')).toEqual(new Date(2026, 2, 31));
  expect(due('1 year')).toEqual(new Date(2027, 0, 31));
});

test('adds exact minutes and hours', () => {
  expect(due('90 minutes')).toEqual(new Date(now.getTime() + 90 * 60_000));
  expect(due('4 hours')).toEqual(new Date(now.getTime() + 4 * 3_600_000));
  expect(due('+2h')).toEqual(new Date(now.getTime() + 2 * 3_600_000));
});

test('accepts ISO dates (local midnight) and date-times with zones', () => {
  expect(due('2026-12-31')).toEqual(new Date(2026, 11, 31));
  expect(due('2026-12-31T10:00:00Z')).toEqual(new Date(Date.UTC(2026, 11, 31, 10)));
  expect(due('2026-12-31T10:00:00+02:00')).toEqual(new Date(Date.UTC(2026, 11, 31, 8)));
  expect(due('2026-12-31 10:00')).toEqual(new Date(2026, 11, 31, 10));
});

test.each(['2026-02-30', '2026-13-01', 'soon', '3 fortnights', '-1 day', '1e3 days', '', '2026-12-31T25:00:00Z'])('rejects %j with a message', (input) => {
  const r = parseDue(input, now);
  if (input === '') expect(r).toEqual({ ok: true, value: null });
  else expect(r.ok).toBe(false);
});

test('accepts Unix seconds, as the xyOps API sends them', () => {
  expect(parseDue('1798761600')).toEqual({ ok: true, value: new Date('2027-01-01T00:00:00Z') });
  expect(parseDue(' 999999999 ')).toEqual({ ok: true, value: new Date(999_999_999_000) });
  expect(parseDue('12345').ok).toBe(false); // too short to be a date: refused, not 1970
});
