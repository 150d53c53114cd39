import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileFlow,
  start,
  step,
  validateFlow,
  type CallEvent,
  type CallEventType,
  type CompiledFlow,
  type FlowDocument,
  type RunState,
  type StepResult,
} from '../src/index.js';
import { flowOf, type EdgeSpec, type NodeSpec } from './support/flows.js';
import { NOW } from './support/decider.js';

const AGENT = '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000002';

/** Node types that act on a connected call, with configs that exercise their options. */
const BODY: ((r: () => number) => NodeSpec)[] = [
  (r) => [
    'media.play',
    { text: r() % 2 ? 'Hello {{ vars.name }}' : 'Hi {{ call.from }} {{ results.n3.digits }}' },
  ],
  (r) => [
    'media.menu',
    {
      choices: [
        { digit: '1', label: 'One' },
        { digit: String(2 + (r() % 7)), label: 'Other' },
      ],
      retries: r() % 3,
    },
  ],
  (r) => ['media.collectDigits', { variable: 'name', retries: r() % 2, maxDigits: 1 + (r() % 5) }],
  (r) => ['call.addParticipant', { target: AGENT, waitForAnswer: r() % 2 === 0 }],
  () => ['call.removeParticipant', { target: AGENT }],
  () => ['call.muteParticipant'],
  () => ['call.hold'],
  () => ['call.unhold'],
  () => ['call.transfer', { target: '+14255550100' }],
  (r) => ['call.hangUp', { forEveryone: r() % 2 === 0 }],
  (r) => [
    'logic.branch',
    {
      rules: [
        { left: '{{ vars.name }}', operator: r() % 2 ? 'isEmpty' : 'matchesDigits', right: 'XX' },
        { left: '{{ call.from }}', operator: 'startsWith', right: '+1' },
      ],
    },
  ],
  () => ['logic.setVariables', { assignments: [{ name: 'name', value: '{{ vars.name }}1' }] }],
  (r) => ['logic.businessHours', { timezone: r() % 2 ? 'UTC' : 'Asia/Tokyo' }],
  () => ['call.cancelAddParticipant', { addParticipantNodeId: 'add' }],
];

// Nodes that may finish without waiting: they only lead forward, so no loop spins.
const LOGIC = new Set([
  'logic.branch',
  'logic.setVariables',
  'logic.businessHours',
  'call.cancelAddParticipant',
]);
const OUTCOMES: Record<string, string[]> = {
  'media.play': ['completed', 'failed'],
  'media.collectDigits': ['collected', 'noInput', 'failed'],
  'call.addParticipant': ['added', 'failed'],
  'call.removeParticipant': ['removed', 'failed'],
  'call.muteParticipant': ['muted', 'failed'],
  'call.hold': ['next', 'failed'],
  'call.unhold': ['next', 'failed'],
  'call.transfer': ['failed'],
  'call.hangUp': [],
  'logic.branch': ['rule:0', 'rule:1', 'else'],
  'logic.setVariables': ['next'],
  'logic.businessHours': ['open', 'closed', 'holiday'],
  'call.cancelAddParticipant': ['cancelled', 'failed'],
};

/**
 * A valid flow from a stream of random numbers: a trigger, a call that gets connected, then
 * random nodes wired at random. Logic nodes only lead forward, so no loop runs without waiting.
 */
function buildFlow(seed: number[], outbound: boolean): FlowDocument {
  let i = 0;
  const r = () => seed[i++ % seed.length] as number;
  const count = 1 + (r() % 10);
  const nodes: Record<string, NodeSpec> = outbound
    ? { t: ['trigger.outboundCall', { callerId: '+18005550100' }] }
    : { t: ['trigger.incomingCall'], a: ['call.answer'] };
  const body: string[] = [];
  let hasAdd = false;
  for (let k = 0; k < count; k++) {
    let spec = (BODY[r() % BODY.length] as (r: () => number) => NodeSpec)(r);
    if (spec[0] === 'call.cancelAddParticipant' && !hasAdd) spec = ['call.muteParticipant'];
    // The cancel node refers to the first add node by id.
    const id = spec[0] === 'call.addParticipant' && !hasAdd ? 'add' : `n${k}`;
    if (spec[0] === 'call.addParticipant') hasAdd = true;
    nodes[id] = spec;
    body.push(id);
  }
  const edges: EdgeSpec[] = outbound
    ? [['t', 'connected', body[0] as string]]
    : [
        ['t', 'next', 'a'],
        ['a', 'connected', body[0] as string],
      ];
  body.forEach((id, k) => {
    const [type, config] = nodes[id] as NodeSpec;
    const outcomes =
      type === 'media.menu'
        ? [
            ...(config?.choices as { digit: string }[]).map((c) => `choice:${c.digit}`),
            'noInput',
            'invalid',
            'failed',
          ]
        : (OUTCOMES[type] ?? []);
    for (const o of outcomes) {
      const pick = r() % (body.length + 1);
      if (pick === body.length) continue; // leave the outcome open: the call ends there
      if (LOGIC.has(type) && pick <= k) continue;
      edges.push([id, o, body[pick] as string]);
    }
  });
  return flowOf(nodes, edges);
}

