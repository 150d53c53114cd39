import { createHash } from 'node:crypto';

/** The name space of run ids derived from events (an arbitrary, fixed UUID). */
const NAMESPACE = Buffer.from('6f1c2a4e9b3d4c7a8e5f0a1b2c3d4e5f', 'hex');

/**
 * The run id of the run an event starts: a name-based UUID (RFC 9562 version 5) of the event
 * id. A redelivered IncomingCall then names the run it already started, and the run table's
 * primary key keeps the second start out — the dedupe of the one event that has no run yet to
 * be routed to (the step table's event ids are unique per run start time only: it is
 * partitioned by it).
 */
export function runIdForEvent(eventId: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(eventId, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
