import { badRequest } from './errors.js';

/** Fault injection for reliability tests; every rate is a probability in [0, 1]. */
export interface Faults {
  /** Each outbound delivery (callback or Event Grid) is duplicated with this probability. */
  duplicateRate: number;
  /** A duplicated delivery gets 1..this many extra copies, uniformly (default 1: sent twice). */
  duplicateMaxExtraCopies: number;
  /** Each delivery is delayed by a random 0..window ms (emulated), so deliveries can overtake. */
  reorderWindowMs: number;
  /** Each delivery is silently dropped with this probability. */
  dropRate: number;
  /** Fixed extra delay (emulated ms) before every delivery. */
  callbackDelayMs: number;
  /** Each mutating REST action fails with `actionErrorStatus`, before any effect. */
  actionErrorRate: number;
  actionErrorStatus: number;
}

export const noFaults: Faults = {
  duplicateRate: 0,
  duplicateMaxExtraCopies: 1,
  reorderWindowMs: 0,
  dropRate: 0,
  callbackDelayMs: 0,
  actionErrorRate: 0,
  actionErrorStatus: 500,
};

/** mulberry32: a small, fast PRNG, so a run with injected faults can be replayed by its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for a run that was given none (printed, so the run can be repeated). */
export const randomSeed = () => Math.floor(Math.random() * 2 ** 32);

export function parseSeed(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= 2 ** 32) {
    throw new Error(`seed must be an integer from 0 to ${2 ** 32 - 1}, got '${String(value)}'`);
  }
  return n;
}

/** How many faults were injected, by kind, since the emulator started (GET /emulator/stats). */
export interface InjectedFaults {
  /** Deliveries dropped. */
  dropped: number;
  /** Deliveries that were duplicated, and the extra copies sent for them. */
  duplicated: number;
  extraCopies: number;
  /** Deliveries held back by a random reorder delay. */
  delayed: number;
  /** Mutating REST actions failed on purpose, by HTTP status. */
  actionErrors: Record<string, number>;
}

export class FaultInjector {
  private faults: Faults = { ...noFaults };
  readonly injected: InjectedFaults = {
    dropped: 0,
    duplicated: 0,
    extraCopies: 0,
    delayed: 0,
    actionErrors: {},
  };
  private readonly random: () => number;

  /** Every random decision (drop, duplicate, reorder, action errors) comes from this seed. */
  constructor(readonly seed: number = randomSeed()) {
    this.random = seededRandom(seed);
  }

  get current(): Faults {
    return { ...this.faults };
  }

  /** Partial update; unspecified fields keep their value. Validates before applying anything. */
  set(update: Partial<Record<keyof Faults, unknown>>): Faults {
    const next = { ...this.faults };
    for (const [key, value] of Object.entries(update)) {
      if (!(key in noFaults)) throw badRequest(`Unknown fault '${key}'.`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw badRequest(`Fault '${key}' must be a non-negative number.`);
      }
      if (key.endsWith('Rate') && value > 1) throw badRequest(`Fault '${key}' must be ≤ 1.`);
      if (
        key === 'duplicateMaxExtraCopies' &&
        (!Number.isInteger(value) || value < 1 || value > 10)
      ) {
        throw badRequest(`'duplicateMaxExtraCopies' must be an integer from 1 to 10.`);
      }
      if (key === 'actionErrorStatus' && (value < 400 || value > 599)) {
        throw badRequest(`'actionErrorStatus' must be a 4xx/5xx status.`);
      }
      next[key as keyof Faults] = value;
    }
    this.faults = next;
    return this.current;
  }

  reset(): Faults {
    this.faults = { ...noFaults };
    return this.current;
  }

  private roll(rate: number): boolean {
    return rate > 0 && (rate >= 1 || this.random() < rate);
  }

  shouldDrop(): boolean {
    const drop = this.roll(this.faults.dropRate);
    if (drop) this.injected.dropped++;
    return drop;
  }

  /** How many times to send a delivery: once, or 2..1 + duplicateMaxExtraCopies if duplicated. */
  copies(): number {
    if (!this.roll(this.faults.duplicateRate)) return 1;
    const max = this.faults.duplicateMaxExtraCopies;
    const extra = max > 1 ? 1 + Math.floor(this.random() * max) : 1;
    this.injected.duplicated++;
    this.injected.extraCopies += extra;
    return 1 + extra;
  }

  /** Emulated ms to hold a delivery back; `reordering` tells the caller to skip in-order queues. */
  delay(): { ms: number; reordering: boolean } {
    const w = this.faults.reorderWindowMs;
    if (w > 0) this.injected.delayed++;
    return {
      ms: this.faults.callbackDelayMs + (w > 0 ? this.random() * w : 0),
      reordering: w > 0,
    };
  }

  actionError(): number | undefined {
    if (!this.roll(this.faults.actionErrorRate)) return undefined;
    const status = this.faults.actionErrorStatus;
    this.injected.actionErrors[status] = (this.injected.actionErrors[status] ?? 0) + 1;
    return status;
  }
}
