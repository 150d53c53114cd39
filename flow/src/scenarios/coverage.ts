import type { FlowDocument } from '../document.js';
import { toCompiledFlow, type CompiledFlow } from '../interpreter/compile.js';
import { DEFAULT_SCENARIO_CLOCK, type Scenario, type ScenarioInput } from './scenario.js';
import { runScenario, scenarioTrigger, type ScenarioOptions } from './run-scenario.js';
import { edgeKey, edgesOf, simulate, type Prompt, type Simulation } from './simulate.js';
import { eventsFor, genericAlternatives } from './world.js';

export interface EdgeCoverage {
  edges: { id: string; covered: boolean; by: string[] }[];
  /** Ids of the edges no scenario takes. */
  uncovered: string[];
}

/** Which of the document's edges its scenarios take (each scenario run as a simulated call). */
export function edgeCoverage(
  doc: FlowDocument,
  scenarios: readonly Scenario[] = doc.scenarios ?? [],
  options: ScenarioOptions = {},
): EdgeCoverage {
  const flow = toCompiledFlow(doc);
  const by = new Map<string, string[]>();
  for (const s of scenarios) {
    for (const key of edgesOf(runScenario(flow, s, options).path)) {
      const list = by.get(key);
      if (list) list.push(s.name);
      else by.set(key, [s.name]);
    }
  }
  const edges = doc.edges.map((e) => {
    const names = by.get(edgeKey(e.source, e.sourceOutcome, e.target)) ?? [];
    return { id: e.id, covered: names.length > 0, by: names };
  });
  return { edges, uncovered: edges.filter((e) => !e.covered).map((e) => e.id) };
}

export interface ExploredPath {
  /** ms epoch the call starts. */
  at: number;
  /** The input chosen at each prompt, in order. */
  inputs: ScenarioInput[];
  sim: Simulation;
}

export interface ExploreOptions extends ScenarioOptions {
  /** Simulated calls at most (default 5,000). */
  maxPaths?: number;
  /** Prompts per call at most (default 25): bounds retries and loops. */
  maxPrompts?: number;
  /** Environment values for the calls; generated scenarios carry them as their `environment`. */
  env?: Readonly<Record<string, string>>;
}

/**
 * Walks the flow's paths as simulated calls: every start clock the nodes suggest (open, closed,
 * a holiday), and at each prompt every input worth trying (each menu key, a wrong key, no input,
 * a failure, each way a callee answers) — depth first, up to the bounds.
 */
export function explorePaths(
  doc: FlowDocument | CompiledFlow,
  options: ExploreOptions = {},
): ExploredPath[] {
  const flow = toCompiledFlow(doc);
  const maxPaths = options.maxPaths ?? 5000;
  const maxPrompts = options.maxPrompts ?? 25;
  const near = Date.parse(DEFAULT_SCENARIO_CLOCK);
  const clocks = new Set<number>([near]);
  for (const node of flow.nodes.values()) {
    try {
      for (const t of node.desc.sampleClocks?.(node.config, near) ?? []) clocks.add(t);
    } catch {
      // A config its hook cannot read suggests no clock.
    }
  }
  const trigger = scenarioTrigger(flow, {});
  const out: ExploredPath[] = [];
  for (const at of clocks) {
    const stack: number[][] = [[]];
    while (stack.length > 0 && out.length < maxPaths) {
      const prefix = stack.pop() as number[];
      const chosen: ScenarioInput[] = [];
      const choices: number[] = [];
      const sim = simulate(flow, {
        trigger,
        at,
        maxPrompts,
        ...(options.subflows ? { subflows: options.subflows } : {}),
        ...(options.env ? { env: options.env } : {}),
        answer: (p: Prompt) => {
          const alternatives = inputsWorthTrying(flow, p);
          const k = choices.length;
          let index = 0;
          if (k < prefix.length) index = prefix[k] as number;
          else for (let i = alternatives.length - 1; i >= 1; i--) stack.push([...choices, i]);
          choices.push(index);
          const input = alternatives[index] as ScenarioInput;
          chosen.push(input);
          const r = eventsFor(p.action, input);
          if (!r.ok) return { message: r.message };
          // As a scenario gives it: `after` 2 s, and a plain completion 1 s after the request.
          const when = p.at + (input.succeeds ? 1000 : 2000);
          return { events: r.events.map((event) => ({ event, at: when })), input };
        },
      });
      out.push({ at, inputs: chosen, sim });
    }
  }
  return out;
}

