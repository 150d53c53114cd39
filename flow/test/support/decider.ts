import { expect } from 'vitest';
import {
  start,
  step,
  type Action,
  type CallEvent,
  type EndReason,
  type FlowDocument,
  type RunOptions,
  type RunState,
  type RunTrigger,
  type StepResult,
  type TraceEntry,
} from '../../src/index.js';

export const NOW = Date.parse('2026-03-03T18:00:00Z'); // a Tuesday, 10:00 in Los Angeles

export const incoming: RunTrigger = {
  kind: 'incomingCall',
  runId: 'run1',
  from: '+15551234567',
  to: '+18005550100',
  callerDisplayName: 'Ann',
  correlationId: 'corr-1',
  serverCallId: 'server-1',
  incomingCallContext: 'incoming-context',
};

/** An event to feed; operationContext defaults to whatever the run awaits when it is applied. */
export type EventSpec = Omit<Partial<CallEvent>, 'type'> & { type: CallEvent['type'] };

let counter = 0;

export function ev(type: CallEvent['type'], extra: Omit<EventSpec, 'type'> = {}): EventSpec {
  return { type, ...extra };
}

/** A stale event: an operation context from no step of this run. */
export function stale(type: CallEvent['type'], extra: Omit<EventSpec, 'type'> = {}): EventSpec {
  return { type, operationContext: 'run1:999', ...extra };
}

export function toEvent(spec: EventSpec, state: RunState): CallEvent {
  counter += 1;
  const e: CallEvent = { id: `event-${counter}`, ...spec } as CallEvent;
  if (!('operationContext' in spec) && state.awaiting)
    e.operationContext = state.awaiting.operationContext;
  return e;
}

export interface Then {
  /** Kinds of the actions emitted while applying the `when` events, in order. */
  actions?: Action['kind'][];
  /** The outcomes node `nodeId` took, in order. */
  outcomes?: Record<string, string[]>;
  ended?: EndReason;
  awaiting?: string;
  vars?: Record<string, string>;
}

export class Scenario {
  readonly history: StepResult[] = [];

  constructor(
    readonly flow: FlowDocument,
    public state: RunState,
    readonly options: RunOptions | undefined,
    readonly now: number,
  ) {}

  /** Actions emitted by the `when` steps (not by start or `given` steps). */
  actions: Action[] = [];
  trace: TraceEntry[] = [];

  apply(specs: EventSpec[], record: boolean): this {
    for (const spec of specs) {
      const event = toEvent(spec, this.state);
      const r = step(this.flow, this.state, event, this.now, this.options);
      this.history.push(r);
      this.state = r.state;
      if (record) {
        this.actions.push(...r.actions);
        this.trace.push(...r.trace);
      }
    }
    return this;
  }

  /** Events that already happened (their actions are not part of the expectation). */
  given(...specs: EventSpec[]): this {
    return this.apply(specs, false);
  }

  when(...specs: EventSpec[]): this {
    return this.apply(specs, true);
  }

  outcomesOf(nodeId: string): string[] {
    return this.trace.flatMap((t) =>
      t.kind === 'outcome' && t.nodeId === nodeId ? [t.outcome] : [],
    );
  }

  action<K extends Action['kind']>(kind: K): Extract<Action, { kind: K }> {
    const a = this.actions.find((x) => x.kind === kind);
    if (!a)
      throw new Error(`no ${kind} action among ${this.actions.map((x) => x.kind).join(', ')}`);
    return a as Extract<Action, { kind: K }>;
  }

  then(expected: Then): this {
    if (expected.actions) expect(this.actions.map((a) => a.kind)).toEqual(expected.actions);
    for (const [nodeId, outcomes] of Object.entries(expected.outcomes ?? {})) {
      expect(this.outcomesOf(nodeId), `outcomes of ${nodeId}`).toEqual(outcomes);
    }
    if (expected.ended) {
      expect(this.state.status).toBe('ended');
      expect(this.state.endReason).toBe(expected.ended);
    }
    if (expected.awaiting) {
      expect(this.state.status).toBe('running');
      expect(this.state.awaiting?.nodeId).toBe(expected.awaiting);
    }
    if (expected.vars) expect(this.state.vars).toMatchObject(expected.vars);
    return this;
  }
}

/** Starts a run; `.given()` past events, `.when()` the events under test, `.then()` the expectation. */
export function given(
  flow: FlowDocument,
  trigger: RunTrigger = incoming,
  options?: RunOptions,
  now = NOW,
): Scenario & { started: StepResult } {
  const started = start(flow, trigger, now, options);
  const s = new Scenario(flow, started.state, options, now) as Scenario & { started: StepResult };
  s.started = started;
  return s;
}

/** Started and answered: the run is on node "n" of an `answeredThen` flow. */
export function answered(flow: FlowDocument, options?: RunOptions, now = NOW) {
  return given(flow, incoming, options, now).given(
    ev('CallConnected', { callConnectionId: 'cc-1' }),
  );
}
