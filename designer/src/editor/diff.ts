import { DEFAULT_TYPE_VERSION, type FlowDocument } from '@switchboard/flow';
import { nodeType } from '../catalogue.js';
import { humanize } from '../forms/schema.js';
import { describeField } from '../forms/schema.js';
import type * as z from 'zod';

export interface NodeChangeSummary {
  nodeId: string;
  name: string;
  state: 'added' | 'removed' | 'changed';
  /** Changed settings, by their titles from the catalogue. */
  settings: { field: string; before: string; after: string }[];
}

export interface FlowDiff {
  /** The draft with the published version's removed nodes and edges added back, marked for colouring. */
  merged: FlowDocument;
  nodeStates: Map<string, 'added' | 'removed' | 'changed'>;
  edgeStates: Map<string, 'added' | 'removed' | 'changed'>;
  changes: NodeChangeSummary[];
  edgeChanges: { added: number; removed: number; changed: number };
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : x,
  );

function show(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function fieldTitle(type: string, typeVersion: number | undefined, key: string): string {
  const schema = nodeType(type, typeVersion)?.configSchema.shape[key] as z.ZodType | undefined;
  return schema ? (describeField(schema).meta.title ?? humanize(key)) : humanize(key);
}

const edgeKey = (e: FlowDocument['edges'][number]) => `${e.source}\u0000${e.sourceOutcome}`;

/**
 * Draft vs the latest published version: nodes by id (added, removed, or changed in type, type
 * version, label or settings; moves are not changes), edges by source outcome (added, removed, or re-targeted).
 */
export function diffFlows(published: FlowDocument | undefined, draft: FlowDocument): FlowDiff {
  const before = new Map((published?.nodes ?? []).map((n) => [n.id, n]));
  const after = new Map(draft.nodes.map((n) => [n.id, n]));
  const nodeStates = new Map<string, 'added' | 'removed' | 'changed'>();
  const changes: NodeChangeSummary[] = [];
  const nameOf = (n: FlowDocument['nodes'][number]) => n.label || nodeType(n.type)?.label || n.type;

  for (const node of draft.nodes) {
    const old = before.get(node.id);
    if (!old) {
      nodeStates.set(node.id, 'added');
      changes.push({ nodeId: node.id, name: nameOf(node), state: 'added', settings: [] });
      continue;
    }
    const settings: NodeChangeSummary['settings'] = [];
    if (old.type !== node.type)
      settings.push({ field: 'Node type', before: old.type, after: node.type });
    // An upgraded node behaves differently even with the same settings: publishing shows it.
    const oldVersion = old.typeVersion ?? DEFAULT_TYPE_VERSION;
    const newVersion = node.typeVersion ?? DEFAULT_TYPE_VERSION;
    if (oldVersion !== newVersion) {
      settings.push({
        field: 'Node type version',
        before: String(oldVersion),
        after: String(newVersion),
      });
    }
    if ((old.label ?? '') !== (node.label ?? '')) {
      settings.push({
        field: 'Label',
        before: show(old.label ?? ''),
        after: show(node.label ?? ''),
      });
    }
    const keys = new Set([...Object.keys(old.config), ...Object.keys(node.config)]);
    for (const key of keys) {
      if (stable(old.config[key]) !== stable(node.config[key])) {
        settings.push({
          field: fieldTitle(node.type, node.typeVersion, key),
          before: show(old.config[key]),
          after: show(node.config[key]),
        });
      }
    }
    if (settings.length > 0) {
      nodeStates.set(node.id, 'changed');
      changes.push({ nodeId: node.id, name: nameOf(node), state: 'changed', settings });
    }
  }
  const removedNodes = (published?.nodes ?? []).filter((n) => !after.has(n.id));
  for (const node of removedNodes) {
    nodeStates.set(node.id, 'removed');
    changes.push({ nodeId: node.id, name: nameOf(node), state: 'removed', settings: [] });
  }

  const oldEdges = new Map((published?.edges ?? []).map((e) => [edgeKey(e), e]));
  const newEdges = new Map(draft.edges.map((e) => [edgeKey(e), e]));
  const edgeStates = new Map<string, 'added' | 'removed' | 'changed'>();
  const edgeChanges = { added: 0, removed: 0, changed: 0 };
  for (const edge of draft.edges) {
    const old = oldEdges.get(edgeKey(edge));
    if (!old) {
      edgeStates.set(edge.id, 'added');
      edgeChanges.added++;
    } else if (old.target !== edge.target) {
      edgeStates.set(edge.id, 'changed');
      edgeChanges.changed++;
    }
  }
  const removedEdges: FlowDocument['edges'] = [];
  const draftEdgeIds = new Set(draft.edges.map((e) => e.id));
  for (const edge of published?.edges ?? []) {
    if (newEdges.has(edgeKey(edge))) continue;
    let id = edge.id;
    while (draftEdgeIds.has(id)) id = `${id}~removed`;
    removedEdges.push({ ...edge, id });
    edgeStates.set(id, 'removed');
    edgeChanges.removed++;
  }

  return {
    merged: {
      ...draft,
      nodes: [...draft.nodes, ...removedNodes],
      edges: [...draft.edges, ...removedEdges],
    },
    nodeStates,
    edgeStates,
    changes,
    edgeChanges,
  };
}
