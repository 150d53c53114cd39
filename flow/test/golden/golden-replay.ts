import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  compileFlow,
  start,
  step,
  type Action,
  type CallEvent,
  type CompiledFlow,
  type EndReason,
  type FlowDocument,
  type RunState,
  type RunTrigger,
  type StepResult,
  type TraceEntry,
} from '../../src/index.js';
import type { GoldenScenario } from './golden-scenarios.js';

/** What a step did, as far as the outside world sees it. */
export interface GoldenOutput {
  actions: Action[];
  /** Set once the run has ended. */
  endReason?: EndReason;
  /** The node the run then waits on, and for how long before the engine looks (seconds). */
  awaiting?: { nodeId: string; seconds: number };
}

export interface GoldenStep extends GoldenOutput {
  event: CallEvent;
  /** The step's clock (ISO 8601), as the engine would pass it. */
  now: string;
}

/** One recorded run of an example flow: inputs and the outputs they gave. */
export interface GoldenFixture {
  document: string;
  /** sha256 of the document's JSON when recorded: a changed example is re-recorded, not a regression. */
  documentSha256: string;
  scenario: string;
  about: string;
  trigger: RunTrigger;
  start: GoldenOutput & { now: string };
  steps: GoldenStep[];
}

export const examplesDir = new URL('../../examples/', import.meta.url);
export const fixturesDir = new URL('./', import.meta.url);

export function fixtureUrl(document: string, scenario: string): URL {
  return new URL(`${document.replace(/\.json$/, '')}/${scenario}.json`, fixturesDir);
}

export function readExample(document: string): { doc: FlowDocument; sha256: string } {
  const doc = JSON.parse(readFileSync(new URL(document, examplesDir), 'utf8')) as FlowDocument;
  // Of the content, not the file: reformatting or line endings are no change, and neither are
  // the document's scenarios (tests of the flow, not its behaviour).
  const { scenarios: _tests, scenariosMustPass: _gate, ...behaviour } = doc;
  const sha256 = createHash('sha256').update(JSON.stringify(behaviour)).digest('hex');
  return { doc, sha256 };
}

function output(r: StepResult): GoldenOutput {
  const out: GoldenOutput = { actions: r.actions };
  if (r.state.status === 'ended' && r.state.endReason) out.endReason = r.state.endReason;
  const a = r.state.awaiting;
  if (r.state.status === 'running' && a) {
    out.awaiting = { nodeId: a.nodeId, seconds: (a.deadline - a.since) / 1000 };
  }
  return out;
}

/** Runs a scenario through the pure interpreter and keeps every input and output. */
export function record(scenario: GoldenScenario): GoldenFixture {
  const { doc, sha256 } = readExample(scenario.document);
  const flow = compileFlow(doc);
  let now = Date.parse(scenario.at);
  const started = start(flow, scenario.trigger, now);
  let state: RunState = started.state;
  const steps: GoldenStep[] = [];
  scenario.events.forEach(({ after = 2, ...spec }, i) => {
    now += after * 1000;
    const event = { id: `${scenario.name}-${i + 1}`, ...spec } as CallEvent;
    if (event.operationContext === undefined && state.awaiting) {
      event.operationContext = state.awaiting.operationContext;
    }
    const r = step(flow, state, event, now);
    state = r.state;
    steps.push({ event, now: new Date(now).toISOString(), ...output(r) });
  });
  return {
    document: scenario.document,
    documentSha256: sha256,
    scenario: scenario.name,
    about: scenario.about,
    trigger: scenario.trigger,
    start: { now: scenario.at, ...output(started) },
    steps,
  };
}

/** Where a replay first did something else than the recording. */
export interface GoldenDifference {
  /** 0: the start; n: the n-th event. */
  step: number;
  message: string;
  recorded: GoldenOutput;
  replayed: GoldenOutput;
}

/**
 * Feeds a fixture's trigger and events to the interpreter with the document as it is now and
 * the catalogue as it is now; the first step whose output differs is reported, naming the
 * node type (and version) that produced it.
 */
