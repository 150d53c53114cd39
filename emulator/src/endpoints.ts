import { badRequest } from './errors.js';
import { parseIdentityString, parseTones } from './identifiers.js';

export type InviteBehaviour = 'accept' | 'decline' | 'noAnswer' | 'busy';

/**
 * One step of what a simulated person does on a call. Steps run in order; each waits for its
 * trigger, then `afterMs` (emulated), then acts.
 * - `on: 'ringing'` — from the moment the call is placed (e.g. abandon before an answer)
 * - `on: 'connected'` (first step's default) — once this endpoint is connected to the app
 * - `on: 'previous'` (later steps' default) — right after the previous step
 * - `on: 'recognize'` — when the next recognize operation aimed at this endpoint starts
 * - `on: 'play'` — when the next play operation starts
 */
export interface ScriptStep {
  on?: 'ringing' | 'connected' | 'previous' | 'recognize' | 'play';
  afterMs?: number;
  /** "12#" or tone names; pressed `gapMs` apart (default 100 emulated ms). */
  dtmf?: string | string[];
  gapMs?: number;
  /** A phrase said (matched against choices, or returned as speech). */
  say?: string;
  /**
   * How sure speech recognition is of `say` (0..1), reported as the result's confidence; ACS
   * applies no threshold of its own, so neither does the emulator. Default 0.95.
   */
  confidence?: number;
  hangup?: boolean;
}

export interface EndpointBehaviour {
  onInvite: InviteBehaviour;
  /** Emulated ms of ringing before the endpoint accepts or declines. */
  ringMs: number;
  script?: ScriptStep[];
}

const behaviours = new Set<InviteBehaviour>(['accept', 'decline', 'noAnswer', 'busy']);
const triggers = new Set(['ringing', 'connected', 'previous', 'recognize', 'play']);

export function parseScript(raw: unknown): ScriptStep[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw badRequest("'script' must be an array of steps.");
  return raw.map((s, i) => {
    const step = (s ?? {}) as Record<string, unknown>;
    const out: ScriptStep = {};
    if (step.on !== undefined) {
      if (typeof step.on !== 'string' || !triggers.has(step.on)) {
        throw badRequest(`'script[${i}].on' must be one of ${[...triggers].join(', ')}.`);
      }
      out.on = step.on as ScriptStep['on'];
    }
    for (const k of ['afterMs', 'gapMs'] as const) {
      if (step[k] !== undefined) {
        if (typeof step[k] !== 'number' || step[k] < 0) {
          throw badRequest(`'script[${i}].${k}' must be a non-negative number.`);
        }
        out[k] = step[k];
      }
    }
    if (step.dtmf !== undefined) {
      parseTones(step.dtmf);
      out.dtmf = step.dtmf as string | string[];
    }
    if (step.say !== undefined) {
      if (typeof step.say !== 'string') throw badRequest(`'script[${i}].say' must be a string.`);
      out.say = step.say;
    }
    if (step.confidence !== undefined) {
      if (out.say === undefined) {
        throw badRequest(`'script[${i}].confidence' only goes with 'say'.`);
      }
      out.confidence = parseConfidence(step.confidence, `script[${i}].confidence`);
    }
    if (step.hangup !== undefined) out.hangup = step.hangup === true;
    if (out.dtmf === undefined && out.say === undefined && !out.hangup) {
      throw badRequest(`'script[${i}]' must press dtmf, say something or hang up.`);
    }
    return out;
  });
}

/** A recognition confidence: a number from 0 to 1. */
export function parseConfidence(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw badRequest(`'${field}' must be a number from 0 to 1.`);
  }
  return value;
}

/** `{ "<id>": { onInvite, ringMs, script } }` of one placed call → behaviours by raw id. */
export function parseCallEndpoints(
  raw: unknown,
  defaults: EndpointBehaviour,
): Map<string, EndpointBehaviour> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest("'endpoints' must be an object of behaviours by participant id.");
  }
  const out = new Map<string, EndpointBehaviour>();
  for (const [id, b] of Object.entries(raw as Record<string, unknown>)) {
    out.set(parseIdentityString(id).rawId, parseBehaviour(b, defaults));
  }
  return out;
}

export function parseBehaviour(raw: unknown, defaults: EndpointBehaviour): EndpointBehaviour {
  const b = (raw ?? {}) as Record<string, unknown>;
  const onInvite = b.onInvite ?? defaults.onInvite;
  if (typeof onInvite !== 'string' || !behaviours.has(onInvite as InviteBehaviour)) {
    throw badRequest("'onInvite' must be accept, decline, noAnswer or busy.");
  }
  const ringMs = b.ringMs ?? defaults.ringMs;
  if (typeof ringMs !== 'number' || ringMs < 0) throw badRequest("'ringMs' must be ≥ 0.");
  return { onInvite: onInvite as InviteBehaviour, ringMs, script: parseScript(b.script) };
}

/** Behaviour per endpoint raw id, falling back to a default (accept after a ring). */
export class EndpointRegistry {
  private readonly byRawId = new Map<string, EndpointBehaviour>();

  constructor(public defaults: EndpointBehaviour) {}

  get(rawId: string): EndpointBehaviour {
    return this.byRawId.get(rawId) ?? this.defaults;
  }

  set(rawId: string, behaviour: EndpointBehaviour): void {
    this.byRawId.set(rawId, behaviour);
  }

  delete(rawId: string): boolean {
    return this.byRawId.delete(rawId);
  }

  list(): Record<string, EndpointBehaviour> {
    return Object.fromEntries(this.byRawId);
  }
}
