/**
 * Path analytics drawn on the canvas: how many calls took each connection (its width and a
 * count), which connections no call took, how many calls ended at each node and how many of
 * those were dropped — ended at a node where the flow does not mean calls to end. Pure: the
 * counts come from the engine's analytics endpoint, what counts as a designed end from the
 * catalogue.
 */
import type { FlowDocument } from '@switchboard/flow';
import type { CanvasLayer, EdgeMark, NodeFlag, NodeMark } from '../calls/pathOverlay.js';
import { nodeType, outcomesFor } from '../catalogue.js';

export interface TrafficEdge {
  source: string;
  sourceOutcome: string;
  target: string;
  runs: number;
}
export interface TrafficNode {
  id: string;
  entered: number;
  ended: number;
  endReasons: Record<string, number>;
}
export interface Traffic {
  runs: number;
  edges: readonly TrafficEdge[];
  nodes: readonly TrafficNode[];
}

export interface TrafficSummary {
  runs: number;
  /** Connections of the document no call took. */
  unused: number;
  /** Calls that ended at a node where the flow does not mean them to end. */
  dropped: number;
  /** Counted runs of connections this document no longer has (a later edit moved or removed them). */
  elsewhere: number;
}

export const MIN_WIDTH = 1.5;
export const MAX_WIDTH = 9;

/**
 * An edge's stroke width for `runs` of `max`: by the square root, so that a connection with a
 * hundredth of the traffic is still visible next to the busiest one; never thinner than a plain
 * edge.
 */
export function edgeWidth(runs: number, max: number): number {
  if (runs <= 0 || max <= 0) return MIN_WIDTH;
  const share = Math.min(1, runs / max);
  return Math.round((MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * Math.sqrt(share)) * 2) / 2;
}

type DocNode = FlowDocument['nodes'][number];

/**
 * Whether calls ending at `node` with `reason` end where the flow means them to: at a terminal
 * node (hang up, reject, redirect …), or by an outcome that ends the run by design (a transfer
 * that was accepted). Both come from the catalogue; a node type it does not know has no designed end.
 */
export function isDesignedEnd(node: DocNode | undefined, reason: string): boolean {
  if (!node) return false;
  const description = nodeType(node.type, node.typeVersion);
  if (!description) return false;
  if (description.terminal) return true;
  return outcomesFor(node.type, node.config, node.typeVersion).some((o) => o.endsRun === reason);
}

const key = (source: string, outcome: string, target: string) =>
  `${source}\u0000${outcome}\u0000${target}`;

const unusedMark: EdgeMark = { className: 'sb-traffic-edge sb-traffic-edge--unused', label: '0' };

/** The traffic layer over `document` and what it says in numbers. */
export function trafficLayer(
  document: Pick<FlowDocument, 'nodes' | 'edges'>,
  traffic: Traffic,
): { layer: CanvasLayer; summary: TrafficSummary } {
  const counted = new Map(traffic.edges.map((e) => [key(e.source, e.sourceOutcome, e.target), e]));
  const max = traffic.edges.reduce((m, e) => Math.max(m, e.runs), 0);
  const edges = new Map<string, EdgeMark>();
  const matched = new Set<string>();
  let unused = 0;
  for (const edge of document.edges) {
    const k = key(edge.source, edge.sourceOutcome, edge.target);
    const hit = counted.get(k);
    if (!hit || hit.runs === 0) {
      unused++;
      edges.set(edge.id, unusedMark);
      continue;
    }
    matched.add(k);
    edges.set(edge.id, {
      className: 'sb-traffic-edge',
      label: String(hit.runs),
      style: { strokeWidth: edgeWidth(hit.runs, max) },
    });
  }
  let elsewhere = 0;
  for (const [k, e] of counted) if (!matched.has(k)) elsewhere += e.runs;

  const byId = new Map(document.nodes.map((n) => [n.id, n]));
  const nodes = new Map<string, NodeMark>();
  const flags: NodeFlag[] = [];
  let dropped = 0;
  for (const counts of traffic.nodes) {
    const node = byId.get(counts.id);
    if (!node) continue;
    if (counts.entered === 0 && counts.ended === 0) continue;
    nodes.set(counts.id, { className: 'sb-traffic-node' });
    if (counts.ended === 0) continue;
    flags.push({
      nodeId: counts.id,
      text: `${counts.ended} ended`,
      className: 'sb-traffic-flag',
      place: 'below',
    });
    const lost = Object.entries(counts.endReasons)
      .filter(([reason]) => !isDesignedEnd(node, reason))
      .reduce((n, [, runs]) => n + runs, 0);
    if (lost > 0) {
      dropped += lost;
      nodes.set(counts.id, { className: 'sb-traffic-node sb-traffic-node--dropped' });
      flags.push({
        nodeId: counts.id,
        text: `${lost} dropped`,
        className: 'sb-traffic-flag sb-traffic-flag--dropped',
        place: 'below',
      });
    }
  }
  return {
    layer: { nodes, edges, flags },
    summary: { runs: traffic.runs, unused, dropped, elsewhere },
  };
}

export type TrafficRange = '24h' | '7d' | '30d';
const RANGE_HOURS: Record<TrafficRange, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 };

/** Where a range ending `now` starts (the engine ends it at its own now: no clock skew). */
export function rangeStart(range: TrafficRange, now = Date.now()): string {
  return new Date(now - RANGE_HOURS[range] * 3_600_000).toISOString();
}
