import type { BusinessHours } from '../entities/sla-policy.entity';

/**
 * Adds `minutes` of working time to `from`: only inside the business hours of the configured
 * days, in the configured IANA time zone (DST included). Without business hours the clock runs
 * continuously.
 */
export function addWorkingMinutes(from: Date, minutes: number, hours: BusinessHours | null): Date {
  if (!hours) return new Date(from.getTime() + minutes * 60_000);
  const open = toMinutes(hours.start);
  const close = toMinutes(hours.end);
  let t = from;
  let remaining = minutes * 60_000;
  // A week of working days always exists (validated), so this ends; the bound is a safety net.
  for (let guard = 0; guard < 3700; guard++) {
    const local = wallClock(t, hours.timeZone);
    const nowMin = local.hour * 60 + local.minute + local.second / 60;
    if (hours.days.includes(local.weekday) && nowMin < close) {
      const start = nowMin < open ? zonedInstant(local.year, local.month, local.day, open, hours.timeZone) : t;
      const end = zonedInstant(local.year, local.month, local.day, close, hours.timeZone);
      const available = end.getTime() - start.getTime();
      if (remaining <= available) return new Date(start.getTime() + remaining);
      remaining -= available;
    }
    t = zonedInstant(local.year, local.month, local.day + 1, 0, hours.timeZone);
  }
  throw new Error('business hours never open');
}

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 1 = Monday ... 7 = Sunday
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(t: Date, timeZone: string): WallClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday],
  };
}

/** The instant whose wall-clock time in timeZone is that day (overflow allowed) at `minutes` past midnight. */
function zonedInstant(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  // Two rounds settle DST: the offset at the guess, then at the corrected instant.
  let t = guess - offsetMs(new Date(guess), timeZone);
  t = guess - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

function offsetMs(t: Date, timeZone: string): number {
  const w = wallClock(t, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t.getTime() / 1000) * 1000;
}
