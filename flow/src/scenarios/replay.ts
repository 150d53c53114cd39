import type { AcsAction, EndReason } from '../actions.js';
import type { FlowDocument } from '../document.js';
import type { CallEvent } from '../events.js';
import { toCompiledFlow, type CompiledFlow } from '../interpreter/compile.js';
import { start, step } from '../interpreter/interpret.js';
import type { RunTrigger, StepResult, TraceEntry } from '../state.js';
import { nodeName, type ScenarioOptions } from './run-scenario.js';
import { lookupOf, promptNodeId } from './subflows.js';
import {
  pathOf,
  simulate,
  type AnswerEvent,
  type PathStep,
  type PromptAnswer,
  type Unanswered,
} from './simulate.js';

/** A recorded run as the engine stored it: its trigger and every event it was given. */
export interface Recording {
  runId: string;
  trigger: RunTrigger;
  /** The clock of the start step (ms epoch; a test call's simulated clock). */
  startedAt: number;
  /** The events after the start, in the order they were applied, each at its step's clock. */
  steps: { event: CallEvent; at: number }[];
  /** Everything the run traced, all steps in order: its path. */
  trace: TraceEntry[];
  /** How the run ended (the run record's). */
  end?: { nodeId: string; reason: EndReason };
}

/** A prompt of a recorded call and what was done at it. */
export interface RecordedPrompt {
  nodeId: string;
  index: number;
  action: AcsAction;
  /** The clock when the node asked (ms epoch). */
  at: number;
  answer: PromptAnswer;
}

/** What the caller and the network did at each prompt of a recorded call, by node. */
export interface RecordedInputs {
  byNode: Map<string, PromptAnswer[]>;
  /** The answered prompts in the order they were asked. */
  prompts: RecordedPrompt[];
  /** Set when the recorded version, given the recorded events, does not walk the recorded path. */
  notReproduced?: string;
}

/**
 * Re-runs a recording on the version it ran with and files each applied event under the prompt
 * it answered — the node and the how-manieth time that node asked — so the inputs can be given
 * to another document by node and prompt, not by operation id.
 */
export function recordedInputs(
  recorded: FlowDocument | CompiledFlow,
  rec: Recording,
  options: ScenarioOptions = {},
): RecordedInputs {
  const flow = toCompiledFlow(recorded);
  const stepOptions = {
    flows: lookupOf(options.subflows),
    ...(options.env ? { env: options.env } : {}),
  };
  const byNode = new Map<string, PromptAnswer[]>();
  const ordered: RecordedPrompt[] = [];
  const prompts = new Map<string, RecordedPrompt | null>();
  const actions = new Map<string, AcsAction>();
  const asked = new Map<string, number>();
  const trace: TraceEntry[] = [];
  let clock = rec.startedAt;
  const take = (r: StepResult) => {
    trace.push(...r.trace);
    for (const a of r.actions) if (a.kind !== 'end') actions.set(a.operationContext, a);
    return r.state;
  };
  let state = take(start(flow, rec.trigger, clock, stepOptions));
  for (const { event, at } of rec.steps) {
    const waiting = state.awaiting;
    const promptAt = promptNodeId(state);
    let prompt: RecordedPrompt | null | undefined;
    // The engine's answer to a subflow's resolve is no input of the call: a replay resolves anew.
    if (waiting && !event.subflow) {
      prompt = prompts.get(waiting.operationContext);
      if (prompt === undefined) {
        const action = actions.get(waiting.operationContext);
        const index = asked.get(promptAt) ?? 0;
        asked.set(promptAt, index + 1);
        prompt =
          action && action.kind !== 'resolveSubflow'
            ? { nodeId: promptAt, index, action, at: clock, answer: { events: [] } }
            : null;
        prompts.set(waiting.operationContext, prompt);
      }
    }
    const r = step(flow, state, event, at, stepOptions);
    clock = at;
    state = take(r);
    if (r.trace[0]?.kind === 'ignored' || !prompt) continue;
    if (prompt.answer.events.length === 0) {
      ordered.push(prompt);
      let list = byNode.get(prompt.nodeId);
      if (!list) byNode.set(prompt.nodeId, (list = []));
      list[prompt.index] = prompt.answer;
    }
    prompt.answer.events.push({ event: withoutIds(event), at });
  }
  const out: RecordedInputs = { byNode, prompts: ordered };
  const replayed = pathOf(trace);
  const recordedPath = pathOf(rec.trace);
  const at = firstDifference(recordedPath, replayed);
  if (at >= 0) {
    out.notReproduced = `its own version, given its events, goes another way at step ${at + 1}: the run's record is incomplete`;
  }
  return out;
}

