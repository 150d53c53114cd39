import type { TraceEntry } from '@switchboard/flow';
import type { RunStep } from '../api/client.js';

/** What the path needs of a document edge (a flow document's edge, or a canvas edge converted). */
export interface PathEdgeRef {
  id: string;
  source: string;
  sourceOutcome: string;
  target: string;
}

/** The part of a step the path reads. */
export type PathStep = Pick<RunStep, 'seq' | 'eventType' | 'nodeId' | 'outcomes'> & {
  trace?: readonly TraceEntry[];
};

/** What the run itself says, which wins over what the steps suggest. */
export interface PathRunState {
  status?: 'running' | 'ended';
  currentNodeId?: string | null;
  endReason?: string | null;
}

/** One outcome taken: the edge it followed (if the document has one) and the step that moved it. */
export interface Traversal {
  /** 1, 2, 3 … over the whole run. */
  order: number;
  /** The step (seq) whose event moved the run along this edge. */
  seq: number;
  /** That step's event type, e.g. RecognizeCompleted (IncomingCall or Start for step 0). */
  event: string;
  nodeId: string;
  outcome: string;
  /** null when the outcome has no edge (the run ended there). */
  edgeId: string | null;
  target: string | null;
}

export interface RunPath {
  /** Node ids in the order they were entered (a node entered twice appears twice). */
  entered: { nodeId: string; seq: number }[];
  /** Entries per visited node. */
  visits: Map<string, number>;
  traversals: Traversal[];
  /** Traversals per edge id, in order. */
  edges: Map<string, Traversal[]>;
  /** The node the run is on while it runs; null once it ended. */
  currentNodeId: string | null;
  ended: boolean;
  endReason: string | null;
  /** Where the run ended (the node of the end, else the last one entered). */
  endNodeId: string | null;
}

export const emptyPath: RunPath = {
  entered: [],
  visits: new Map(),
  traversals: [],
  edges: new Map(),
  currentNodeId: null,
  ended: false,
  endReason: null,
  endNodeId: null,
};

/**
 * The path of a run over a document: the nodes entered in order, each outcome taken matched to
 * the document edge it followed (`source === nodeId && sourceOutcome === outcome`), numbered in
 * order with the event that moved it, the current node and the end. Reads the steps' trace
 * (`enter`, `outcome`, `end`); a step without a trace falls back to its `outcomes` and `nodeId`.
 * Entries made inside a subflow (`in`) are left out: they are the subflow's nodes.
 */
export function computePath(
  steps: readonly PathStep[],
  edges: readonly PathEdgeRef[],
  run: PathRunState = {},
): RunPath {
  const byOutcome = new Map<string, PathEdgeRef>();
  for (const edge of edges) {
    const key = `${edge.source}\u0000${edge.sourceOutcome}`;
    // The document allows one edge per outcome; should a hand-edited one hold two, the first wins.
    if (!byOutcome.has(key)) byOutcome.set(key, edge);
  }

  const ordered = isOrdered(steps) ? steps : [...steps].sort((a, b) => a.seq - b.seq);
  const entered: RunPath['entered'] = [];
  const visits = new Map<string, number>();
  const traversals: Traversal[] = [];
  const byEdge = new Map<string, Traversal[]>();
  let ended = false;
  let endReason: string | null = null;
  let endNodeId: string | null = null;
  let lastEntered: string | null = null;

  const enter = (nodeId: string, seq: number) => {
    entered.push({ nodeId, seq });
    visits.set(nodeId, (visits.get(nodeId) ?? 0) + 1);
    lastEntered = nodeId;
  };
  const take = (step: PathStep, nodeId: string, outcome: string) => {
    const edge = byOutcome.get(`${nodeId}\u0000${outcome}`);
    const traversal: Traversal = {
      order: traversals.length + 1,
      seq: step.seq,
      event: step.eventType,
      nodeId,
      outcome,
      edgeId: edge?.id ?? null,
      target: edge?.target ?? null,
    };
    traversals.push(traversal);
    if (edge) {
      let list = byEdge.get(edge.id);
      if (!list) byEdge.set(edge.id, (list = []));
      list.push(traversal);
    }
    return traversal;
  };

  for (const step of ordered) {
    const trace = step.trace ?? [];
    let traced = false;
    for (const entry of trace) {
      // Inside a subflow: not this canvas's nodes. Its "Run subflow" node is entered, and the
      // outcome its Return gave is taken, on this canvas; the steps list shows the nesting.
      if (entry.in) continue;
      switch (entry.kind) {
        case 'enter':
          traced = true;
          enter(entry.nodeId, step.seq);
          break;
        case 'outcome':
          traced = true;
          take(step, entry.nodeId, entry.outcome);
          break;
        case 'end':
          ended = true;
          endReason = entry.reason;
          endNodeId = entry.nodeId ?? lastEntered;
          break;
      }
    }
    if (!traced) {
      // No trace kept: the outcomes still say which edges were taken, into which nodes.
      if (step.seq === 0 && step.nodeId && entered.length === 0) enter(step.nodeId, step.seq);
      for (const o of step.outcomes) {
        const traversal = take(step, o.nodeId, o.outcome);
        if (traversal.target) enter(traversal.target, step.seq);
      }
    }
  }

  if (run.status === 'ended') {
    ended = true;
    endReason = run.endReason ?? endReason;
    endNodeId ??= run.currentNodeId ?? lastEntered;
  } else if (run.status === 'running') {
    ended = false;
  }
  const currentNodeId = ended ? null : (run.currentNodeId ?? lastEntered);
  return {
    entered,
    visits,
    traversals,
    edges: byEdge,
    currentNodeId,
    ended,
    endReason: ended ? endReason : null,
    endNodeId: ended ? endNodeId : null,
  };
}

