/**
 * A node's outcomes are its source handles, and each outcome holds at most one edge. Outcomes are
 * not fixed: they follow the node's config (a menu's choices) and its type version, so edges have
 * to follow when either changes — kept, moved to the outcome that took an old one's place, or
 * dropped. Those rules, and which connections are allowed at all, live here, apart from the
 * store, because they are the part of editing that is about flows rather than about the canvas.
 */
import type { Connection, Edge } from '@xyflow/react';
import { isTerminal, isTrigger, outcomesFor } from '../catalogue.js';
import { TARGET_HANDLE, type DesignerEdge, type DesignerNode } from './document-mapping.js';
import { edgeIdFor, randomSuffix } from './ids.js';

/** The ids of a node's outcomes for a config and type version, in order. */
export function outcomeIds(
  type: string,
  config: Record<string, unknown>,
  typeVersion: number | undefined,
): string[] {
  return outcomesFor(type, config, typeVersion).map((o) => o.id);
}

/**
 * Whether an edge may go from the connection's source handle to its target: from an outcome the
 * source has now, never out of a terminal node nor into a trigger.
 */
export function canConnect(nodes: DesignerNode[], connection: Connection | Edge): boolean {
  if (!connection.source || !connection.target) return false;
  const source = nodes.find((n) => n.id === connection.source);
  const target = nodes.find((n) => n.id === connection.target);
  if (!source || !target) return false;
  if (
    isTerminal(source.data.type, source.data.typeVersion) ||
    isTrigger(target.data.type, target.data.typeVersion)
  ) {
    return false;
  }
  const outcomes = outcomesFor(source.data.type, source.data.config, source.data.typeVersion);
  return outcomes.some((o) => o.id === connection.sourceHandle);
}

/** The edges with the connection's outcome wired to its target; an edge it held before moves. */
export function connectOutcome(
  edges: DesignerEdge[],
  connection: Connection & { sourceHandle: string },
): DesignerEdge[] {
  const outcome = connection.sourceHandle;
  const kept = edges.filter((e) => !(e.source === connection.source && e.sourceHandle === outcome));
  let id = edgeIdFor(connection.source, outcome);
  while (kept.some((e) => e.id === id)) id = `${id}-${randomSuffix()}`;
  return [
    ...kept,
    {
      id,
      source: connection.source,
      sourceHandle: outcome,
      target: connection.target,
      targetHandle: TARGET_HANDLE,
    },
  ];
}

/**
 * Keeps a node's edges in step with its outcomes after a config change: edges of outcomes that
 * still exist stay; when the outcome list kept its length, an edge follows its outcome's position
 * (a menu choice whose digit changed keeps its edge); edges of removed outcomes go.
 */
export function reconcileOutcomeEdges(
  edges: DesignerEdge[],
  nodeId: string,
  before: string[],
  after: string[],
): DesignerEdge[] {
  if (before.length === after.length && before.every((id, i) => id === after[i])) return edges;
  const afterSet = new Set(after);
  const used = new Set<string>();
  for (const e of edges) {
    if (e.source === nodeId && e.sourceHandle && afterSet.has(e.sourceHandle))
      used.add(e.sourceHandle);
  }
  let changed = false;
  const next: DesignerEdge[] = [];
  for (const e of edges) {
    if (e.source !== nodeId || (e.sourceHandle && afterSet.has(e.sourceHandle))) {
      next.push(e);
      continue;
    }
    changed = true;
    const index = e.sourceHandle ? before.indexOf(e.sourceHandle) : -1;
    const moved = before.length === after.length && index >= 0 ? after[index] : undefined;
    if (moved && !used.has(moved)) {
      used.add(moved);
      next.push({ ...e, sourceHandle: moved });
    }
  }
  return changed ? next : edges;
}

/**
 * After a type-version upgrade: drops the edges of a node's outcomes that no longer exist; never
 * moves an edge to another (a new version's outcomes mean something else by position).
 */
export function reconcileKeptOutcomeEdges(
  edges: DesignerEdge[],
  nodeId: string,
  before: string[],
  after: string[],
): DesignerEdge[] {
  const gone = new Set(before.filter((id) => !after.includes(id)));
  if (gone.size === 0) return edges;
  return edges.filter((e) => !(e.source === nodeId && e.sourceHandle && gone.has(e.sourceHandle)));
}
