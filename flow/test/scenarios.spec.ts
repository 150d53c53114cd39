import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  acceptResult,
  compileFlow,
  edgeCoverage,
  explorePaths,
  generateScenarios,
  replayRecording,
  runScenario,
  scenarioFromRecording,
  ScenarioSchema,
  start,
  step,
  summarizeReplays,
  type FlowDocument,
  type Recording,
  type TraceEntry,
} from '../src/index.js';
import { siblingSubflows } from '../src/cli/test-command.js';
import {
  examplesDir,
  fixturesDir,
  readExample,
  type GoldenFixture,
} from './golden/golden-replay.js';

const root = fileURLToPath(fixturesDir);
const fixtures: GoldenFixture[] = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(`${root}${d.name}`)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(`${root}${d.name}/${f}`, 'utf8')) as GoldenFixture),
  );

/** A golden fixture as the engine would have stored the run: its events and all it traced. */
function recordingOf(f: GoldenFixture): Recording {
  const flow = compileFlow(readExample(f.document).doc);
  const trace: TraceEntry[] = [];
  const first = start(flow, f.trigger, Date.parse(f.start.now));
  trace.push(...first.trace);
  let state = first.state;
  for (const s of f.steps) {
    const r = step(flow, state, s.event, Date.parse(s.now));
    trace.push(...r.trace);
    state = r.state;
  }
  return {
    runId: `${f.document}/${f.scenario}`,
    trigger: f.trigger,
    startedAt: Date.parse(f.start.now),
    steps: f.steps.map((s) => ({ event: s.event, at: Date.parse(s.now) })),
    trace,
    ...(state.status === 'ended' && state.endReason
      ? { end: { nodeId: state.currentNodeId ?? '', reason: state.endReason } }
      : {}),
  };
}

const ivr = () => structuredClone(readExample('main-ivr.json').doc) as FlowDocument;
const ivrRuns = fixtures.filter((f) => f.document === 'main-ivr.json');
const byName = (name: string) => {
  const f = ivrRuns.find((x) => x.scenario === name);
  if (!f) throw new Error(name);
  return recordingOf(f);
};

/** The analyst's change: menu key 2 goes to Sales instead of the support agent. */
function twoGoesToSales(): FlowDocument {
  const doc = ivr();
  const edge = doc.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:2');
  if (!edge) throw new Error('no menu 2 edge');
  edge.target = 'sales';
  return doc;
}

