import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  start,
  step,
  type CallEvent,
  type FlowDocument,
  type RunOptions,
  type RunState,
  type StepResult,
} from '@switchboard/flow';
import type { RunDetail, RunStep } from '../../../src/api/client.js';

export const mainIvr = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../flow/examples/main-ivr.json'), 'utf8'),
) as FlowDocument;

/** 10:00 on Tuesday 2026-03-03 in Los Angeles; the IVR is open. */
export const TUESDAY_10_LA = Date.parse('2026-03-03T18:00:00Z');
/** Sunday 2026-03-08 12:00 in Los Angeles; closed. */
export const SUNDAY_LA = Date.parse('2026-03-08T19:00:00Z');

type EventSpec = Omit<Partial<CallEvent>, 'type'> & { type: CallEvent['type'] };

function toStep(seq: number, eventType: string, result: StepResult, at: number): RunStep {
  const outcomes = result.trace.flatMap((t) =>
    t.kind === 'outcome' ? [{ nodeId: t.nodeId, outcome: t.outcome }] : [],
  );
  return {
    seq,
    eventId: `event-${seq}`,
    eventType,
    event: {},
    nodeId: result.state.awaiting?.nodeId ?? result.state.currentNodeId ?? null,
    outcomes,
    trace: result.trace,
    actions: result.actions as unknown as RunStep['actions'],
    variables: { ...result.state.vars },
    receivedAt: new Date(at).toISOString(),
    committedAt: new Date(at + 3).toISOString(),
    ms: 3,
  };
}

/**
 * The steps the engine would record for an incoming call to `flow` followed by `events`, made by
 * the real interpreter of @switchboard/flow (the same one the engine runs).
 */
export function simulate(
  flow: FlowDocument,
  now: number,
  events: EventSpec[],
  options?: RunOptions,
  runId = 'run-1',
): { steps: RunStep[]; state: RunState } {
  let result = start(
    flow,
    {
      kind: 'incomingCall',
      runId,
      from: '+15551230000',
      to: '+18005550100',
      incomingCallContext: 'context',
    },
    now,
    options,
  );
  const steps = [toStep(0, 'IncomingCall', result, now)];
  let state = result.state;
  events.forEach((spec, i) => {
    const at = now + (i + 1) * 1000;
    const event = {
      id: `event-${i + 1}`,
      operationContext: state.awaiting?.operationContext,
      ...spec,
    } as CallEvent;
    result = step(flow, state, event, at, options);
    state = result.state;
    steps.push(toStep(i + 1, spec.type, result, at));
  });
  return { steps, state };
}

export const supportCall: EventSpec[] = [
  { type: 'CallConnected' },
  { type: 'RecognizeCompleted', tones: ['two'] },
  { type: 'AddParticipantSucceeded' },
  { type: 'PlayCompleted' },
];

export function runDetail(
  steps: RunStep[],
  state: RunState,
  extra: Partial<RunDetail> = {},
): RunDetail {
  return {
    id: 'run-1',
    flowId: 'main-ivr',
    version: null,
    draft: true,
    test: true,
    clock: '2026-03-03T10:00:00-08:00',
    direction: 'incoming',
    status: state.status,
    endReason: state.endReason ?? null,
    currentNodeId: state.currentNodeId ?? null,
    from: '+15551230000',
    to: '+18005550100',
    callConnectionId: 'conn-1',
    correlationId: 'corr-1',
    startedAt: steps[0]!.receivedAt,
    updatedAt: steps.at(-1)!.committedAt,
    endedAt: state.status === 'ended' ? steps.at(-1)!.committedAt : null,
    startedBy: 'eddie',
    variables: state.vars,
    awaiting: null,
    steps,
    testCall: null,
    ...extra,
  };
}
