import { isTimeZone, wallClock } from './template-dates.js';

/** Opening-hours arithmetic for logic.businessHours; pure: the time comes in as an argument. */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  from: string;
  to: string;
}

export type WeeklyHours = Record<Weekday, TimeRange[]>;

export type BusinessHoursState = 'open' | 'closed' | 'holiday';

export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
}

export function isValidTimeZone(timeZone: string): boolean {
  return timeZone !== '' && isTimeZone(timeZone);
}

/** Sunday first, as Date and Intl count. */
const BY_DAY_NUMBER: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** The date, weekday and time of day in `timeZone` (the template filters' wall clock). */
export function localTime(now: number, timeZone: string): LocalTime {
  const w = wallClock(now, timeZone);
  return {
    date: `${w.year}-${pad(w.month)}-${pad(w.day)}`,
    weekday: BY_DAY_NUMBER[w.weekday] ?? 'mon',
    minutes: w.hour * 60 + w.minute,
  };
}

/** "09:30" → 570; "24:00" → 1440 (end of day). */
export function parseClock(s: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return 1440;
  if (h > 23 || min > 59) return NaN;
  return h * 60 + min;
}

export function businessHoursState(
  now: number,
  timeZone: string,
  weekly: WeeklyHours,
  holidays: readonly string[],
): BusinessHoursState {
  const t = localTime(now, timeZone);
  if (holidays.includes(t.date)) return 'holiday';
  for (const r of weekly[t.weekday] ?? []) {
    if (t.minutes >= parseClock(r.from) && t.minutes < parseClock(r.to)) return 'open';
  }
  return 'closed';
}