describe('replaying recorded calls', () => {
  it.each(fixtures.map((f) => [`${f.document}/${f.scenario}`, f] as const))(
    '%s replays on its own version with no divergence',
    (_name, f) => {
      const doc = readExample(f.document).doc;
      const r = replayRecording(doc, doc, recordingOf(f));
      expect(r.status, r.summary).toBe('same');
      expect(r.newPath).toEqual(r.oldPath);
      expect(r.newEnd).toEqual(r.oldEnd);
    },
  );

  it('reports where a changed draft first sends a call elsewhere, and stops at an answer never given', () => {
    const pressed2 = byName('support-added');
    const r = replayRecording(twoGoesToSales(), ivr(), pressed2);
    expect(r.status).toBe('diverged');
    expect(r.divergence).toMatchObject({
      nodeId: 'menu',
      oldOutcome: 'choice:2',
      newOutcome: 'choice:2',
      oldNext: 'support',
      newNext: 'sales',
    });
    // How the sales desk would have answered was never recorded: said, not invented.
    expect(r.unanswered).toMatchObject({ nodeId: 'sales', index: 0 });
    expect(r.unanswered?.message).toMatch(/callee/);
    expect(r.newEnd).toBeUndefined();
    expect(r.summary).toContain('“Transfer to sales”');
  });

  it('calls that never pressed 2 are the same under that change', () => {
    for (const name of ['sales-transferred', 'closed-sunday', 'no-input', 'invalid-then-sales']) {
      const r = replayRecording(twoGoesToSales(), ivr(), byName(name));
      expect(r.status, `${name}: ${r.summary}`).toBe('same');
    }
  });

  it('says a replay is incomplete when the new path asks the caller something new', () => {
    const doc = ivr();
    // A second menu after the first one's key 1: the recorded callers never heard it.
    doc.nodes.push({
      id: 'survey',
      type: 'media.menu',
      position: { x: 0, y: 0 },
      config: { prompt: 'Rate us', choices: [{ digit: '1', label: 'Good' }] },
    });
    const e = doc.edges.find((x) => x.source === 'menu' && x.sourceOutcome === 'choice:1');
    if (!e) throw new Error('no edge');
    e.target = 'survey';
    const r = replayRecording(doc, ivr(), byName('sales-transferred'));
    expect(r.status).toBe('diverged');
    expect(r.divergence).toMatchObject({ nodeId: 'menu', oldNext: 'sales', newNext: 'survey' });
    expect(r.unanswered).toMatchObject({ nodeId: 'survey', index: 0 });
    expect(r.unanswered?.message).toMatch(/keys from the caller/);
  });

  it('summarises: how many diverge, where calls end before and after', () => {
    const target = twoGoesToSales();
    const results = ivrRuns.map((f) => replayRecording(target, ivr(), recordingOf(f)));
    const s = summarizeReplays(target, results);
    const pressed2 = ivrRuns.filter((f) =>
      f.steps.some((x) => x.event.type === 'RecognizeCompleted' && x.event.tones?.[0] === 'two'),
    ).length;
    expect(pressed2).toBeGreaterThan(0);
    expect(s.runs).toBe(ivrRuns.length);
    expect(s.diverged).toBe(pressed2);
    expect(s.same + s.diverged + s.incomplete + s.notReplayable).toBe(ivrRuns.length);
    expect(s.text).toBe(
      `${pressed2} of ${ivrRuns.length} calls would take a different path; ${pressed2} would now reach “Transfer to sales”`,
    );
    expect(s.endsAfter.find((e) => e.nodeId === 'sales' && e.reason === 'unknown')?.runs).toBe(
      pressed2,
    );
    expect(s.reached.find((x) => x.nodeId === 'support')).toMatchObject({
      after: 0,
      before: pressed2,
    });
  });
});

