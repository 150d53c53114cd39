import type { FlowDocument } from '../document.js';
import type { CallEvent } from '../events.js';
import type { RunOptions, RunState, RunTrigger, StepResult } from '../state.js';
import { toCompiledFlow, type CompiledFlow } from './compile.js';
import { Run } from './run.js';

/**
 * Starts a run for a trigger: enters the flow's trigger node and walks until the first node
 * that waits for ACS. Pure: the same inputs always give the same result.
 */
export function start(
  flow: FlowDocument | CompiledFlow,
  trigger: RunTrigger,
  now: number,
  options?: RunOptions,
): StepResult {
  const compiled = toCompiledFlow(flow);
  const run = new Run(compiled, initialState(trigger), now, options);
  const node = compiled.trigger;
  const wanted = trigger.kind === 'incomingCall' ? 'incoming' : 'outbound';
  // A subflow started on its own (a test of the shared module) takes any call.
  if (!node || (node.desc.trigger !== wanted && node.desc.trigger !== 'subflow')) {
    run.note({
      at: now,
      kind: 'error',
      message: node
        ? `this flow starts with ${node.type}, not with a ${trigger.kind} trigger`
        : 'this flow has no trigger',
    });
    run.end('failed', 'release');
    return run.result();
  }
  run.enter(node);
  return run.result();
}

/**
 * Applies one event to a run. Events for another step (operationContext), redelivered
 * copies (id) and events after the end leave the state unchanged and are only traced.
 */
export function step(
  flow: FlowDocument | CompiledFlow,
  state: RunState,
  event: CallEvent,
  now: number,
  options?: RunOptions,
): StepResult {
  if (state.status === 'ended') return ignored(state, event, now, 'the run has ended');
  if (state.recentEventIds.includes(event.id)) return ignored(state, event, now, 'already applied');

  const compiled = toCompiledFlow(flow);
  const run = new Run(compiled, state, now, options);
  switch (event.type) {
    case 'Cancel':
      run.recordEvent(event);
      run.note({ at: now, kind: 'event', event: event.type, eventId: event.id });
      run.end('cancelled', 'release');
      return run.result();
    case 'CallDisconnected':
      // Whoever hung up, the call is gone; the app's own hang-ups end the run before this.
      run.recordEvent(event);
      run.note({ at: now, kind: 'event', event: event.type, eventId: event.id });
      run.end(state.call.connected ? 'callerHungUp' : 'failed');
      return run.result();
    case 'ParticipantsUpdated':
      run.recordEvent(event);
      run.state.participants = (event.participants ?? []).map((p) => ({ ...p }));
      run.note({ at: now, kind: 'event', event: event.type, eventId: event.id });
      return run.result();
    default:
      break;
  }

  const awaiting = state.awaiting;
  if (!awaiting || event.operationContext !== awaiting.operationContext) {
    return ignored(
      state,
      event,
      now,
      awaiting ? 'not for the step the run is waiting on' : 'the run is not waiting',
    );
  }
  run.recordEvent(event);
  if (run.missingFlow !== undefined) {
    run.note({
      at: now,
      kind: 'error',
      message: `subflow version ${run.missingFlow} is not available`,
    });
    run.end('failed', 'release');
    return run.result();
  }
  const node = run.currentFlow.nodes.get(awaiting.nodeId);
  if (!node) {
    run.note({ at: now, kind: 'error', message: `node ${awaiting.nodeId} is not in this flow` });
    run.end('failed', 'release');
    return run.result();
  }
  try {
    run.apply(node, event);
  } catch (e) {
    run.note({
      at: now,
      kind: 'error',
      nodeId: node.id,
      message: e instanceof Error ? e.message : String(e),
    });
    run.end('failed', 'release');
  }
  return run.result();
}

/** The state is returned as is: an ignored event changes nothing. */
function ignored(state: RunState, event: CallEvent, now: number, reason: string): StepResult {
  return {
    state,
    actions: [],
    trace: [
      {
        at: now,
        kind: 'ignored',
        ...(state.awaiting ? { nodeId: state.awaiting.nodeId } : {}),
        event: event.type,
        eventId: event.id,
        reason,
      },
    ],
  };
}

function initialState(trigger: RunTrigger): RunState {
  const base = {
    runId: trigger.runId,
    status: 'running' as const,
    seq: 0,
    stepCount: 0,
    results: {},
    participants: [],
    attempts: {},
    recentEventIds: [],
  };
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(trigger.variables ?? {})) vars[k] = String(v);
  if (trigger.kind === 'incomingCall') {
    return {
      ...base,
      call: {
        direction: 'incoming',
        from: trigger.from,
        to: trigger.to,
        callerDisplayName: trigger.callerDisplayName ?? '',
        correlationId: trigger.correlationId ?? '',
        serverCallId: trigger.serverCallId ?? '',
        callConnectionId: '',
        incomingCallContext: trigger.incomingCallContext,
        connected: false,
      },
      vars,
    };
  }
  return {
    ...base,
    call: {
      direction: 'outbound',
      from: trigger.callerId ?? '',
      to: trigger.targets[0] ?? '',
      callerDisplayName: '',
      correlationId: '',
      serverCallId: '',
      callConnectionId: '',
      targets: [...trigger.targets],
      connected: false,
    },
    vars,
  };
}