function withoutIds(event: CallEvent): AnswerEvent {
  const { id: _id, operationContext: _context, ...rest } = event;
  return rest;
}

export type ReplayStatus = 'same' | 'diverged' | 'incomplete' | 'notReplayable';

export interface Divergence {
  /** Index in the paths (0: the trigger). */
  step: number;
  nodeId: string;
  oldOutcome: string | null;
  newOutcome: string | null;
  /** The node each goes to next; null: the call ends there. */
  oldNext: string | null;
  newNext: string | null;
}

export interface ReplayResult {
  runId: string;
  status: ReplayStatus;
  /** One sentence for people. */
  summary: string;
  divergence?: Divergence;
  oldPath: PathStep[];
  newPath: PathStep[];
  oldEnd?: { nodeId: string; reason: EndReason };
  newEnd?: { nodeId: string; reason: EndReason };
  /** Where the replay had to stop: the new path asks for something the call never gave. */
  unanswered?: Unanswered;
}

/**
 * What a recorded call would have done on another document: the recorded inputs are given at
 * the same node and prompt; a request with no recorded answer completes if it can (a prompt
 * plays), and a question the caller or a callee never answered stops the replay, said as such.
 */
export function replayRecording(
  target: FlowDocument | CompiledFlow,
  recorded: FlowDocument | CompiledFlow,
  rec: Recording,
  options: ScenarioOptions = {},
): ReplayResult {
  const to = toCompiledFlow(target);
  const oldPath = pathOf(rec.trace);
  const base = { runId: rec.runId, oldPath, ...(rec.end ? { oldEnd: rec.end } : {}) };
  const inputs = recordedInputs(recorded, rec, options);
  if (inputs.notReproduced) {
    return {
      ...base,
      status: 'notReplayable',
      summary: `Cannot be replayed: ${inputs.notReproduced}`,
      newPath: [],
    };
  }
  const sim = simulate(to, {
    trigger: rec.trigger,
    at: rec.startedAt,
    ...(options.subflows ? { subflows: options.subflows } : {}),
    ...(options.env ? { env: options.env } : {}),
    answer: (p) => inputs.byNode.get(p.nodeId)?.[p.index],
  });
  const newPath = sim.path;
  const result: ReplayResult = { ...base, status: 'same', summary: '', newPath };
  if (sim.end) result.newEnd = sim.end;
  if (sim.unanswered) result.unanswered = sim.unanswered;
  const divergence = diverge(oldPath, newPath, !!sim.unanswered);
  if (divergence) result.divergence = divergence;
  const stopped = sim.unanswered
    ? `${nodeName(to, sim.unanswered.nodeId)} would ask for what this call never gave (${sim.unanswered.message})`
    : '';
  if (divergence) {
    result.status = 'diverged';
    const next = (id: string | null) => (id === null ? 'the end of the call' : nodeName(to, id));
    result.summary =
      `At ${nodeName(to, divergence.nodeId)} the call would go to ${next(divergence.newNext)} instead of ` +
      `${divergence.oldNext === null ? 'the end of the call' : nodeName(toCompiledFlow(recorded), divergence.oldNext)}` +
      (stopped ? `; then ${stopped}` : '');
  } else if (sim.unanswered) {
    result.status = 'incomplete';
    result.summary = `Cannot be replayed faithfully: ${stopped}`;
  } else if (!sameEnd(rec.end, sim.end)) {
    result.status = 'diverged';
    result.summary = `Same path, but the call would end ${sim.end?.reason ?? 'otherwise'} instead of ${rec.end?.reason ?? 'running'}`;
  } else {
    result.summary = 'Same path and end';
  }
  return result;
}

function sameEnd(a: ReplayResult['oldEnd'], b: ReplayResult['newEnd']): boolean {
  return a?.nodeId === b?.nodeId && a?.reason === b?.reason;
}

/**
 * The first step where the paths part: a different node, outcome or next node. When the new
 * path stopped unanswered, its last node has no outcome yet: that is no divergence.
 */
function diverge(old: PathStep[], now: PathStep[], stopped: boolean): Divergence | undefined {
  const n = Math.max(old.length, now.length);
  for (let i = 0; i < n; i++) {
    const a = old[i];
    const b = now[i];
    if (stopped && i === now.length - 1 && b && a && a.nodeId === b.nodeId) return undefined;
    if (stopped && i >= now.length) return undefined;
    const aNext = old[i + 1]?.nodeId ?? null;
    const bNext = now[i + 1]?.nodeId ?? null;
    if (a && b && a.nodeId === b.nodeId && a.outcome === b.outcome && aNext === bNext) continue;
    if (a && b && a.nodeId !== b.nodeId) {
      // Only at the trigger can the node differ without the step before having differed.
      return {
        step: i,
        nodeId: a.nodeId,
        oldOutcome: null,
        newOutcome: null,
        oldNext: a.nodeId,
        newNext: b.nodeId,
      };
    }
    const at = (a ?? b) as PathStep;
    return {
      step: i,
      nodeId: at.nodeId,
      oldOutcome: a?.outcome ?? null,
      newOutcome: b?.outcome ?? null,
      oldNext: aNext,
      newNext: bNext,
    };
  }
  return undefined;
}

