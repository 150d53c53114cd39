import {
  edgeCoverage,
  runScenarios,
  type EdgeCoverage,
  type FlowDocument,
  type ScenarioResult,
  type SubflowResolver,
} from '@switchboard/flow';
import { useEffect, useState } from 'react';
import { BrowserSubflows } from './subflows.js';
import type { CanvasLayer, EdgeMark } from '../calls/pathOverlay.js';
import type { EditorStore } from './store.js';

/** Scenarios are simulated calls: re-run them once edits pause, like validation. */
const CHECK_MS = 300;

export interface ScenarioChecks {
  results: ScenarioResult[];
  passed: number;
  failed: number;
  /** Set when asked for (it runs every scenario a second time). */
  coverage?: EdgeCoverage;
}

/** The scenarios' results on a document (pure: the flow package's simulator, in the browser). */
export function checkScenarios(
  document: FlowDocument,
  options: { coverage?: boolean; subflows?: SubflowResolver } = {},
): ScenarioChecks {
  const sim = options.subflows ? { subflows: options.subflows } : {};
  const results = runScenarios(document, sim);
  const passed = results.filter((r) => r.passed).length;
  return {
    results,
    passed,
    failed: results.length - passed,
    ...(options.coverage ? { coverage: edgeCoverage(document, document.scenarios, sim) } : {}),
  };
}

/**
 * The draft's scenario results, kept current as the document changes (debounced), with edge
 * coverage while `coverage` is on. Undefined until the first run.
 */
export function useScenarioChecks(
  store: EditorStore,
  options: { coverage?: boolean } = {},
): ScenarioChecks | undefined {
  const [checks, setChecks] = useState<ScenarioChecks>();
  const coverage = options.coverage ?? false;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const subflows = new BrowserSubflows();
    const run = () => {
      const doc = store.getState().toDocument();
      setChecks(checkScenarios(doc, { coverage, subflows: subflows.resolver }));
      // The subflows it calls come from the engine: run again once they are in.
      void subflows.load(doc).then((changed) => {
        if (changed && live) {
          setChecks(
            checkScenarios(store.getState().toDocument(), {
              coverage,
              subflows: subflows.resolver,
            }),
          );
        }
      });
    };
    run();
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.version === previous.version) return;
      clearTimeout(timer);
      timer = setTimeout(run, CHECK_MS);
    });
    return () => {
      live = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, coverage]);
  return checks;
}

const uncoveredMark: EdgeMark = { className: 'sb-edge-uncovered' };

/** The canvas layer that marks the connections no scenario takes. */
export function coverageLayer(coverage: EdgeCoverage): CanvasLayer {
  return { edges: new Map(coverage.uncovered.map((id) => [id, uncoveredMark])) };
}

/** "12 of 14 connections covered". */
export function coverageText(coverage: EdgeCoverage): string {
  const total = coverage.edges.length;
  const covered = total - coverage.uncovered.length;
  return `${covered} of ${total} connection${total === 1 ? '' : 's'} covered`;
}
