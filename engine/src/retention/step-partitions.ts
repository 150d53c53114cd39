/**
 * The step table's partitions (20261211000000_step_partitions): one per UTC day of run start
 * times, named after the day. The migration spells the same names and bounds.
 *
 * Why a day: retention keeps whole days (the window is a number of days), so a day's partition
 * can go as soon as its last run is past the window — at most one day more than asked is kept —
 * and, while a call lasts minutes to hours, a day's partition is rarely held back by a live run
 * for long. Thirty-odd partitions cost nothing measurable on the hot path: every step statement
 * names its run's start time, so Postgres looks into one partition.
 */

export const DAY_MS = 86_400_000;

/** The parent table and its safety-net partition. */
export const STEP_TABLE = 'RunStep';
export const DEFAULT_PARTITION = 'RunStep_default';

/** Partitions kept ready ahead of today (created at start and every round). */
export const DAYS_AHEAD = 7;

/** Midnight UTC of the day `t` falls in (ms). */
export const utcDay = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

/** `RunStep_p20261211` for the day starting at `day` (ms, midnight UTC). */
export function partitionName(day: number): string {
  return `${STEP_TABLE}_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day (midnight UTC, ms) a partition named by partitionName covers; undefined for others. */
export function partitionDay(name: string): number | undefined {
  const m = /^RunStep_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** A timestamp(3) literal of a UTC time (the columns hold UTC wall-clock times). */
export const wallTime = (t: number): string =>
  new Date(t).toISOString().replace('T', ' ').replace('Z', '');
