import type { EndReason } from '../actions.js';
import type { FlowDocument } from '../document.js';
import { toCompiledFlow, type CompiledFlow } from '../interpreter/compile.js';
import type { RunTrigger } from '../state.js';
import {
  DEFAULT_SCENARIO_CLOCK,
  ScenarioSchema,
  type Scenario,
  type ScenarioInput,
} from './scenario.js';
import { simulate, type PathStep, type Simulation } from './simulate.js';
import { eventsFor } from './world.js';
import type { SubflowResolver } from './subflows.js';

export interface ScenarioOptions {
  /** The flows "Run subflow" nodes call. */
  subflows?: SubflowResolver;
  /** The environment's values (the engine's); a scenario's own `environment` wins over them. */
  env?: Readonly<Record<string, string>>;
}

export interface ScenarioResult {
  name: string;
  passed: boolean;
  /** Why it failed, in plain words; empty when it passed. */
  failures: string[];
  end?: { nodeId: string; reason: EndReason };
  path: PathStep[];
  /** Kinds of the requests made, in order. */
  actions: string[];
  /** The prompt nobody answered, when the run stopped at one. */
  unanswered?: { nodeId: string; index: number; message: string };
  /** Places (in `inputs`) of the inputs the call never asked for. */
  unusedInputs?: number[];
}

/** The name a message uses for a node: its label, else its type's, else its id. */
export function nodeName(flow: CompiledFlow, id: string): string {
  const node = flow.nodes.get(id);
  return `“${node?.label ?? node?.desc.label ?? id}”`;
}

export const DEFAULT_CALLER = '+15550100001';
export const DEFAULT_DIALLED = '+18005550100';

/** The trigger a scenario's call makes, for the kind of trigger the flow starts with. */
export function scenarioTrigger(
  flow: CompiledFlow,
  scenario: Pick<Scenario, 'call' | 'variables'>,
  defaultRunId = 'scenario',
): RunTrigger {
  const call = scenario.call ?? {};
  const runId = call.id ?? defaultRunId;
  const variables = scenario.variables ?? {};
  if (flow.trigger?.desc.trigger === 'outbound') {
    return {
      kind: 'outbound',
      runId,
      targets: call.targets ?? (call.to ? [call.to] : []),
      ...(call.from ? { callerId: call.from } : {}),
      variables,
    };
  }
  return {
    kind: 'incomingCall',
    runId,
    from: call.from ?? DEFAULT_CALLER,
    to: call.to ?? DEFAULT_DIALLED,
    callerDisplayName: call.callerDisplayName ?? '',
    incomingCallContext: `${runId}-incoming-context`,
    variables,
  };
}

/** Runs a scenario as a simulated call and checks what it expects. Pure. */
export function runScenario(
  flow: FlowDocument | CompiledFlow,
  input: Scenario,
  options: ScenarioOptions = {},
): ScenarioResult {
  const compiled = toCompiledFlow(flow);
  const parsed = ScenarioSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      name: typeof input?.name === 'string' ? input.name : '(unnamed)',
      passed: false,
      failures: [
        `the scenario is not valid: ${issue?.path.join('.') || 'scenario'}: ${issue?.message}`,
      ],
      path: [],
      actions: [],
    };
  }
  const scenario = parsed.data;
  // Each node's inputs in order, with their places in the scenario (for `unusedInputs`).
  const queues = new Map<string, { input: ScenarioInput; at: number }[]>();
  (scenario.inputs ?? []).forEach((input, at) => {
    const q = queues.get(input.node);
    if (q) q.push({ input, at });
    else queues.set(input.node, [{ input, at }]);
  });
  for (const node of queues.keys()) {
    // Inputs inside a subflow are for `<Run subflow node>/<its node>`.
    if (!compiled.nodes.has(node.split('/')[0] ?? node)) {
      return {
        name: scenario.name,
        passed: false,
        failures: [`an input is for node “${node}”, which is not in this flow`],
        path: [],
        actions: [],
      };
    }
  }
  const sim = simulate(compiled, {
    trigger: scenarioTrigger(compiled, scenario),
    at: Date.parse(scenario.at ?? DEFAULT_SCENARIO_CLOCK),
    ...(options.subflows ? { subflows: options.subflows } : {}),
    ...(options.env || scenario.environment
      ? { env: { ...options.env, ...scenario.environment } }
      : {}),
    answer: (prompt) => {
      const given = queues.get(prompt.nodeId)?.shift()?.input;
      if (!given) return undefined;
      const r = eventsFor(prompt.action, given);
      if (!r.ok) {
        return {
          message: `the input given to ${nodeName(compiled, prompt.nodeId)} does not fit: ${r.message}`,
        };
      }
      const at = prompt.at + (given.after ?? 2) * 1000;
      return { events: r.events.map((event) => ({ event, at })), input: given };
    },
  });
  const failures = check(compiled, scenario, sim);
  const unusedInputs: number[] = [];
  for (const [node, left] of queues) {
    for (const l of left) unusedInputs.push(l.at);
    if (left.length > 0) {
      failures.push(
        `${left.length} input${left.length === 1 ? '' : 's'} for ${nodeName(compiled, node)} ${left.length === 1 ? 'was' : 'were'} never asked for`,
      );
    }
  }
  const result: ScenarioResult = {
    name: scenario.name,
    passed: failures.length === 0,
    failures,
    path: sim.path,
    actions: sim.actions.map((a) => a.kind),
  };
  if (sim.end) result.end = sim.end;
  if (sim.unanswered) result.unanswered = sim.unanswered;
  if (unusedInputs.length > 0) result.unusedInputs = unusedInputs.sort((a, b) => a - b);
  return result;
}

