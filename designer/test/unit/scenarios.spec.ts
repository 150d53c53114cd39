import type { FlowDocument, Scenario } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { checkScenarios, coverageLayer, coverageText } from '../../src/editor/scenarioChecks.js';
import {
  renameProblem,
  scenariosAddedOnServer,
  uniqueScenarioName,
} from '../../src/editor/scenarioEdits.js';
import { createEditorStore } from '../../src/editor/store.js';
import { mainIvr } from './support/runs.js';

const pressTwo = mainIvr.scenarios!.find((s) => s.name === 'Support connected: Completed')!;
const saved: Scenario = {
  name: 'Call from +15551230000',
  inputs: [{ node: 'menu', digits: '2' }],
  expect: { endNode: 'leave', endReason: 'completed' },
};

/** The main IVR with the menu's 2 going to Sales. */
function twoToSales(doc: FlowDocument): FlowDocument {
  return {
    ...doc,
    edges: doc.edges.map((e) => (e.id === 'menu.choice:2' ? { ...e, target: 'sales' } : e)),
  };
}

describe('scenario edits in the store', () => {
  it('renames, deletes, adds and sets "must pass", each one undo step saved with the document', () => {
    const store = createEditorStore(mainIvr);
    const s = () => store.getState();
    const count = mainIvr.scenarios!.length;

    expect(s().renameScenario(pressTwo.name, 'Press 2 for support')).toBe(true);
    expect(
      s()
        .toDocument()
        .scenarios!.map((x) => x.name),
    ).toContain('Press 2 for support');
    // A taken or empty name changes nothing.
    expect(s().renameScenario('Press 2 for support', mainIvr.scenarios![0]!.name)).toBe(false);
    expect(s().renameScenario('Press 2 for support', '  ')).toBe(false);

    s().deleteScenario('Press 2 for support');
    expect(s().toDocument().scenarios).toHaveLength(count - 1);

    s().setScenariosMustPass(true);
    expect(s().toDocument().scenariosMustPass).toBe(true);
    s().setScenariosMustPass(false);
    expect('scenariosMustPass' in s().toDocument()).toBe(false);

    // A name already taken gets a number.
    s().addScenarios([{ ...saved, name: mainIvr.scenarios![0]!.name }]);
    expect(s().toDocument().scenarios!.at(-1)!.name).toBe(`${mainIvr.scenarios![0]!.name} (2)`);

    for (let i = 0; i < 5; i++) s().undo();
    expect(s().toDocument()).toEqual(mainIvr);
  });

  it('takes in scenarios added on the server into every undo step, so undo keeps them', () => {
    const store = createEditorStore(mainIvr);
    const s = () => store.getState();
    s().updateLabel('menu', 'Menu');
    s().mergeScenarios([saved]);
    expect(s().past).toHaveLength(1);
    s().undo();
    expect(s().toDocument().scenarios!.at(-1)).toEqual(saved);
    expect(s().nodes.find((n) => n.id === 'menu')!.data.label).toBe('Main menu');
    s().redo();
    expect(s().toDocument().scenarios!.at(-1)).toEqual(saved);
  });

  it('tells a draft the server only added scenarios to from any other change', () => {
    const server = { ...mainIvr, scenarios: [...mainIvr.scenarios!, saved] };
    expect(scenariosAddedOnServer(mainIvr, server)).toEqual([saved]);
    expect(scenariosAddedOnServer(mainIvr, mainIvr)).toEqual([]);
    // Keys in another order are the same document.
    const reordered = Object.fromEntries(Object.entries(server).reverse()) as FlowDocument;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(server));
    expect(scenariosAddedOnServer(mainIvr, reordered)).toEqual([saved]);
    expect(scenariosAddedOnServer(mainIvr, { ...server, name: 'Renamed' })).toBeUndefined();
    expect(scenariosAddedOnServer(mainIvr, twoToSales(server))).toBeUndefined();
    expect(
      scenariosAddedOnServer(mainIvr, { ...server, scenarios: server.scenarios.slice(1) }),
    ).toBeUndefined();
  });

  it('numbers names and explains a refused rename', () => {
    expect(uniqueScenarioName('A', new Set(['A', 'A (2)']))).toBe('A (3)');
    expect(uniqueScenarioName('A (2)', new Set(['A (2)']))).toBe('A (3)');
    expect(uniqueScenarioName('  ', new Set())).toBe('Scenario');
    const meta = createEditorStore(mainIvr).getState().meta;
    expect(renameProblem(meta, pressTwo.name, '')).toBe('Give the scenario a name');
    expect(renameProblem(meta, pressTwo.name, mainIvr.scenarios![0]!.name)).toMatch(/already/);
    expect(renameProblem(meta, pressTwo.name, pressTwo.name)).toBeUndefined();
  });
});

describe('scenario results and coverage', () => {
  it('passes every example scenario and covers every connection', () => {
    const checks = checkScenarios(mainIvr, { coverage: true });
    expect(checks.failed).toBe(0);
    expect(checks.passed).toBe(mainIvr.scenarios!.length);
    expect(checks.coverage!.uncovered).toEqual([]);
    expect(coverageText(checks.coverage!)).toBe(
      `${mainIvr.edges.length} of ${mainIvr.edges.length} connections covered`,
    );
  });

  it('fails the support scenario once 2 goes to Sales, and marks what no scenario takes', () => {
    const changed = twoToSales(mainIvr);
    const checks = checkScenarios(changed);
    const failing = checks.results.filter((r) => !r.passed).map((r) => r.name);
    expect(failing).toContain(pressTwo.name);
    expect(checks.results.find((r) => r.name === pressTwo.name)!.failures[0]).toMatch(
      /“Transfer to sales” asked/,
    );

    const fewer = { ...mainIvr, scenarios: mainIvr.scenarios!.filter((s) => s !== pressTwo) };
    const coverage = checkScenarios(fewer, { coverage: true }).coverage!;
    // "Support connected: Failed" still takes support.added; only the completed play is left.
    expect(coverage.uncovered).toEqual(['supportConnected.completed']);
    const layer = coverageLayer(coverage);
    expect([...layer.edges!.keys()]).toEqual(coverage.uncovered);
    expect(layer.edges!.get('supportConnected.completed')!.className).toBe('sb-edge-uncovered');
  });
});

describe('accepting a changed result', () => {
  it('rewrites what a failing scenario expects to what the flow does now, as one undo step', () => {
    const changed = twoToSales(mainIvr);
    // "Main menu: 1 · Sales" still passes; a scenario that pressed 2 and expected the agent now
    // ends at Sales — once told how the sales desk answers.
    const scenario: Scenario = {
      name: 'Pressed 2',
      at: pressTwo.at,
      inputs: [
        { node: 'menu', digits: '2' },
        { node: 'support', callee: 'answers' },
        { node: 'sales', callee: 'answers' },
      ],
      expect: { endNode: 'leave', endReason: 'completed' },
    };
    const store = createEditorStore({ ...changed, scenarios: [scenario] });
    const s = () => store.getState();
    const failing = checkScenarios(s().toDocument()).results[0]!;
    expect(failing.passed).toBe(false);
    s().acceptScenarioResult('Pressed 2', failing);
    const accepted = s().toDocument().scenarios![0]!;
    expect(accepted.expect).toEqual({ endNode: 'sales', endReason: 'transferred' });
    expect(accepted.inputs).toEqual([scenario.inputs![0], scenario.inputs![2]]);
    expect(checkScenarios(s().toDocument()).results[0]!.passed).toBe(true);
    s().undo();
    expect(s().toDocument().scenarios![0]).toEqual(scenario);
  });
});
