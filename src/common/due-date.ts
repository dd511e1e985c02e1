/**
 * Parses the `due` input: an ISO date or date-time, Unix seconds, "none" (clears it), "today", "tomorrow", or a
 * relative phrase such as "3 days", "2 weeks", "1 month", "4 hours". Day-sized offsets land on
 * local midnight of the target day, as in the reference; months and years are calendar months and
 * years (the reference's "1 month" = 60 seconds bug is not reproduced).
 */
export type DueParseResult = { ok: true; value: Date | null } | { ok: false; message: string };

const UNITS: Record<string, 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'> = {
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', wk: 'week', wks: 'week', week: 'week', weeks: 'week',
  mo: 'month', month: 'month', months: 'month',
  y: 'year', yr: 'year', yrs: 'year', year: 'year', years: 'year',
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseDue(raw: string, now: Date = new Date()): DueParseResult {
  const input = raw.trim().toLowerCase();
  if (input === 'none' || input === '') return { ok: true, value: null };
  if (input === 'today') return { ok: true, value: localMidnight(now, 0) };
  if (input === 'tomorrow') return { ok: true, value: localMidnight(now, 1) };
  // The xyOps API's form: Unix seconds (9 to 11 digits, 1973 to 5138).
  if (/^\d{9,11}$/.test(input)) return { ok: true, value: new Date(Number(input) * 1000) };

  const iso = ISO_DATE.exec(input);
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const date = new Date(y, m - 1, d);
    if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) {
      return { ok: false, message: `"${raw}" is not a valid calendar date` };
    }
    return { ok: true, value: date };
  }
  if (ISO_DATE_TIME.test(raw.trim())) {
    const date = new Date(raw.trim().replace(' ', 'T'));
    if (Number.isNaN(date.getTime())) return { ok: false, message: `"${raw}" is not a valid date-time` };
    return { ok: true, value: date };
  }

  const rel = /^\+?(\d{1,4})\s*([a-z]+)$/.exec(input);
  const unit = rel ? UNITS[rel[2]] : undefined;
  if (rel && unit) {
    const n = Number(rel[1]);
    switch (unit) {
      case 'minute':
        return { ok: true, value: new Date(now.getTime() + n * 60_000) };
      case 'hour':
        return { ok: true, value: new Date(now.getTime() + n * 3_600_000) };
      case 'day':
        return { ok: true, value: localMidnight(now, n) };
      case 'week':
        return { ok: true, value: localMidnight(now, 7 * n) };
      case 'month':
        return { ok: true, value: addCalendar(now, 0, n) };
      case 'year':
        return { ok: true, value: addCalendar(now, n, 0) };
    }
  }
  return {
    ok: false,
    message: `"${raw}" is not a due date: use an ISO date (2026-12-31), a date-time, "none", "today", "tomorrow" or an offset like "3 days"`,
  };
}

function localMidnight(from: Date, plusDays: number): Date {
  return new Date(from.getFullYear(), from.getMonth(), from.getDate() + plusDays);
}

function addCalendar(from: Date, years: number, months: number): Date {
  const target = new Date(from.getFullYear() + years, from.getMonth() + months, 1);
  // Clamp the day: Jan 31 + 1 month is the last day of February, not March 3.
  const lastDay = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
  return new Date(target.getFullYear(), target.getMonth(), Math.min(from.getDate(), lastDay));
}