export function replay(fixture: GoldenFixture): GoldenDifference | undefined {
  const { doc, sha256 } = readExample(fixture.document);
  if (sha256 !== fixture.documentSha256) {
    return {
      step: 0,
      message: `examples/${fixture.document} changed since ${fixture.scenario} was recorded: re-record on purpose with \`npm run golden -w flow\``,
      recorded: fixture.start,
      replayed: fixture.start,
    };
  }
  const flow = compileFlow(doc);
  const started = start(flow, fixture.trigger, Date.parse(fixture.start.now));
  const first = compare(flow, fixture, 0, fixture.start, started, undefined);
  if (first) return first;
  let state = started.state;
  for (let i = 0; i < fixture.steps.length; i++) {
    const s = fixture.steps[i] as GoldenStep;
    const awaited = state.awaiting?.nodeId;
    const r = step(flow, state, s.event, Date.parse(s.now));
    const difference = compare(flow, fixture, i + 1, s, r, awaited);
    if (difference) return difference;
    state = r.state;
  }
  return undefined;
}

function compare(
  flow: CompiledFlow,
  fixture: GoldenFixture,
  index: number,
  recordedStep: GoldenOutput,
  result: StepResult,
  awaited: string | undefined,
): GoldenDifference | undefined {
  const recorded: GoldenOutput = {
    actions: recordedStep.actions,
    ...(recordedStep.endReason ? { endReason: recordedStep.endReason } : {}),
    ...(recordedStep.awaiting ? { awaiting: recordedStep.awaiting } : {}),
  };
  // Through JSON, as the fixture went: an `undefined` field is no difference.
  const replayed = JSON.parse(JSON.stringify(output(result))) as GoldenOutput;
  if (canonical(replayed) === canonical(recorded)) return undefined;
  const where =
    index === 0 ? 'the start' : `event ${index} (${fixture.steps[index - 1]?.event.type})`;
  const culprits = suspects(flow, recorded, replayed, result.trace, awaited);
  return {
    step: index,
    message:
      `a published version's behaviour changed: add a new type version instead. ` +
      `${fixture.document} / ${fixture.scenario}, at ${where}: ${culprits}`,
    recorded,
    replayed,
  };
}

/** JSON with object keys sorted: the order properties were written in is no behaviour. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The nodes (type and version) that most likely made the difference, for the message. */
function suspects(
  flow: CompiledFlow,
  recorded: GoldenOutput,
  replayed: GoldenOutput,
  trace: TraceEntry[],
  awaited: string | undefined,
): string {
  const ids: string[] = [];
  const n = Math.max(recorded.actions.length, replayed.actions.length);
  for (let i = 0; i < n; i++) {
    const a = recorded.actions[i];
    const b = replayed.actions[i];
    if (canonical(a) === canonical(b)) continue;
    for (const x of [a, b]) if (x && 'nodeId' in x && x.nodeId) ids.push(x.nodeId);
    break;
  }
  if (ids.length === 0) {
    for (const t of trace) if (t.kind === 'enter') ids.push(t.nodeId);
    if (recorded.awaiting) ids.push(recorded.awaiting.nodeId);
    if (replayed.awaiting) ids.push(replayed.awaiting.nodeId);
  }
  if (ids.length === 0 && awaited) ids.push(awaited);
  const named = [...new Set(ids)].map((id) => {
    const node = flow.nodes.get(id);
    return node ? `node “${id}” of type ${node.type} version ${node.typeVersion}` : `node “${id}”`;
  });
  return named.length > 0 ? named.join(', ') : 'no node to blame (the interpreter itself?)';
}

/** Every `node:outcome` a fixture's run takes, for checking that the fixtures cover the flow. */
export function outcomesTaken(fixture: GoldenFixture): Set<string> {
  const flow = compileFlow(readExample(fixture.document).doc);
  const taken = new Set<string>();
  const note = (r: StepResult) => {
    for (const t of r.trace) if (t.kind === 'outcome') taken.add(`${t.nodeId}:${t.outcome}`);
    return r.state;
  };
  let state = note(start(flow, fixture.trigger, Date.parse(fixture.start.now)));
  for (const s of fixture.steps) state = note(step(flow, state, s.event, Date.parse(s.now)));
  return taken;
}
