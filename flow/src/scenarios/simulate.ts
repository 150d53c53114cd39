import type { AcsAction, Action, EndReason } from '../actions.js';
import type { CallEvent } from '../events.js';
import { toCompiledFlow, type CompiledFlow } from '../interpreter/compile.js';
import { start, step } from '../interpreter/interpret.js';
import type { FlowDocument } from '../document.js';
import type { RunState, RunTrigger, StepResult, TraceEntry } from '../state.js';
import { eventsFor, needsInWords, needsOf } from './world.js';
import type { ScenarioInput } from './scenario.js';
import { lookupOf, promptNodeId, type SubflowResolver } from './subflows.js';

/** One node a call went through, and the outcome it took there (none where the call ended). */
export interface PathStep {
  nodeId: string;
  outcome?: string;
}

/** A request the run waits on: the `index`-th time (from 0) `nodeId` asks in this call. */
export interface Prompt {
  nodeId: string;
  index: number;
  action: AcsAction;
  /** The simulated clock (ms epoch) when the node asks. */
  at: number;
}

/** A callback without its ids: the simulation gives it the prompt's operation context. */
export type AnswerEvent = Omit<CallEvent, 'id' | 'operationContext'>;

/** What the caller or the network did at a prompt, each event at its own time (ms epoch). */
export interface PromptAnswer {
  events: { event: AnswerEvent; at: number }[];
  /** The input as the scenario gave it, for messages. */
  input?: ScenarioInput;
}

/** A prompt the simulation could not answer: the new path asks for something never given. */
export interface Unanswered {
  nodeId: string;
  index: number;
  message: string;
}

export interface Simulation {
  path: PathStep[];
  /** Requests made, in order (`end` excluded). */
  actions: AcsAction[];
  trace: TraceEntry[];
  /** The events given to the run, each at its clock: what an engine would have stored. */
  events: { event: CallEvent; at: number }[];
  state: RunState;
  /** Set when the run ended. */
  end?: { nodeId: string; reason: EndReason };
  /** Set when the run stopped at a prompt nobody answered. */
  unanswered?: Unanswered;
  /** Every request the run waited on, in order. */
  prompts: Prompt[];
}

export interface SimulationSpec {
  trigger: RunTrigger;
  /** ms epoch the call starts. */
  at: number;
  /**
   * The answer at a prompt; undefined: the request completes on its own if it can (a play, an
   * answer), otherwise the prompt is unanswered. `{ message }`: the input cannot answer it.
   */
  answer: (prompt: Prompt) => PromptAnswer | { message: string } | undefined;
  /** Prompts allowed before the simulation stops (a loop waiting on the caller). */
  maxPrompts?: number;
  /** The flows "Run subflow" nodes call; their resolve requests are answered from it. */
  subflows?: SubflowResolver;
  /** The environment values templates read as `env.<NAME>`. */
  env?: Readonly<Record<string, string>>;
}

const DEFAULT_MAX_PROMPTS = 500;

/**
 * Drives the pure interpreter through a whole call with a simulated ACS: at each request the
 * run waits on, the spec's answer (or the request's normal completion) is fed back as callbacks
 * carrying the request's operation context. Deterministic: the same spec, the same result.
 */
