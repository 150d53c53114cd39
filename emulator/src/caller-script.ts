/**
 * A simulated person's script (press 1 when the menu starts, hang up after the goodbye) played
 * against a call. It only decides *when* each step runs — triggers, delays, the busy time of
 * the previous step — and hands the step to its host to perform, so the timing rules can be
 * read apart from what tones, speech and hang-ups do to the call.
 */
import type { Call } from './call-entities.js';
import type { ScriptStep } from './endpoints.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/** What a script needs from the model: a clock, and someone to carry out its steps. */
export interface ScriptHost {
  readonly scheduler: Scheduler;
  /** Runs one step; returns how long it keeps the endpoint busy (emulated ms). */
  perform(call: Call, rawId: string, step: ScriptStep): number;
}

/** Plays one endpoint's script against the call. */
export class ScriptRunner {
  private index = 0;
  private waitingFor?: string;
  private timer?: TimerHandle;
  private connected = false;
  private stopped = false;

  constructor(
    private readonly host: ScriptHost,
    private call: Call,
    private readonly rawId: string,
    private readonly steps: ScriptStep[],
  ) {}

  startRinging(): void {
    this.arm();
  }

  onConnected(): void {
    this.connected = true;
    if (this.waitingFor === 'connected') this.fire();
    else if (this.index === 0 && !this.timer && !this.waitingFor) this.arm();
  }

  /** The person was moved into another call: the rest of the script happens there. */
  moveTo(call: Call): this {
    this.call = call;
    return this;
  }

  notify(event: 'recognize' | 'play'): void {
    if (this.waitingFor === event) this.fire();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private arm(): void {
    if (this.stopped) return;
    const step = this.steps[this.index];
    if (!step) return;
    const on = step.on ?? (this.index === 0 ? 'connected' : 'previous');
    if (on === 'previous' || on === 'ringing' || (on === 'connected' && this.connected))
      this.fire();
    else this.waitingFor = on;
  }

  private fire(): void {
    this.waitingFor = undefined;
    const step = this.steps[this.index]!;
    this.timer = this.host.scheduler.after(step.afterMs ?? 0, () => {
      this.timer = undefined;
      if (this.stopped) return;
      const busyMs = this.host.perform(this.call, this.rawId, step);
      this.index++;
      if (busyMs > 0) this.timer = this.host.scheduler.after(busyMs, () => this.arm());
      else this.arm();
    });
  }
}
