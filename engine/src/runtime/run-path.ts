import type { TraceEntry } from '@switchboard/flow';

/**
 * A run's path as the analytics read it, kept on the run row ("nodesEntered", "edgesTaken"):
 * every node it entered and every edge it took, each once. Each step write adds what its trace
 * shows (new values only: write-step appends those the row does not hold yet), so the analytics
 * never read the step records' JSON.
 *
 * An edge is an `outcome` entry of node S with outcome O followed by the next `enter`, of node T.
 * The interpreter traces an outcome and the entry it leads to in the same step (it follows an
 * outcome at once; an outcome that leads nowhere ends the run), so a step's trace is enough: no
 * outcome is left waiting for the next step's enter.
 *
 * Entries inside a subflow (`in`: the frames they ran in) are left out: the run's path is its
 * own flow's, where the "Run subflow" node and the edge its returned outcome took are counted.
 * Calls through a subflow are not counted in the subflow's own analytics (its runs are the
 * callers'); its nodes are in each step's trace.
 */
export interface RunPath {
  /** Node ids, each once, in the order first entered. */
  nodes: string[];
  /** Edge keys (edgeKey), each once, in the order first taken. */
  edges: string[];
}

/**
 * An edge as stored: the JSON text of `[source, outcome, target]` — any id (they are free text)
 * comes back unchanged from parseEdgeKey, and the migration's backfill spells it the same way.
 */
export const edgeKey = (source: string, outcome: string, target: string): string =>
  JSON.stringify([source, outcome, target]);

export function parseEdgeKey(key: string): { source: string; outcome: string; target: string } {
  const [source, outcome, target] = JSON.parse(key) as [string, string, string];
  return { source, outcome, target };
}

/** What one step's trace adds to its run's path (each value once). */
export function stepPath(trace: readonly TraceEntry[]): RunPath {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  let outcome: { nodeId: string; outcome: string } | undefined;
  for (const t of trace) {
    if (t.in) continue;
    if (t.kind === 'outcome') {
      outcome = t;
    } else if (t.kind === 'enter') {
      nodes.add(t.nodeId);
      if (outcome) edges.add(edgeKey(outcome.nodeId, outcome.outcome, t.nodeId));
      outcome = undefined;
    }
  }
  return { nodes: [...nodes], edges: [...edges] };
}
