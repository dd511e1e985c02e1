import { DateTime, IANAZone } from 'luxon';
import type { BusinessHours } from '../entities/sla-policy.entity';

/**
 * Adds `minutes` of working time to `from`: only inside the business hours of the configured
 * days, in the configured IANA time zone. Wall-clock and DST arithmetic is luxon's: opening and
 * closing times are set on each local day, so a 23- or 25-hour day has its hours where the clock
 * shows them. Without business hours the clock runs continuously.
 */
export function addWorkingMinutes(from: Date, minutes: number, hours: BusinessHours | null): Date {
  if (!hours) return new Date(from.getTime() + minutes * 60_000);
  const open = toMinutes(hours.start);
  const close = toMinutes(hours.end);
  let t = DateTime.fromJSDate(from, { zone: hours.timeZone });
  let remaining = minutes * 60_000;
  // A week of working days always exists (validated), so this ends; the bound is a safety net.
  for (let guard = 0; guard < 3700; guard++) {
    const day = t.startOf('day');
    const closes = atMinutes(day, close);
    if (hours.days.includes(t.weekday) && t < closes) {
      const opens = atMinutes(day, open);
      const start = t < opens ? opens : t;
      const available = closes.toMillis() - start.toMillis();
      if (remaining <= available) return new Date(start.toMillis() + remaining);
      remaining -= available;
    }
    t = day.plus({ days: 1 });
  }
  throw new Error('business hours never open');
}

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/** That local day at `minutes` past midnight on the wall clock (a time skipped by DST moves forward). */
function atMinutes(day: DateTime, minutes: number): DateTime {
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
}
