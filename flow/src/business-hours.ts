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

const formatters = new Map<string, Intl.DateTimeFormat>();

// Creating a DateTimeFormat costs far more than using one; keep one per zone.
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(now: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(now)) parts[p.type] = p.value;
  const weekday = (parts.weekday ?? 'Mon').slice(0, 3).toLowerCase() as Weekday;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
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