const EVENT_TYPES: CallEventType[] = [
  'CallConnected',
  'CallDisconnected',
  'ParticipantsUpdated',
  'CreateCallFailed',
  'AnswerFailed',
  'CallTransferAccepted',
  'CallTransferFailed',
  'AddParticipantSucceeded',
  'AddParticipantFailed',
  'CancelAddParticipantSucceeded',
  'CancelAddParticipantFailed',
  'RemoveParticipantSucceeded',
  'RemoveParticipantFailed',
  'PlayCompleted',
  'PlayFailed',
  'PlayCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RecognizeCanceled',
  'HoldFailed',
  'ActionResult',
  'ActionFailed',
  'Timeout',
  'Cancel',
];
// Weighted towards the events a waiting node expects, so runs get somewhere.
const COMMON: CallEventType[] = [
  'CallConnected',
  'PlayCompleted',
  'RecognizeCompleted',
  'RecognizeFailed',
  'ActionResult',
  'AddParticipantSucceeded',
];

const eventArb = fc.record({
  type: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...COMMON) },
    { weight: 2, arbitrary: fc.constantFrom(...EVENT_TYPES) },
  ),
  // Mostly an event the awaited node has a rule for, so runs travel through the flow.
  expected: fc.nat(20).map((n) => (n < 16 ? n : -1)),
  context: fc.constantFrom('awaited', 'awaited', 'awaited', 'stale', 'none'),
  subCode: fc.constantFrom(0, 8510, 8511, 8532, 8531, 8514),
  tones: fc.array(fc.constantFrom('one', 'two', '3', '9', 'pound', 'asterisk'), { maxLength: 4 }),
  invitationId: fc.option(fc.constantFrom('inv-1', 'inv-2'), { nil: undefined }),
  repeat: fc.boolean(),
});

type EventPlan = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(p: EventPlan, state: RunState, n: number, flow?: CompiledFlow): CallEvent {
  let type = p.type;
  const awaited = state.awaiting && flow?.nodes.get(state.awaiting.nodeId);
  const rules = awaited ? (awaited.desc.events ?? []) : [];
  if (p.expected >= 0 && rules.length > 0)
    type = (rules[p.expected % rules.length] as { on: CallEventType }).on;
  const e: CallEvent = {
    id: `e${n}`,
    type,
    resultInformation: { code: p.subCode === 0 ? 200 : 400, subCode: p.subCode },
    callConnectionId: 'cc-1',
  };
  if (p.context === 'awaited' && state.awaiting)
    e.operationContext = state.awaiting.operationContext;
  if (p.context === 'stale') e.operationContext = `${state.runId}:${state.seq + 100}`;
  if (p.tones.length > 0) e.tones = p.tones;
  if (p.invitationId) e.invitationId = p.invitationId;
  if (type === 'ParticipantsUpdated')
    e.participants = [{ rawId: '4:+15551234567', isMuted: false }];
  return e;
}

const isJsonClean = (state: RunState) =>
  expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);

const flowArb = fc.record({
  seed: fc.array(fc.nat(10_000), { minLength: 40, maxLength: 80 }),
  outbound: fc.boolean(),
});