/** The inputs worth trying at a prompt: the node type's samples, then the generic ones. */
export function inputsWorthTrying(flow: CompiledFlow, p: Prompt): ScenarioInput[] {
  const node = flow.nodes.get(p.nodeId);
  const own: ScenarioInput[] = [];
  try {
    for (const i of node?.desc.sampleInputs?.(node.config) ?? [])
      own.push({ ...i, node: p.nodeId } as ScenarioInput);
  } catch {
    // A config its hook cannot read: the generic inputs only.
  }
  return [...own, ...genericAlternatives(p.action, node?.failureOutcome !== undefined)];
}

/**
 * Scenarios that take the edges the document's scenarios do not: from the explored paths, the
 * fewest-input call for each uncovered edge, chosen greedily. Each expects the end it reaches.
 */
export function generateScenarios(doc: FlowDocument, options: ExploreOptions = {}): Scenario[] {
  const flow = toCompiledFlow(doc);
  const existing = doc.scenarios ?? [];
  const coverage = edgeCoverage(doc, existing, options);
  const wanted = new Map(
    doc.edges
      .filter((e) => coverage.uncovered.includes(e.id))
      .map((e) => [edgeKey(e.source, e.sourceOutcome, e.target), e]),
  );
  // Plain calls first: a failure or a refusal costs more than a key press, so each edge is
  // covered by the most ordinary call that takes it.
  const cost = (p: ExploredPath) =>
    p.inputs.reduce(
      (n, i) =>
        n + (i.fails || i.noInput || i.hangUp || (i.callee && i.callee !== 'answers') ? 4 : 1),
      0,
    );
  const paths = explorePaths(flow, options)
    .filter((p) => p.sim.end && !p.sim.unanswered)
    .map((p) => ({ p, cost: cost(p) }))
    .sort((a, b) => a.cost - b.cost)
    .map((x) => x.p);
  const names = new Set(existing.map((s) => s.name));
  const out: Scenario[] = [];
  for (const p of paths) {
    if (wanted.size === 0) break;
    const taken = [...edgesOf(p.sim.path)].filter((k) => wanted.has(k));
    if (taken.length === 0) continue;
    // Named after the last edge it is there for: the most specific one.
    const first = wanted.get(taken[taken.length - 1] as string);
    for (const k of taken) wanted.delete(k);
    const source = first ? flow.nodes.get(first.source) : undefined;
    const outcome =
      first && source
        ? (source.outcomes.get(first.sourceOutcome)?.label ?? first.sourceOutcome)
        : '';
    let name = `${source?.label ?? source?.desc.label ?? first?.source}: ${outcome}`;
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \(\d+\)$/, '')} (${n})`;
    names.add(name);
    const end = p.sim.end as NonNullable<Simulation['end']>;
    out.push({
      name,
      description: `Generated to cover ${taken.length} connection${taken.length === 1 ? '' : 's'}`,
      at: new Date(p.at).toISOString(),
      ...(options.env ? { environment: { ...options.env } } : {}),
      inputs: withoutPlainCompletions(p.inputs),
      expect: { endNode: end.nodeId, endReason: end.reason, path: p.sim.path.map((s) => s.nodeId) },
    });
  }
  return out;
}

/** Drops "succeeds" inputs of nodes where every input is one: the default says the same. */
export function withoutPlainCompletions(inputs: readonly ScenarioInput[]): ScenarioInput[] {
  const needed = new Set(inputs.filter((i) => !i.succeeds).map((i) => i.node));
  return inputs.filter((i) => needed.has(i.node));
}
