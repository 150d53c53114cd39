/**
 * One recorded call on two documents: the path it took (on the version it ran on) and the path
 * it would take now (replayed on the draft), drawn on one canvas in two colours. The canvas shows
 * the new document; where the recorded path went along a connection the new document no longer
 * has (2 used to go to Support, now it goes to Sales), that connection is added back from the
 * recorded document, and so is any node of the recorded path the new document removed.
 */
import type { FlowDocument } from '@switchboard/flow';
import type { CanvasLayer, EdgeMark, NodeFlag, NodeMark } from '../calls/pathOverlay.js';
import { outcomesFor } from '../catalogue.js';
import { endReasonText } from '../calls/runFormat.js';

export interface PathStepRef {
  nodeId: string;
  outcome?: string;
}

export interface ComparedCall {
  oldPath: readonly PathStepRef[];
  newPath: readonly PathStepRef[];
  oldEnd?: { nodeId: string; reason: string };
  newEnd?: { nodeId: string; reason: string };
  divergence?: { nodeId: string; oldOutcome: string | null; newOutcome: string | null };
  /** Where the replay had to stop (the new path asks for an input the call never gave). */
  unanswered?: { nodeId: string; message: string };
}

export interface ComparisonView {
  /** The new document, with what the recorded path needs of the old one added. */
  document: FlowDocument;
  layer: CanvasLayer;
}

type Edge = FlowDocument['edges'][number];
type Which = 'old' | 'new' | 'both';

const outcomeKey = (source: string, outcome: string) => `${source}\u0000${outcome}`;

/** The edges a path took in `doc`: each step's outcome, as the edge from its node. */
function edgesOnPath(doc: FlowDocument, path: readonly PathStepRef[]): Edge[] {
  const byOutcome = new Map<string, Edge>();
  for (const e of doc.edges) {
    const k = outcomeKey(e.source, e.sourceOutcome);
    if (!byOutcome.has(k)) byOutcome.set(k, e);
  }
  const out: Edge[] = [];
  for (const step of path) {
    if (step.outcome === undefined) continue;
    const edge = byOutcome.get(outcomeKey(step.nodeId, step.outcome));
    if (edge) out.push(edge);
  }
  return out;
}

/** The canvas document and the two paths' marks for one call. */
export function comparisonView(
  oldDoc: FlowDocument,
  newDoc: FlowDocument,
  call: ComparedCall,
): ComparisonView {
  const newNodeIds = new Set(newDoc.nodes.map((n) => n.id));
  const oldNodeIds = new Set(call.oldPath.map((p) => p.nodeId));
  const nodes = [
    ...newDoc.nodes,
    // Nodes of the recorded path the new document no longer has.
    ...oldDoc.nodes.filter((n) => oldNodeIds.has(n.id) && !newNodeIds.has(n.id)),
  ];
  const shown = new Map(nodes.map((n) => [n.id, n]));

  const edges = [...newDoc.edges];
  const ids = new Set(edges.map((e) => e.id));
  const sameEdge = new Map(
    edges.map((e) => [`${outcomeKey(e.source, e.sourceOutcome)}\u0000${e.target}`, e]),
  );
  const marks = new Map<string, Which>();
  const mark = (id: string, which: 'old' | 'new') => {
    const had = marks.get(id);
    marks.set(id, had && had !== which ? 'both' : which);
  };

  for (const old of edgesOnPath(oldDoc, call.oldPath)) {
    const same = sameEdge.get(`${outcomeKey(old.source, old.sourceOutcome)}\u0000${old.target}`);
    if (same) {
      mark(same.id, 'old');
      continue;
    }
    // The recorded connection is gone from the new document: draw it back, under its own id.
    let id = `${old.id}~recorded`;
    while (ids.has(id)) id = `${id}~`;
    ids.add(id);
    const source = shown.get(old.source);
    // A handle the node no longer has (a removed menu choice) cannot anchor an edge: React Flow
    // then draws it from the node's first outcome, which still shows where the call went.
    const hasHandle =
      source !== undefined &&
      outcomesFor(source.type, source.config, source.typeVersion).some(
        (o) => o.id === old.sourceOutcome,
      );
    const added: Edge = { ...old, id };
    edges.push(hasHandle ? added : { ...added, sourceOutcome: '' });
    sameEdge.set(`${outcomeKey(old.source, old.sourceOutcome)}\u0000${old.target}`, added);
    mark(id, 'old');
  }
  const document: FlowDocument = { ...newDoc, nodes, edges };
  for (const edge of edgesOnPath(newDoc, call.newPath)) mark(edge.id, 'new');

  const parting = call.divergence?.nodeId;
  const edgeMarks = new Map<string, EdgeMark>();
  for (const [id, which] of marks) {
    const edge = edges.find((e) => e.id === id);
    const label =
      parting !== undefined && edge?.source === parting && which !== 'both'
        ? which === 'old'
          ? 'recorded'
          : 'now'
        : undefined;
    edgeMarks.set(id, {
      className: `sb-cmp-edge sb-cmp-edge--${which}`,
      keepFar: true,
      ...(label ? { label } : {}),
    });
  }

  const nodeWhich = new Map<string, Which>();
  for (const p of call.oldPath) nodeWhich.set(p.nodeId, 'old');
  for (const p of call.newPath) {
    const had = nodeWhich.get(p.nodeId);
    nodeWhich.set(p.nodeId, had === 'old' || had === 'both' ? 'both' : 'new');
  }
  const nodeMarks = new Map<string, NodeMark>();
  for (const [id, which] of nodeWhich) {
    const diverge = id === parting ? ' sb-cmp-node--diverge' : '';
    nodeMarks.set(id, { className: `sb-cmp-node sb-cmp-node--${which}${diverge}` });
  }

  const flags: NodeFlag[] = [];
  if (parting !== undefined) {
    flags.push({
      nodeId: parting,
      text: 'Paths part here',
      className: 'sb-cmp-flag sb-cmp-flag--diverge',
      place: 'above',
    });
  }
  if (call.oldEnd) {
    flags.push({
      nodeId: call.oldEnd.nodeId,
      text: `Recorded end: ${endReasonText(call.oldEnd.reason)}`,
      className: 'sb-cmp-flag sb-cmp-flag--old',
      place: 'below',
    });
  }
  if (call.newEnd) {
    flags.push({
      nodeId: call.newEnd.nodeId,
      text: `Now ends: ${endReasonText(call.newEnd.reason)}`,
      className: 'sb-cmp-flag sb-cmp-flag--new',
      place: 'below',
    });
  } else if (call.unanswered) {
    flags.push({
      nodeId: call.unanswered.nodeId,
      text: 'Replay stops here: the call never gave this input',
      className: 'sb-cmp-flag sb-cmp-flag--new',
      place: 'below',
    });
  }
  return { document, layer: { nodes: nodeMarks, edges: edgeMarks, flags } };
}