describe('the interpreter, on random valid flows and random events', () => {
  it('generates valid flows (no validation errors)', () => {
    fc.assert(
      fc.property(flowArb, ({ seed, outbound }) => {
        const errors = validateFlow(buildFlow(seed, outbound)).filter(
          (i) => i.severity === 'error',
        );
        expect(errors).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, keeps state plain JSON, emits nothing after the end, and ignores duplicates and stale events', () => {
    fc.assert(
      fc.property(flowArb, fc.array(eventArb, { maxLength: 40 }), ({ seed, outbound }, plans) => {
        const flow = compileFlow(buildFlow(seed, outbound));
        const trigger = outbound
          ? { kind: 'outbound' as const, runId: 'p', targets: ['+14255550100'] }
          : {
              kind: 'incomingCall' as const,
              runId: 'p',
              from: '+15551234567',
              to: '+18005550100',
              incomingCallContext: 'ctx',
            };
        let r: StepResult = start(flow, trigger, NOW);
        const contexts = new Set<string>();
        const check = (res: StepResult, wasEnded: boolean) => {
          isJsonClean(res.state);
          if (wasEnded) expect(res.actions).toEqual([]);
          const endAt = res.actions.findIndex((a) => a.kind === 'end');
          if (endAt >= 0) {
            expect(endAt).toBe(res.actions.length - 1);
            expect(res.state.status).toBe('ended');
          } else {
            expect(res.state.status).toBe(wasEnded ? 'ended' : 'running');
          }
          for (const a of res.actions) {
            if (a.kind === 'end') continue;
            expect(contexts.has(a.operationContext)).toBe(false);
            contexts.add(a.operationContext);
          }
        };
        check(r, false);
        let previous: CallEvent | undefined;
        plans.forEach((plan, n) => {
          const event = plan.repeat && previous ? previous : toEvent(plan, r.state, n, flow);
          const before = r.state;
          const snapshot = structuredClone(before);
          const wasEnded = before.status === 'ended';
          const next = step(flow, before, event, NOW + n * 1000);
          expect(before).toStrictEqual(snapshot); // the input is never mutated
          check(next, wasEnded);
          if (previous === event || wasEnded) {
            // A redelivered copy, or anything after the end: nothing changes.
            expect(next.state).toBe(before);
            expect(next.actions).toEqual([]);
          }
          if (
            event.operationContext !== undefined &&
            event.operationContext !== before.awaiting?.operationContext
          ) {
            if (!['CallDisconnected', 'ParticipantsUpdated', 'Cancel'].includes(event.type)) {
              expect(next.state).toBe(before);
            }
          }
          if (next.state !== before) {
            // Applying the same event again changes nothing.
            const again = step(flow, next.state, event, NOW + n * 1000);
            expect(again.state).toBe(next.state);
            expect(again.actions).toEqual([]);
          }
          previous = event;
          r = next;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reaches a variety of nodes and end reasons (so the properties above are not vacuous)', () => {
    const types = new Set<string>();
    const reasons = new Set<string>();
    fc.assert(
      fc.property(flowArb, fc.array(eventArb, { maxLength: 40 }), ({ seed, outbound }, plans) => {
        const flow = compileFlow(buildFlow(seed, outbound));
        const trigger = outbound
          ? { kind: 'outbound' as const, runId: 'p', targets: ['+14255550100'] }
          : {
              kind: 'incomingCall' as const,
              runId: 'p',
              from: '+15551234567',
              to: '+18005550100',
              incomingCallContext: 'ctx',
            };
        let r = start(flow, trigger, NOW);
        plans.forEach((p, n) => {
          r = step(flow, r.state, toEvent(p, r.state, n, flow), NOW + n);
          for (const t of r.trace) if (t.kind === 'enter') types.add(t.type);
        });
        if (r.state.endReason) reasons.add(r.state.endReason);
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(types.size).toBeGreaterThanOrEqual(12);
    expect([...reasons]).toEqual(expect.arrayContaining(['completed', 'failed', 'transferred']));
  });

  it('gives the same results for the same inputs (no clock, no randomness)', () => {
    fc.assert(
      fc.property(flowArb, fc.array(eventArb, { maxLength: 15 }), ({ seed, outbound }, plans) => {
        const doc = buildFlow(seed, outbound);
        const trigger = outbound
          ? { kind: 'outbound' as const, runId: 'p', targets: ['+14255550100'] }
          : {
              kind: 'incomingCall' as const,
              runId: 'p',
              from: '+15551234567',
              to: '+18005550100',
              incomingCallContext: 'ctx',
            };
        const compiled = compileFlow(doc);
        const runOnce = (flow: FlowDocument | CompiledFlow) => {
          let r = start(flow, trigger, NOW);
          const out: StepResult[] = [r];
          plans.forEach((p, n) => {
            r = step(flow, r.state, toEvent(p, r.state, n, compiled), NOW + n);
            out.push(r);
          });
          return out;
        };
        expect(runOnce(compiled)).toEqual(runOnce(structuredClone(doc)));
      }),
      { numRuns: 100 },
    );
  });
});