describe('scenarios', () => {
  it('a scenario saved from a recorded call passes on its version and fails when the menu changes', () => {
    for (const f of ivrRuns) {
      const { scenario } = scenarioFromRecording(ivr(), recordingOf(f), f.scenario);
      const r = runScenario(ivr(), scenario);
      expect(r.failures, `${f.scenario}: ${JSON.stringify(scenario.inputs)}`).toEqual([]);
      expect(r.passed).toBe(true);
    }
    const { scenario } = scenarioFromRecording(ivr(), byName('support-added'), 'presses 2');
    expect(scenario.inputs).toContainEqual(expect.objectContaining({ node: 'menu', digits: '2' }));
    expect(scenario.inputs).toContainEqual(
      expect.objectContaining({ node: 'support', callee: 'answers' }),
    );
    const changed = runScenario(twoGoesToSales(), scenario);
    expect(changed.passed).toBe(false);
    expect(changed.failures.join('\n')).toMatch(/“Transfer to sales” asked/);
  });

  it('writes plain inputs from callbacks as ACS sends them: routing ids, success codes, the HTTP answer late', () => {
    const rec = byName('support-added');
    const routed = (e: Recording['steps'][number]['event']) => {
      const ok =
        e.type === 'RecognizeCompleted'
          ? { code: 200, subCode: 8531, message: 'Action completed, max digits received.' }
          : e.type === 'AddParticipantSucceeded'
            ? { code: 202, subCode: 0, message: 'Action completed successfully.' }
            : e.type === 'CallConnected' || e.type === 'PlayCompleted'
              ? { code: 200, subCode: 0, message: '' }
              : undefined;
      return {
        ...e,
        callConnectionId: 'connection-1',
        serverCallId: 'server-1',
        correlationId: 'correlation-1',
        ...(ok && !e.resultInformation ? { resultInformation: ok } : {}),
      };
    };
    // The HTTP answers (ActionResult) come too: the answer's before its callback, the add's (its
    // invitation id) after the add succeeded, when the run has moved on.
    const steps = rec.steps.flatMap((s) => {
      const event = routed(s.event);
      const http = {
        ...s,
        event: { ...event, id: `http-${s.event.id}`, type: 'ActionResult' as const },
      };
      if (s.event.type === 'CallConnected')
        return [
          { ...http, event: { ...http.event, resultInformation: { code: 200 } } },
          { ...s, event },
        ];
      if (s.event.type === 'AddParticipantSucceeded') {
        return [
          { ...s, event },
          {
            ...http,
            event: {
              ...http.event,
              resultInformation: { code: 200 },
              invitationId: 'invitation-9',
            },
          },
        ];
      }
      return [{ ...s, event }];
    });
    const real: Recording = { ...rec, steps };
    const { scenario } = scenarioFromRecording(ivr(), real, 'from ACS');
    expect(ScenarioSchema.safeParse(scenario).success).toBe(true);
    expect(scenario.inputs).toContainEqual(expect.objectContaining({ node: 'menu', digits: '2' }));
    expect(scenario.inputs).toContainEqual(
      expect.objectContaining({ node: 'support', callee: 'answers' }),
    );
    expect(JSON.stringify(scenario)).not.toMatch(/connection-1|server-1|correlation-1/);
    expect(runScenario(ivr(), scenario)).toMatchObject({ passed: true, failures: [] });
  });

  it('writes the plainest inputs: no key, a failed transfer', () => {
    const silent = scenarioFromRecording(ivr(), byName('no-input'), 'silent').scenario;
    expect(silent.inputs?.filter((i) => i.node === 'menu')).toEqual([
      expect.objectContaining({ noInput: true, after: 6 }),
      expect.objectContaining({ noInput: true, after: 6 }),
    ]);
    const failed = scenarioFromRecording(ivr(), byName('sales-transfer-failed'), 'failed').scenario;
    // 500/7504 is what a failing transfer sends when nothing more is known: written as `fails`.
    expect(failed.inputs).toContainEqual(expect.objectContaining({ node: 'sales', fails: true }));
  });

  it('checks the end node, the end reason, the path and the requests', () => {
    const scenario = {
      name: 'sales',
      at: '2026-03-03T18:00:00Z',
      inputs: [
        { node: 'menu', digits: '1' },
        { node: 'sales', callee: 'answers' as const },
      ],
      expect: {
        endNode: 'sales',
        endReason: 'transferred' as const,
        path: ['incoming', 'hours', 'answer', 'menu', 'sales'],
        actions: ['answerCall', 'recognizeDtmf', 'transferCall'],
      },
    };
    expect(runScenario(ivr(), scenario)).toMatchObject({ passed: true, failures: [] });
    const wrong = runScenario(ivr(), {
      ...scenario,
      expect: {
        endNode: 'sorry',
        endReason: 'completed' as const,
        path: ['incoming', 'answer'],
        actions: ['play'],
      },
    });
    expect(wrong.failures).toEqual([
      'expected the call to end at “Sorry”, it ended at “Transfer to sales”',
      'expected the end reason completed, got transferred',
      'the path differs at step 2: expected “Answer”, got “Open now?”',
      'the requests differ at request 1: expected play, got answerCall',
    ]);
    const unused = runScenario(ivr(), {
      ...scenario,
      inputs: [...scenario.inputs, { node: 'menu', digits: '2' }],
    });
    expect(unused.failures).toEqual(['1 input for “Main menu” was never asked for']);
    const unfit = runScenario(ivr(), { ...scenario, inputs: [{ node: 'answer', digits: '1' }] });
    expect(unfit.failures[0]).toMatch(
      /does not fit: it makes a answerCall request, which takes no keys/,
    );
    const noNode = runScenario(ivr(), { ...scenario, inputs: [{ node: 'nope', digits: '1' }] });
    expect(noNode.failures).toEqual(['an input is for node “nope”, which is not in this flow']);
  });

  it('uses the clock: the same call on a Sunday hears the closed message', () => {
    const r = runScenario(ivr(), {
      name: 'sunday',
      at: '2026-03-08T20:00:00Z',
      expect: { endNode: 'hangUp' },
    });
    expect(r.path.map((p) => p.nodeId)).toEqual([
      'incoming',
      'hours',
      'answerClosed',
      'closedMessage',
      'hangUp',
    ]);
    expect(r.passed).toBe(true);
  });
});

