import type { CallDetail, TimelineEntry } from '@switchboard/emulator';
import { type CallEvent, type FlowDocument, type RunTrigger, start, step } from '@switchboard/flow';
import { repeatabilityId } from '../../src/acs/acs.gateway.js';

/**
 * The fault suite's checker: for one call, the actions the emulator received against what the
 * pure interpreter predicts from the events the run actually applied (its steps, as stored).
 * Each expected ACS action must have had its effect exactly once (or the run must have applied
 * the ActionFailed that says it failed), in order, none after the call ended, nothing else; and
 * the run must have ended with the end reason the interpreter predicts — so a run never says
 * "completed" while an action was lost.
 */

export interface CheckedStep {
  seq: number;
  eventId: string;
  event: unknown;
  actions: { kind: string; id?: string; operationContext?: string; [k: string]: unknown }[];
  receivedAt: Date | string;
}

export interface CheckedRun {
  id: string;
  status: string;
  endReason: string | null;
  steps: CheckedStep[];
}

export interface Violation {
  runId: string | null;
  serverCallId: string;
  problem: string;
}

type Action = { kind: string; id?: string; operationContext?: string; [k: string]: unknown };

/** Replays a run's recorded events through the interpreter: the actions it predicts, in order. */
export function predict(doc: FlowDocument, steps: CheckedStep[]) {
  const at = (s: CheckedStep) => new Date(s.receivedAt).getTime();
  const first = start(doc, steps[0]!.event as RunTrigger, at(steps[0]!));
  const perStep: Action[][] = [first.actions as unknown as Action[]];
  let state = first.state;
  for (const s of steps.slice(1)) {
    const r = step(doc, state, s.event as CallEvent, at(s));
    state = r.state;
    perStep.push(r.actions as unknown as Action[]);
  }
  return { perStep, state };
}

/** Kinds the engine performs itself, with no ACS request. */
const LOCAL_KINDS = new Set(['end']);

const effective = (e: TimelineEntry) =>
  e.kind === 'request' && e.method !== 'GET' && !e.replayed && (e.status as number) < 300;

function matches(action: Action, e: TimelineEntry): boolean {
  const repeat = e.repeatabilityId as string | undefined;
  if (repeat) return action.id !== undefined && repeat === repeatabilityId(action.id);
  const context = (e.body as { operationContext?: string } | undefined)?.operationContext;
  if (context) return action.operationContext === context;
  const path = String(e.path);
  if (action.kind === 'hangUp') {
    const forEveryone = (action as { forEveryone?: boolean }).forEveryone;
    return forEveryone
      ? path.endsWith(':terminate')
      : e.method === 'DELETE' && /^\/calling\/callConnections\/[^/:]+$/.test(path);
  }
  return false;
}

/** Every violation for one call (its emulator record) and its run (undefined: none started). */
export function checkCall(
  doc: FlowDocument,
  call: CallDetail,
  run: CheckedRun | undefined,
): Violation[] {
  const out: Violation[] = [];
  const v = (problem: string) =>
    out.push({ runId: run?.id ?? null, serverCallId: call.serverCallId, problem });
  const requests = call.timeline.filter((e) => e.kind === 'request' && e.method !== 'GET');
  if (!run) {
    // The IncomingCall never started a run (its Event Grid delivery was lost): then nothing
    // may have acted on the call either.
    const acted = requests.filter(effective);
    if (acted.length > 0) v(`no run, yet ACS acted on ${acted.length} request(s)`);
    return out;
  }
  if (run.status !== 'ended') v(`run is ${run.status}, not ended`);
  // The app's part in the call is over (after a transfer the caller talks on, without it).
  for (const c of call.connections) {
    if (c.state !== 'disconnected') v(`connection ${c.callConnectionId} is still ${c.state}`);
  }
  const steps = [...run.steps].sort((a, b) => a.seq - b.seq);
  const ids = steps.map((s) => s.eventId);
  if (new Set(ids).size !== ids.length) v('an event was applied twice');
  let predicted: ReturnType<typeof predict>;
  try {
    predicted = predict(doc, steps);
  } catch (e) {
    v(`the interpreter cannot replay the run: ${(e as Error).message}`);
    return out;
  }
  // The engine's decisions are the interpreter's.
  for (const [i, s] of steps.entries()) {
    const want = predicted.perStep[i]!.map((a) => `${a.kind}:${a.id ?? ''}`).join();
    const got = s.actions.map((a) => `${a.kind}:${a.id ?? ''}`).join();
    if (want !== got) v(`step ${s.seq} (${s.eventId}): recorded [${got}], predicted [${want}]`);
  }
  const expected = predicted.perStep.flat();
  const endAction = expected.find((a) => a.kind === 'end') as { reason?: string } | undefined;
  const predictedReason = endAction?.reason ?? predicted.state.endReason ?? null;
  if (run.endReason !== predictedReason) {
    v(`run ended '${run.endReason}', the interpreter predicts '${predictedReason}'`);
  }
  const failed = new Set(
    steps.filter((s) => s.eventId.startsWith('failed:')).map((s) => s.eventId.slice(7)),
  );
  const acs = expected.filter((a) => !LOCAL_KINDS.has(a.kind));
  const endAt = call.timeline.findIndex((e) => e.kind === 'call' && e.state === 'disconnected');
  /** Requests ACS refused because the call was already over (nothing left to lose). */
  const tooLate = (a: Action) =>
    endAt >= 0 &&
    call.timeline
      .slice(endAt + 1)
      .some((e) => e.kind === 'request' && !effective(e) && matches(a, e));
  const acted = requests.filter(effective);
  const matchedBy = new Map<TimelineEntry, number>();
  for (const [i, a] of acs.entries()) {
    const hits = acted.filter((e) => matches(a, e));
    for (const h of hits) matchedBy.set(h, i);
    const label = `${a.kind} ${a.id ?? ''}`;
    if (hits.length > 1) v(`${label}: took effect ${hits.length} times`);
    if (hits.length === 1 && a.id && failed.has(a.id)) {
      v(`${label}: took effect, yet the run applied its ActionFailed`);
    }
    if (hits.length === 0 && !(a.id && failed.has(a.id)) && !tooLate(a)) {
      v(`${label}: expected, never took effect, and the run was not told it failed (lost)`);
    }
  }
  // In order: the effects, in the emulator's timeline order, follow the predicted order.
  const seen = acted.filter((e) => matchedBy.has(e)).map((e) => matchedBy.get(e)!);
  for (let k = 1; k < seen.length; k++) {
    if (seen[k]! < seen[k - 1]!) {
      v(`actions out of order: ${seen.map((i) => acs[i]!.kind).join(' → ')}`);
      break;
    }
  }
  for (const e of acted) {
    if (!matchedBy.has(e)) v(`unexpected ${String(e.method)} ${String(e.path)} took effect`);
  }
  // None after the call ended: the timeline records the request that ended it (a hang-up)
  // right after the call's end; any other effect after that is a violation.
  if (endAt >= 0) {
    let exempt = true;
    for (const e of call.timeline.slice(endAt + 1)) {
      if (e.kind !== 'request' || e.method === 'GET') continue;
      const ender =
        exempt && (e.method === 'DELETE' || /:(terminate|reject)$/.test(String(e.path)));
      exempt = false;
      if (effective(e) && !ender) {
        v(`${String(e.method)} ${String(e.path)} took effect after the call ended`);
      }
    }
  }
  return out;
}