function isOrdered(steps: readonly PathStep[]): boolean {
  for (let i = 1; i < steps.length; i++) if (steps[i]!.seq < steps[i - 1]!.seq) return false;
  return true;
}

/** Edge labels show at most this many step numbers ("1, 4, 7 +12"); a loop must not grow one without bound. */
const LABEL_ORDERS = 3;

/** "2 · RecognizeCompleted", or for an edge taken several times "2, 5 · RecognizeCompleted". */
export function edgeLabel(traversals: readonly Traversal[]): string {
  const shown = traversals
    .slice(0, LABEL_ORDERS)
    .map((t) => t.order)
    .join(', ');
  const more = traversals.length > LABEL_ORDERS ? ` +${traversals.length - LABEL_ORDERS}` : '';
  const events = [...new Set(traversals.map((t) => t.event))];
  const event = events.length === 1 ? events[0]! : `${events[0]!} …`;
  return `${shown}${more} · ${event}`;
}

export type NodePathState = 'visited' | 'current' | 'ended';

export interface NodeDecoration {
  state: NodePathState;
  className: string;
  visits: number;
}

export interface EdgeDecoration {
  className: string;
  label: string;
}

export interface PathDecorations {
  nodes: Map<string, NodeDecoration>;
  edges: Map<string, EdgeDecoration>;
}

/** How the canvas marks a path: a class per visited node and taken edge, and each edge's label. */
export function pathDecorations(path: RunPath): PathDecorations {
  const nodes = new Map<string, NodeDecoration>();
  for (const [nodeId, visits] of path.visits) {
    const state: NodePathState =
      nodeId === path.currentNodeId ? 'current' : nodeId === path.endNodeId ? 'ended' : 'visited';
    nodes.set(nodeId, { state, className: `sb-path-node sb-path-node--${state}`, visits });
  }
  // A run can end before entering any node (e.g. refused at the start): still mark where.
  if (path.endNodeId && !nodes.has(path.endNodeId)) {
    nodes.set(path.endNodeId, {
      state: 'ended',
      className: 'sb-path-node sb-path-node--ended',
      visits: 0,
    });
  }
  const edges = new Map<string, EdgeDecoration>();
  for (const [edgeId, traversals] of path.edges) {
    const last = traversals.at(-1)!;
    const latest = path.traversals.at(-1) === last && !path.ended;
    edges.set(edgeId, {
      className: latest ? 'sb-path-edge sb-path-edge--latest' : 'sb-path-edge',
      label: edgeLabel(traversals),
    });
  }
  return { nodes, edges };
}