/**
 * The scenario expecting what the flow does now (its end, and its path and requests where it
 * expected those), without the inputs never asked for: "accept this result" after a change
 * made on purpose. Undefined when the call did not end, or stopped at a prompt it could not
 * answer — there is no result to accept.
 */
export function acceptResult(scenario: Scenario, result: ScenarioResult): Scenario | undefined {
  if (!result.end || result.unanswered) return undefined;
  const unused = new Set(result.unusedInputs ?? []);
  const inputs = (scenario.inputs ?? []).filter((_, i) => !unused.has(i));
  const old = scenario.expect;
  return {
    ...scenario,
    ...(scenario.inputs ? { inputs } : {}),
    expect: {
      endNode: result.end.nodeId,
      endReason: result.end.reason,
      ...(old.path ? { path: result.path.map((p) => p.nodeId) } : {}),
      ...(old.actions ? { actions: [...result.actions] } : {}),
    },
  };
}

function check(flow: CompiledFlow, scenario: Scenario, sim: Simulation): string[] {
  const failures: string[] = [];
  const expect = scenario.expect;
  if (sim.unanswered) {
    const u = sim.unanswered;
    failures.push(
      `${nodeName(flow, u.nodeId)} asked (time ${u.index + 1}) and the scenario cannot answer: ${u.message}`,
    );
    return failures;
  }
  const end = sim.end;
  if (expect.endNode !== undefined && end?.nodeId !== expect.endNode) {
    failures.push(
      `expected the call to end at ${nodeName(flow, expect.endNode)}, it ended at ${end ? nodeName(flow, end.nodeId) : 'no node'}`,
    );
  }
  if (expect.endReason !== undefined && end?.reason !== expect.endReason) {
    failures.push(`expected the end reason ${expect.endReason}, got ${end?.reason ?? 'none'}`);
  }
  if (expect.path) {
    const got = sim.path.map((p) => p.nodeId);
    const at = firstDifference(expect.path, got);
    if (at >= 0) {
      failures.push(
        `the path differs at step ${at + 1}: expected ${expect.path[at] ? nodeName(flow, expect.path[at]) : 'the end'}, got ${got[at] ? nodeName(flow, got[at]) : 'the end'}`,
      );
    }
  }
  if (expect.actions) {
    const got = sim.actions.map((a) => a.kind);
    const at = firstDifference(expect.actions, got);
    if (at >= 0) {
      failures.push(
        `the requests differ at request ${at + 1}: expected ${expect.actions[at] ?? 'none'}, got ${got[at] ?? 'none'}`,
      );
    }
  }
  return failures;
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Runs every scenario the document carries. */
export function runScenarios(doc: FlowDocument, options: ScenarioOptions = {}): ScenarioResult[] {
  const compiled = toCompiledFlow(doc);
  return (doc.scenarios ?? []).map((s) => runScenario(compiled, s, options));
}
