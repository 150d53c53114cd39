/**
 * Wall-clock time in an IANA zone ↔ instants, on the flow package's wall clock (the one business
 * hours and templates read, so the panel and the engine agree on what "10:00 there" is): the test
 * panel lets an analyst pick "Tuesday 10:00 in America/Los_Angeles" and sends the engine an ISO
 * string with that zone's offset at that moment.
 */

import { isTimeZone as isFlowTimeZone, wallClock } from '@switchboard/flow';

export interface WallTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm */
  time: string;
}

/** The zone's offset from UTC at an instant, in minutes (Los Angeles in winter: -480). */
export function zoneOffsetMinutes(instant: number, zone: string): number {
  return wallClock(instant, zone).offset;
}

const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * `2026-12-08`, `10:00`, `America/Los_Angeles` → `2026-12-08T10:00:00-08:00`. A wall time the
 * zone skips (spring forward) moves on by the gap, as a clock would; one it repeats (fall back)
 * is the first of the two.
 */
export function wallTimeToIso(date: string, time: string, zone: string): string {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!d || !t) throw new RangeError(`not a date and time: ${date} ${time}`);
  const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [h, mi, s] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  const wall = Date.UTC(y, mo - 1, da, h, mi, s);
  // The offset in force at the instant the wall time would be with the offset of a moment
  // before or after; of the two candidates that read back as the wall time, the earlier wins.
  const candidates = new Set([
    zoneOffsetMinutes(wall - 86_400_000 / 2, zone),
    zoneOffsetMinutes(wall, zone),
    zoneOffsetMinutes(wall + 86_400_000 / 2, zone),
  ]);
  let chosen: { instant: number; offset: number } | undefined;
  for (const offset of candidates) {
    const instant = wall - offset * 60_000;
    if (zoneOffsetMinutes(instant, zone) !== offset) continue;
    if (!chosen || instant < chosen.instant) chosen = { instant, offset };
  }
  if (!chosen) {
    // In a gap: no offset reads back. Use the offset before the gap, which lands after it.
    const offset = zoneOffsetMinutes(wall - 86_400_000 / 2, zone);
    const instant = wall - offset * 60_000;
    const after = zoneOffsetMinutes(instant, zone);
    return isoAt(instant, after);
  }
  return isoAt(chosen.instant, chosen.offset);
}

/** An instant written as the wall time of the given offset, e.g. 2026-12-08T10:00:00-08:00. */
function isoAt(instant: number, offsetMinutes: number): string {
  const local = new Date(instant + offsetMinutes * 60_000);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date}T${time}${formatOffset(offsetMinutes)}`;
}

/** The wall time in a zone at an instant (default: now). */
export function wallTimeAt(zone: string, instant: number = Date.now()): WallTime {
  const w = wallClock(instant, zone);
  return {
    date: `${w.year}-${pad(w.month)}-${pad(w.day)}`,
    time: `${pad(w.hour)}:${pad(w.minute)}`,
  };
}

export function isTimeZone(zone: string): boolean {
  return zone !== '' && isFlowTimeZone(zone);
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every zone the browser knows, for the picker (UTC included: some browsers leave it out). */
export function timeZones(): string[] {
  const supported =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return supported.includes('UTC') ? supported : ['UTC', ...supported];
}

/** "Tue" for a YYYY-MM-DD date (the weekday of that calendar day, wherever it is). */
export function weekdayOf(date: string): string {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!d) return '';
  const at = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])));
  return at.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
}