describe('coverage', () => {
  it.each([
    'main-ivr.json',
    'appointment-reminder.json',
    'support-line.json',
    'verify-caller.json',
    'caller-lookup.json',
  ])('examples/%s carries scenarios that pass and take every edge', (file) => {
    const doc = readExample(file).doc;
    // Subflows are the example files named after their flow ids (as `switchboard test` finds them).
    const subflows = siblingSubflows(fileURLToPath(new URL(file, examplesDir)));
    expect(doc.scenarios?.length).toBeGreaterThan(0);
    for (const s of doc.scenarios ?? []) {
      expect(runScenario(doc, s, { subflows }).failures, s.name).toEqual([]);
    }
    expect(edgeCoverage(doc, doc.scenarios, { subflows }).uncovered).toEqual([]);
  });

  it('names the edges no scenario takes, and generates scenarios that take them', () => {
    const doc = ivr();
    doc.scenarios = (doc.scenarios ?? []).filter((s) => !s.expect.path?.includes('operator'));
    const coverage = edgeCoverage(doc);
    const uncovered = doc.edges.filter((e) => coverage.uncovered.includes(e.id));
    expect(uncovered.map((e) => `${e.source}:${e.sourceOutcome}`).sort()).toEqual([
      'menu:choice:0',
      'operator:failed',
    ]);
    const generated = generateScenarios(doc);
    expect(generated.length).toBeGreaterThan(0);
    for (const s of generated) expect(runScenario(doc, s).passed, s.name).toBe(true);
    expect(
      edgeCoverage({ ...doc, scenarios: [...(doc.scenarios ?? []), ...generated] }).uncovered,
    ).toEqual([]);
    // The plainest call that takes the operator edge: key 0, the operator answers.
    expect(generated[0]?.inputs).toEqual([
      { node: 'menu', digits: '0' },
      { node: 'operator', callee: 'answers' },
    ]);
  });

  it('explores each business-hours state and every key of a menu', () => {
    const paths = explorePaths(ivr());
    const hours = new Set(paths.map((p) => p.sim.path.find((s) => s.nodeId === 'hours')?.outcome));
    expect([...hours].sort()).toEqual(['closed', 'holiday', 'open']);
    const keys = new Set(
      paths.map((p) => p.sim.path.find((s) => s.nodeId === 'menu')?.outcome).filter(Boolean),
    );
    expect([...keys].sort()).toEqual([
      'choice:0',
      'choice:1',
      'choice:2',
      'failed',
      'invalid',
      'noInput',
    ]);
  });
});

describe('accepting a changed result', () => {
  it('expects what the flow does now and drops the inputs it no longer asks for', () => {
    const scenario = {
      name: 'support',
      at: '2026-03-03T18:00:00Z',
      inputs: [
        { node: 'menu', digits: '2' },
        { node: 'support', callee: 'answers' as const },
        { node: 'sales', callee: 'answers' as const },
      ],
      expect: { endNode: 'leave', endReason: 'completed' as const, path: ['incoming'] },
    };
    const before = runScenario(twoGoesToSales(), scenario);
    expect(before.passed).toBe(false);
    expect(before.unusedInputs).toEqual([1]);
    const accepted = acceptResult(scenario, before);
    expect(accepted?.inputs).toEqual([scenario.inputs[0], scenario.inputs[2]]);
    expect(accepted?.expect).toEqual({
      endNode: 'sales',
      endReason: 'transferred',
      path: ['incoming', 'hours', 'answer', 'menu', 'sales'],
    });
    expect(runScenario(twoGoesToSales(), accepted!).failures).toEqual([]);
    // Stopped at a question nobody answered: nothing to accept.
    const stopped = runScenario(twoGoesToSales(), { ...scenario, inputs: [scenario.inputs[0]!] });
    expect(stopped.unanswered).toBeDefined();
    expect(acceptResult(scenario, stopped)).toBeUndefined();
  });
});
