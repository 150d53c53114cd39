/** One line of a call's timeline; also what the live feed (SSE) streams. */
export interface TimelineEntry {
  at: string;
  kind:
    | 'request'
    | 'callback'
    | 'eventGrid'
    | 'call'
    | 'participant'
    | 'caller'
    | 'media'
    | 'injection';
  serverCallId?: string;
  [detail: string]: unknown;
}

export type FeedListener = (entry: TimelineEntry) => void;

export interface Timeline {
  readonly serverCallId: string;
  readonly timeline: TimelineEntry[];
}

const MAX_ENTRIES_PER_CALL = 2000;

/**
 * Fans every recorded fact out to the owning call's timeline and to live-feed listeners.
 * Entries reference the objects that were sent rather than copies, keeping the per-callback cost
 * at one small object allocation.
 */
export class Monitor {
  private readonly listeners = new Set<FeedListener>();
  /** Facts not tied to any call (e.g. Event Grid handshakes), kept short. */
  readonly global: TimelineEntry[] = [];

  record(call: Timeline | undefined, entry: Omit<TimelineEntry, 'at'>): void {
    const full = { at: new Date().toISOString(), ...entry } as TimelineEntry;
    if (call) {
      full.serverCallId = call.serverCallId;
      if (call.timeline.length < MAX_ENTRIES_PER_CALL) call.timeline.push(full);
    } else {
      this.global.push(full);
      if (this.global.length > 500) this.global.splice(0, this.global.length - 500);
    }
    for (const l of this.listeners) l(full);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
