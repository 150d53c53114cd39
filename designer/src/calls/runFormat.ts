import type { EndReason } from '@switchboard/flow';
import type { RunDto } from '../api/client.js';
import { humanize } from '../forms/schema.js';

/** "42 s", "3 min 05 s", "1 h 02 min"; a running call counts up to `now`. */
export function formatDuration(
  run: Pick<RunDto, 'startedAt' | 'endedAt'>,
  now = Date.now(),
): string {
  const start = Date.parse(run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return '';
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatStarted(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? iso
    : at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** "callerHungUp" → "Caller hung up". */
export function endReasonText(reason: string | null | undefined): string {
  return reason ? humanize(reason) : '';
}

export function versionText(run: Pick<RunDto, 'version' | 'draft'>): string {
  return run.version === null || run.draft ? 'draft' : `v${run.version}`;
}

/**
 * Every end reason of the interpreter (flow's EndReason), for the filter; typed against the union
 * so that a reason added there fails the designer's type check until it is offered here.
 */
const END_REASON_KEYS = {
  completed: true,
  callerHungUp: true,
  transferred: true,
  redirected: true,
  rejected: true,
  appLeft: true,
  failed: true,
  stepLimit: true,
  cancelled: true,
} satisfies Record<EndReason, true>;
export const END_REASONS = Object.keys(END_REASON_KEYS) as EndReason[];

/** A test run's simulated clock as wall time in the flow's zone: "Sun 13 Dec 2026, 10:00 (America/Los_Angeles)". */
export function formatClock(iso: string, zone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  try {
    const text = at.toLocaleString(undefined, {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    return `${text} (${zone})`;
  } catch {
    return iso;
  }
}