function firstDifference(a: readonly PathStep[], b: readonly PathStep[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i]?.nodeId !== b[i]?.nodeId || a[i]?.outcome !== b[i]?.outcome) return i;
  }
  return -1;
}

export interface ReplaySummary {
  runs: number;
  same: number;
  diverged: number;
  incomplete: number;
  notReplayable: number;
  /** Where the calls ended, as recorded and as replayed (unfinished replays: where they stopped). */
  endsBefore: EndCount[];
  endsAfter: EndCount[];
  /** Nodes more (or fewer) calls would go through, most changed first. */
  reached: { nodeId: string; label: string; before: number; after: number }[];
  /** e.g. "37 of 500 calls would take a different path; 12 would now reach “Sales”". */
  text: string;
}

export interface EndCount {
  nodeId: string;
  label: string;
  reason: string;
  runs: number;
}

export function summarizeReplays(
  target: FlowDocument | CompiledFlow,
  results: readonly ReplayResult[],
): ReplaySummary {
  const flow = toCompiledFlow(target);
  const label = (id: string) => {
    const n = flow.nodes.get(id);
    return n?.label ?? n?.desc.label ?? id;
  };
  const count = { same: 0, diverged: 0, incomplete: 0, notReplayable: 0 };
  const before = new Map<string, EndCount>();
  const after = new Map<string, EndCount>();
  const reachedBefore = new Map<string, number>();
  const reachedAfter = new Map<string, number>();
  const newlyReached = new Map<string, number>();
  const tally = (m: Map<string, EndCount>, nodeId: string, reason: string) => {
    const key = `${nodeId}\u0000${reason}`;
    const e = m.get(key);
    if (e) e.runs += 1;
    else m.set(key, { nodeId, label: label(nodeId), reason, runs: 1 });
  };
  for (const r of results) {
    count[r.status] += 1;
    if (r.oldEnd) tally(before, r.oldEnd.nodeId, r.oldEnd.reason);
    if (r.status === 'notReplayable') continue;
    if (r.newEnd) tally(after, r.newEnd.nodeId, r.newEnd.reason);
    else if (r.unanswered) tally(after, r.unanswered.nodeId, 'unknown');
    const oldNodes = new Set(r.oldPath.map((p) => p.nodeId));
    const newNodes = new Set(r.newPath.map((p) => p.nodeId));
    for (const id of oldNodes) reachedBefore.set(id, (reachedBefore.get(id) ?? 0) + 1);
    for (const id of newNodes) {
      reachedAfter.set(id, (reachedAfter.get(id) ?? 0) + 1);
      if (!oldNodes.has(id)) newlyReached.set(id, (newlyReached.get(id) ?? 0) + 1);
    }
  }
  const ids = new Set([...reachedBefore.keys(), ...reachedAfter.keys()]);
  const reached = [...ids]
    .map((id) => ({
      nodeId: id,
      label: label(id),
      before: reachedBefore.get(id) ?? 0,
      after: reachedAfter.get(id) ?? 0,
    }))
    .filter((r) => r.before !== r.after)
    .sort(
      (a, b) =>
        Math.abs(b.after - b.before) - Math.abs(a.after - a.before) ||
        a.nodeId.localeCompare(b.nodeId),
    );
  const byRuns = (a: EndCount, b: EndCount) => b.runs - a.runs || a.nodeId.localeCompare(b.nodeId);
  const n = results.length;
  const parts = [`${count.diverged} of ${n} call${n === 1 ? '' : 's'} would take a different path`];
  const top = [...newlyReached].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (top) parts.push(`${top[1]} would now reach “${label(top[0])}”`);
  if (count.incomplete > 0) {
    parts.push(
      `${count.incomplete} cannot be replayed to the end (the new path asks for input they never gave)`,
    );
  }
  if (count.notReplayable > 0) parts.push(`${count.notReplayable} could not be replayed`);
  return {
    runs: n,
    ...count,
    endsBefore: [...before.values()].sort(byRuns),
    endsAfter: [...after.values()].sort(byRuns),
    reached,
    text: parts.join('; '),
  };
}
