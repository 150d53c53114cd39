/**
 * Liquid's date filters without the host: "now" is the step's `now`, and dates are shown in the
 * flow's time zone (never the host's clock or TZ). Wall-clock fields come from Intl with an
 * explicit time zone, so the output is the same on every machine.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** What a render knows about time: the step's clock and the zone to show dates in. */
export interface TemplateClock {
  now: number;
  timeZone: string;
}

/** A wall-clock reading of an instant in a time zone. */
export interface Wall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  /** Minutes east of UTC. */
  offset: number;
  ms: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formats.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function wallClock(ms: number, timeZone: string): Wall {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const whole = Math.floor(ms / 1000) * 1000;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
    offset: Math.round((asUtc - whole) / 60_000),
    ms,
  };
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A template value as an instant: 'now' / 'today' (the step's clock), seconds since the epoch
 * (number or digits), an ISO 8601 date or date-time (no offset: UTC), or a Date. Anything else
 * is not a date (the filter returns its input, as Liquid does): the host's date parser reads
 * other formats in the host's time zone.
 */
export function toInstant(v: unknown, clock: TemplateClock): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === 'now' || s === 'today') return clock.now;
  if (/^-?\d+$/.test(s)) return Number(s) * 1000;
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '0', zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  t += Math.floor(Number(`0.${frac}`) * 1000);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.replace(/[+-:]/g, '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return Number.isNaN(t) ? undefined : t;
}

const pad = (n: number, width = 2, fill = '0') => String(n).padStart(width, fill);

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

function dayOfYear(w: Wall): number {
  return (Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(w.year, 0, 1)) / 86_400_000 + 1;
}

/** strftime over a wall clock, with the directives Liquid's date filter documents. */
export function strftime(w: Wall, format: string, timeZone: string): string {
  return format.replace(
    /%([-_0^#]?)(:?)([a-zA-Z%])/g,
    (all, flag: string, colon: string, c: string) => {
      const num = (n: number, width = 2) =>
        flag === '-' ? String(n) : flag === '_' ? pad(n, width, ' ') : pad(n, width);
      const text = (s: string) => (flag === '^' ? s.toUpperCase() : s);
      const hour12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
      switch (c) {
        case 'Y':
          return String(w.year);
        case 'y':
          return num(w.year % 100);
        case 'C':
          return num(Math.floor(w.year / 100));
        case 'm':
          return num(w.month);
        case 'd':
          return num(w.day);
        case 'e':
          return flag ? num(w.day) : pad(w.day, 2, ' ');
        case 'j':
          return num(dayOfYear(w), 3);
        case 'H':
          return num(w.hour);
        case 'k':
          return pad(w.hour, 2, ' ');
        case 'I':
          return num(hour12);
        case 'l':
          return flag ? num(hour12) : pad(hour12, 2, ' ');
        case 'M':
          return num(w.minute);
        case 'S':
          return num(w.second);
        case 'L':
          return pad(((w.ms % 1000) + 1000) % 1000, 3);
        case 'p':
          return text(w.hour < 12 ? 'AM' : 'PM');
        case 'P':
          return w.hour < 12 ? 'am' : 'pm';
        case 'a':
          return text(DAYS[w.weekday]!.slice(0, 3));
        case 'A':
          return text(DAYS[w.weekday]!);
        case 'b':
        case 'h':
          return text(MONTHS[w.month - 1]!.slice(0, 3));
        case 'B':
          return text(MONTHS[w.month - 1]!);
        case 'u':
          return String(w.weekday === 0 ? 7 : w.weekday);
        case 'w':
          return String(w.weekday);
        case 'z':
          return offsetText(w.offset, colon === ':');
        case 'Z':
          return timeZone;
        case 's':
          return String(Math.floor(w.ms / 1000));
        case 'F':
          return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
        case 'T':
          return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
        case 'D':
          return `${pad(w.month)}/${pad(w.day)}/${pad(w.year % 100)}`;
        case 'R':
          return `${pad(w.hour)}:${pad(w.minute)}`;
        case 'c':
          return `${DAYS[w.weekday]!.slice(0, 3)} ${MONTHS[w.month - 1]!.slice(0, 3)} ${pad(w.day, 2, ' ')} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ${w.year}`;
        case 'x':
          return `${pad(w.month)}/${pad(w.day)}/${pad(w.year % 100)}`;
        case 'X':
          return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case '%':
          return '%';
        default:
          return all;
      }
    },
  );
}

/** Is `timeZone` one Intl knows (an IANA name, or UTC)? */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}