export function simulate(flow: FlowDocument | CompiledFlow, spec: SimulationSpec): Simulation {
  const compiled = toCompiledFlow(flow);
  const trace: TraceEntry[] = [];
  const actions: AcsAction[] = [];
  const prompts: Prompt[] = [];
  const events: Simulation['events'] = [];
  const asked = new Map<string, number>();
  let clock = spec.at;
  let seq = 0;
  const take = (r: StepResult) => {
    for (const t of r.trace) trace.push(t);
    for (const a of r.actions) if (a.kind !== 'end') actions.push(a);
    return r.state;
  };
  const options = { flows: lookupOf(spec.subflows), ...(spec.env ? { env: spec.env } : {}) };
  let state = take(start(compiled, spec.trigger, clock, options));
  let unanswered: Unanswered | undefined;
  const max = spec.maxPrompts ?? DEFAULT_MAX_PROMPTS;

  while (state.status === 'running') {
    const waiting = state.awaiting;
    if (!waiting) break;
    const promptAt = promptNodeId(state);
    if (prompts.length >= max) {
      unanswered = {
        nodeId: promptAt,
        index: asked.get(promptAt) ?? 0,
        message: `the call asked ${max} times without ending`,
      };
      break;
    }
    const action = findAction(actions, waiting.operationContext);
    const index = asked.get(promptAt) ?? 0;
    asked.set(promptAt, index + 1);
    if (!action) {
      unanswered = { nodeId: promptAt, index, message: 'the run waits on no request' };
      break;
    }
    const prompt: Prompt = { nodeId: promptAt, index, action, at: clock };
    prompts.push(prompt);
    let answer = spec.answer(prompt);
    if (
      action.kind === 'resolveSubflow' &&
      (answer === undefined || ('input' in answer && answer.input?.succeeds))
    ) {
      // The engine's answer, unless the input makes it fail: the resolver's version, or none.
      answer = { events: [{ event: resolvedEvent(spec.subflows, action), at: clock }] };
    }
    if (answer === undefined) {
      const own = eventsFor(action, undefined);
      answer = own.ok
        ? { events: own.events.map((event) => ({ event, at: clock + 1000 })) }
        : { message: `it needs ${needsInWords(needsOf(action))}` };
    }
    if ('message' in answer) {
      unanswered = { nodeId: promptAt, index, message: answer.message };
      break;
    }
    for (const { event, at } of answer.events) {
      clock = Math.max(clock, at);
      seq += 1;
      const e: CallEvent = {
        ...event,
        id: `simulated-${seq}`,
        operationContext: waiting.operationContext,
      } as CallEvent;
      events.push({ event: e, at: clock });
      state = take(step(compiled, state, e, clock, options));
      if (
        state.status !== 'running' ||
        state.awaiting?.operationContext !== waiting.operationContext
      ) {
        break;
      }
    }
    if (
      state.status === 'running' &&
      state.awaiting?.operationContext === waiting.operationContext
    ) {
      unanswered = {
        nodeId: promptAt,
        index,
        message: 'the input given did not finish the request',
      };
      break;
    }
  }
  const result: Simulation = { path: pathOf(trace), actions, trace, events, state, prompts };
  if (state.status === 'ended' && state.endReason) {
    // A call that ended inside a subflow ended, for this flow, at the node that called it.
    const outer = state.frames?.[0]?.nodeId;
    result.end = { nodeId: outer ?? state.currentNodeId ?? '', reason: state.endReason };
  }
  if (unanswered) result.unanswered = unanswered;
  return result;
}

function resolvedEvent(
  subflows: SubflowResolver | undefined,
  action: Extract<AcsAction, { kind: 'resolveSubflow' }>,
): AnswerEvent {
  const resolved = subflows?.resolve(action.flowId, action.version);
  return resolved
    ? { type: 'ActionResult', subflow: resolved }
    : {
        type: 'ActionFailed',
        resultInformation: { code: 404, message: 'no such published version' },
      };
}

function findAction(actions: readonly Action[], context: string): AcsAction | undefined {
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i] as Action;
    if (a.kind !== 'end' && a.operationContext === context) return a;
  }
  return undefined;
}

/**
 * The nodes a trace entered, in order, each with the outcome it then took. Entries inside a
 * subflow (`in`) are the subflow's path, not this flow's: its "Run subflow" node is one step.
 */
export function pathOf(trace: readonly TraceEntry[]): PathStep[] {
  const path: PathStep[] = [];
  for (const t of trace) {
    if (t.in) continue;
    if (t.kind === 'enter') path.push({ nodeId: t.nodeId });
    else if (t.kind === 'outcome') {
      const last = path[path.length - 1];
      if (last && last.nodeId === t.nodeId && last.outcome === undefined) last.outcome = t.outcome;
    }
  }
  return path;
}

/** `source\0outcome\0target` of every edge a path took. */
export function edgesOf(path: readonly PathStep[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < path.length; i++) {
    const a = path[i] as PathStep;
    const b = path[i + 1] as PathStep;
    if (a.outcome !== undefined) out.add(edgeKey(a.nodeId, a.outcome, b.nodeId));
  }
  return out;
}

export const edgeKey = (source: string, outcome: string, target: string): string =>
  `${source}\u0000${outcome}\u0000${target}`;
