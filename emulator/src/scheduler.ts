export interface TimerHandle {
  cancel(): void;
}

/**
 * Every emulated delay (ring time, prompt length, recognize timeouts, retry back-off) goes through
 * here so one time scale compresses a whole scenario, and close() can stop everything at once.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(public timeScale: number) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  }

  /** Real milliseconds for an emulated duration. */
  scale(emulatedMs: number): number {
    return Math.max(0, emulatedMs * this.timeScale);
  }

  after(emulatedMs: number, fn: () => void): TimerHandle {
    if (this.closed) return { cancel() {} };
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.scale(emulatedMs));
    this.timers.add(timer);
    return {
      cancel: () => {
        clearTimeout(timer);
        this.timers.delete(timer);
      },
    };
  }

  sleep(emulatedMs: number): Promise<void> {
    return new Promise((resolve) => this.after(emulatedMs, resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
