import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import type { FlowDocument, ValidationIssue } from '@switchboard/flow';
import { createStore } from 'zustand/vanilla';
import {
  defaultConfig,
  isTerminal,
  isTrigger,
  latestTypeVersion,
  newerNodeType,
  nodeType,
  outcomesFor,
} from '../catalogue.js';
import { upgradedConfig } from './nodeUpgrade.js';

export type DiffState = 'added' | 'removed' | 'changed';

/** What a canvas node carries: only the serialisable parts of a flow node (no functions). */
export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  /** The node type version the node runs with; absent: version 1 (a document from before versions). */
  typeVersion?: number;
  label?: string;
  config: Record<string, unknown>;
  diff?: DiffState;
}
export interface FlowEdgeData extends Record<string, unknown> {
  diff?: DiffState;
}

export const NODE_KIND = 'flow';
export const TARGET_HANDLE = 'in';

export type DesignerNode = Node<FlowNodeData, typeof NODE_KIND>;
export type DesignerEdge = Edge<FlowEdgeData>;

/** A validator issue (`validateFlow` of @switchboard/flow). */
export type Issue = ValidationIssue;

export interface ClipboardPayload {
  kind: 'switchboard/nodes';
  /** Distinguishes one copy from the next, so repeated pastes of the same copy step aside. */
  stamp: string;
  nodes: FlowDocument['nodes'];
  edges: FlowDocument['edges'];
}

interface Snapshot {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  meta: DocumentMeta;
}

type DocumentMeta = Omit<FlowDocument, 'nodes' | 'edges'>;

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

export interface EditorState {
  meta: DocumentMeta;
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  readOnly: boolean;
  past: Snapshot[];
  future: Snapshot[];
  /** Increases with every change to the document (not selection); autosave and validation follow it. */
  version: number;
  issues: Issue[];
  /** Issues per node id, for the badges; arrays are reused while unchanged so nodes don't re-render. */
  nodeIssues: Record<string, Issue[]>;

  load(doc: FlowDocument, options?: { readOnly?: boolean }): void;
  setReadOnly(readOnly: boolean): void;
  toDocument(): FlowDocument;

  onNodesChange(changes: NodeChange<DesignerNode>[]): void;
  onEdgesChange(changes: EdgeChange<DesignerEdge>[]): void;
  isValidConnection(connection: Connection | Edge): boolean;
  connect(connection: Connection): void;

  addNode(type: string, position: XYPosition): string | undefined;
  updateConfig(nodeId: string, config: Record<string, unknown>, coalesceKey?: string): void;
  updateLabel(nodeId: string, label: string): void;
  /** Moves a node to the latest version of its type (one undo step). */
  upgradeNode(nodeId: string): void;
  setName(name: string): void;
  setDescription(description: string): void;
  deleteSelection(): void;
  deleteElements(nodeIds: string[], edgeIds?: string[]): void;
  selectNode(nodeId: string | undefined): void;
  selectEdge(edgeId: string): void;
  selectAll(): void;
  copySelection(): ClipboardPayload | undefined;
  paste(payload: ClipboardPayload): void;
  setPositions(positions: Map<string, XYPosition>): void;

  undo(): void;
  redo(): void;

  setIssues(issues: Issue[]): void;
}

export const emptyDocument = (name = 'Untitled flow'): FlowDocument => ({
  schemaVersion: 1,
  name,
  nodes: [],
  edges: [],
});

export function toCanvasNode(node: FlowDocument['nodes'][number]): DesignerNode {
  const data: FlowNodeData = { type: node.type, config: node.config };
  if (node.typeVersion !== undefined) data.typeVersion = node.typeVersion;
  if (node.label !== undefined) data.label = node.label;
  return { id: node.id, type: NODE_KIND, position: { ...node.position }, data };
}

export function toCanvasEdge(edge: FlowDocument['edges'][number]): DesignerEdge {
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceOutcome,
    target: edge.target,
    targetHandle: TARGET_HANDLE,
  };
}

export function toDocumentNode(node: DesignerNode): FlowDocument['nodes'][number] {
  const out: FlowDocument['nodes'][number] = {
    id: node.id,
    type: node.data.type,
    ...(node.data.typeVersion !== undefined ? { typeVersion: node.data.typeVersion } : {}),
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    config: node.data.config,
  };
  if (node.data.label !== undefined && node.data.label !== '') out.label = node.data.label;
  return out;
}

export function toDocumentEdge(edge: DesignerEdge): FlowDocument['edges'][number] {
  return {
    id: edge.id,
    source: edge.source,
    sourceOutcome: edge.sourceHandle ?? '',
    target: edge.target,
  };
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 7);
}

export function newNodeId(type: string, taken: (id: string) => boolean): string {
  const base = (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9]/g, '') || 'node';
  for (;;) {
    const id = `${base}-${randomSuffix()}`;
    if (!taken(id)) return id;
  }
}

export function edgeIdFor(source: string, outcome: string): string {
  return `${source}:${outcome}`;
}

function sameIssues(a: Issue[] | undefined, b: Issue[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every(
    (x, i) =>
      x.message === b[i]!.message &&
      x.severity === b[i]!.severity &&
      x.path.join('.') === b[i]!.path.join('.'),
  );
}

/**
 * Keeps a node's edges in step with its outcomes after a config change: edges of outcomes that
 * still exist stay; when the outcome list kept its length, an edge follows its outcome's position
 * (a menu choice whose digit changed keeps its edge); edges of removed outcomes go.
 */
function reconcileOutcomeEdges(
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

/** New nodes record the latest version of their type (nothing for a type the catalogue lacks). */
function typeVersionOf(type: string): { typeVersion?: number } {
  const typeVersion = latestTypeVersion(type);
  return typeVersion === undefined ? {} : { typeVersion };
}

/** Drops the edges of a node's outcomes that no longer exist; never moves an edge to another. */
function reconcileKeptOutcomeEdges(
  edges: DesignerEdge[],
  nodeId: string,
  before: string[],
  after: string[],
): DesignerEdge[] {
  const gone = new Set(before.filter((id) => !after.includes(id)));
  if (gone.size === 0) return edges;
  return edges.filter((e) => !(e.source === nodeId && e.sourceHandle && gone.has(e.sourceHandle)));
}

export type EditorStore = ReturnType<typeof createEditorStore>;

export function createEditorStore(initial?: FlowDocument, options?: { readOnly?: boolean }) {
  let dragging = false;
  let lastCoalesce: { key: string; at: number } | undefined;
  let pasteCount: { stamp: string; count: number } | undefined;

  return createStore<EditorState>()((set, get) => {
    /** Saves the current state for undo and applies a document change. */
    const commit = (next: Partial<Snapshot>, coalesceKey?: string) => {
      const state = get();
      if (state.readOnly) return;
      const now = Date.now();
      const coalesce =
        coalesceKey !== undefined &&
        lastCoalesce?.key === coalesceKey &&
        now - lastCoalesce.at < COALESCE_MS;
      lastCoalesce = coalesceKey !== undefined ? { key: coalesceKey, at: now } : undefined;
      const past = coalesce
        ? state.past
        : [...state.past, { nodes: state.nodes, edges: state.edges, meta: state.meta }].slice(
            -HISTORY_LIMIT,
          );
      set({ ...next, past, future: [], version: state.version + 1 });
    };

    const doc = initial ?? emptyDocument();
    const { nodes: _n, edges: _e, ...meta } = doc;

    return {
      meta,
      nodes: doc.nodes.map(toCanvasNode),
      edges: doc.edges.map(toCanvasEdge),
      readOnly: options?.readOnly ?? false,
      past: [],
      future: [],
      version: 0,
      issues: [],
      nodeIssues: {},

      load(document, loadOptions) {
        const { nodes, edges, ...documentMeta } = document;
        dragging = false;
        lastCoalesce = undefined;
        set({
          meta: documentMeta,
          nodes: nodes.map(toCanvasNode),
          edges: edges.map(toCanvasEdge),
          readOnly: loadOptions?.readOnly ?? false,
          past: [],
          future: [],
          version: get().version + 1,
        });
      },

      setReadOnly(readOnly) {
        set({ readOnly });
      },

      toDocument() {
        const { meta: documentMeta, nodes, edges } = get();
        return {
          ...documentMeta,
          nodes: nodes.filter((n) => n.data.diff !== 'removed').map(toDocumentNode),
          edges: edges.filter((e) => e.data?.diff !== 'removed').map(toDocumentEdge),
        };
      },

      onNodesChange(changes) {
        const state = get();
        const structural = changes.filter(
          (c) => c.type === 'remove' || c.type === 'add' || c.type === 'replace',
        );
        const moves = changes.filter((c) => c.type === 'position');
        if (state.readOnly) {
          const allowed = changes.filter((c) => c.type === 'select' || c.type === 'dimensions');
          if (allowed.length > 0) set({ nodes: applyNodeChanges(allowed, state.nodes) });
          return;
        }
        if (structural.length > 0) {
          const removed = new Set(structural.filter((c) => c.type === 'remove').map((c) => c.id));
          commit({
            nodes: applyNodeChanges(changes, state.nodes),
            edges: removed.size
              ? state.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target))
              : state.edges,
          });
          return;
        }
        if (moves.length > 0) {
          const nodes = applyNodeChanges(changes, state.nodes);
          const stillDragging = moves.some((c) => c.type === 'position' && c.dragging);
          if (stillDragging && !dragging) {
            dragging = true;
            commit({ nodes }); // one undo step per drag, taken when it starts
            return;
          }
          if (stillDragging) {
            set({ nodes });
            return;
          }
          if (dragging) {
            dragging = false;
            set({ nodes, version: state.version + 1 });
            return;
          }
          commit({ nodes }, 'nudge'); // keyboard moves: one undo step per burst
          return;
        }
        set({ nodes: applyNodeChanges(changes, state.nodes) });
      },

      onEdgesChange(changes) {
        const state = get();
        const selection = changes.filter((c) => c.type === 'select');
        if (state.readOnly || selection.length === changes.length) {
          if (selection.length > 0) set({ edges: applyEdgeChanges(selection, state.edges) });
          return;
        }
        commit({ edges: applyEdgeChanges(changes, state.edges) });
      },

      isValidConnection(connection) {
        const state = get();
        if (state.readOnly || !connection.source || !connection.target) return false;
        const source = state.nodes.find((n) => n.id === connection.source);
        const target = state.nodes.find((n) => n.id === connection.target);
        if (!source || !target) return false;
        if (
          isTerminal(source.data.type, source.data.typeVersion) ||
          isTrigger(target.data.type, target.data.typeVersion)
        ) {
          return false;
        }
        const outcomes = outcomesFor(source.data.type, source.data.config, source.data.typeVersion);
        return outcomes.some((o) => o.id === connection.sourceHandle);
      },

      connect(connection) {
        const state = get();
        if (!state.isValidConnection(connection)) return;
        const outcome = connection.sourceHandle!;
        // An outcome holds one edge: connecting it again moves the edge.
        const kept = state.edges.filter(
          (e) => !(e.source === connection.source && e.sourceHandle === outcome),
        );
        let id = edgeIdFor(connection.source, outcome);
        while (kept.some((e) => e.id === id)) id = `${id}-${randomSuffix()}`;
        commit({
          edges: [
            ...kept,
            {
              id,
              source: connection.source,
              sourceHandle: outcome,
              target: connection.target,
              targetHandle: TARGET_HANDLE,
            },
          ],
        });
      },

      addNode(type, position) {
        const state = get();
        if (state.readOnly) return undefined;
        const ids = new Set(state.nodes.map((n) => n.id));
        const id = newNodeId(type, (candidate) => ids.has(candidate));
        const node: DesignerNode = {
          id,
          type: NODE_KIND,
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          data: { type, ...typeVersionOf(type), config: defaultConfig(type) },
          selected: true,
        };
        commit({
          nodes: [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
          edges: state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
        return id;
      },

      updateConfig(nodeId, config, coalesceKey) {
        const state = get();
        const node = state.nodes.find((n) => n.id === nodeId);
        if (!node || state.readOnly) return;
        const { type, typeVersion } = node.data;
        const before = outcomesFor(type, node.data.config, typeVersion).map((o) => o.id);
        const after = outcomesFor(type, config, typeVersion).map((o) => o.id);
        const outcomesChanged = before.join('\n') !== after.join('\n');
        commit(
          {
            nodes: state.nodes.map((n) =>
              n.id === nodeId ? { ...n, data: { ...n.data, config } } : n,
            ),
            edges: reconcileOutcomeEdges(state.edges, nodeId, before, after),
          },
          // Typing in one node's fields is one undo step; a change of its outcomes is its own.
          outcomesChanged ? undefined : (coalesceKey ?? `config:${nodeId}`),
        );
      },

      updateLabel(nodeId, label) {
        const state = get();
        commit(
          {
            nodes: state.nodes.map((n) => {
              if (n.id !== nodeId) return n;
              const data = { ...n.data };
              if (label === '') delete data.label;
              else data.label = label;
              return { ...n, data };
            }),
          },
          `label:${nodeId}`,
        );
      },

      upgradeNode(nodeId) {
        const state = get();
        const node = state.nodes.find((n) => n.id === nodeId);
        if (!node || state.readOnly) return;
        const { type, typeVersion, config } = node.data;
        const from = nodeType(type, typeVersion);
        const to = newerNodeType(type, typeVersion);
        if (!from || !to) return;
        const next = upgradedConfig(from, to, config);
        const before = outcomesFor(type, config, typeVersion).map((o) => o.id);
        const after = outcomesFor(type, next, to.version).map((o) => o.id);
        commit({
          nodes: state.nodes.map((n) =>
            n.id === nodeId
              ? { ...n, data: { ...n.data, typeVersion: to.version, config: next } }
              : n,
          ),
          // Outcomes the new version no longer has lose their edges; the rest keep theirs.
          edges: reconcileKeptOutcomeEdges(state.edges, nodeId, before, after),
        });
      },

      setName(name) {
        commit({ meta: { ...get().meta, name } }, 'name');
      },

      setDescription(description) {
        const { description: _old, ...rest } = get().meta;
        commit({ meta: description === '' ? rest : { ...rest, description } }, 'description');
      },

      deleteSelection() {
        const state = get();
        state.deleteElements(
          state.nodes.filter((n) => n.selected).map((n) => n.id),
          state.edges.filter((e) => e.selected).map((e) => e.id),
        );
      },

      deleteElements(nodeIds, edgeIds = []) {
        const state = get();
        if (nodeIds.length === 0 && edgeIds.length === 0) return;
        const nodes = new Set(nodeIds);
        const edges = new Set(edgeIds);
        commit({
          nodes: state.nodes.filter((n) => !nodes.has(n.id)),
          edges: state.edges.filter(
            (e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target),
          ),
        });
      },

      selectNode(nodeId) {
        const state = get();
        set({
          nodes: state.nodes.map((n) =>
            (n.id === nodeId) === Boolean(n.selected) ? n : { ...n, selected: n.id === nodeId },
          ),
          edges: state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
      },

      selectEdge(edgeId) {
        const state = get();
        set({
          nodes: state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          edges: state.edges.map((e) =>
            (e.id === edgeId) === Boolean(e.selected) ? e : { ...e, selected: e.id === edgeId },
          ),
        });
      },

      selectAll() {
        const state = get();
        set({
          nodes: state.nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
          edges: state.edges.map((e) => (e.selected ? e : { ...e, selected: true })),
        });
      },

      copySelection() {
        const state = get();
        const nodes = state.nodes.filter((n) => n.selected);
        if (nodes.length === 0) return undefined;
        const ids = new Set(nodes.map((n) => n.id));
        return {
          kind: 'switchboard/nodes',
          stamp: `${Date.now()}-${randomSuffix()}`,
          nodes: nodes.map(toDocumentNode),
          edges: state.edges
            .filter((e) => ids.has(e.source) && ids.has(e.target))
            .map(toDocumentEdge),
        };
      },

      paste(payload) {
        const state = get();
        if (state.readOnly || payload.nodes.length === 0) return;
        const count = pasteCount?.stamp === payload.stamp ? pasteCount.count + 1 : 1;
        pasteCount = { stamp: payload.stamp, count };
        const offset = 40 * count;
        const taken = new Set(state.nodes.map((n) => n.id));
        const idMap = new Map<string, string>();
        for (const node of payload.nodes) {
          const id = newNodeId(node.type, (candidate) => taken.has(candidate));
          taken.add(id);
          idMap.set(node.id, id);
        }
        const pasted = payload.nodes.map((node) => ({
          ...toCanvasNode({
            ...node,
            id: idMap.get(node.id)!,
            position: { x: node.position.x + offset, y: node.position.y + offset },
            config: structuredClone(node.config),
          }),
          selected: true,
        }));
        const pastedEdges = payload.edges
          .filter((e) => idMap.has(e.source) && idMap.has(e.target))
          .map((e) => ({
            ...toCanvasEdge({
              ...e,
              id: edgeIdFor(idMap.get(e.source)!, e.sourceOutcome),
              source: idMap.get(e.source)!,
              target: idMap.get(e.target)!,
            }),
          }));
        commit({
          nodes: [
            ...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
            ...pasted,
          ],
          edges: [
            ...state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
            ...pastedEdges,
          ],
        });
      },

      setPositions(positions) {
        const state = get();
        commit({
          nodes: state.nodes.map((n) => {
            const p = positions.get(n.id);
            return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
          }),
        });
      },

      undo() {
        const state = get();
        const previous = state.past.at(-1);
        if (!previous || state.readOnly) return;
        lastCoalesce = undefined;
        set({
          ...previous,
          past: state.past.slice(0, -1),
          future: [{ nodes: state.nodes, edges: state.edges, meta: state.meta }, ...state.future],
          version: state.version + 1,
        });
      },

      redo() {
        const state = get();
        const next = state.future[0];
        if (!next || state.readOnly) return;
        lastCoalesce = undefined;
        set({
          ...next,
          past: [...state.past, { nodes: state.nodes, edges: state.edges, meta: state.meta }],
          future: state.future.slice(1),
          version: state.version + 1,
        });
      },

      setIssues(issues) {
        const previous = get().nodeIssues;
        const grouped: Record<string, Issue[]> = {};
        for (const issue of issues) {
          if (issue.nodeId) (grouped[issue.nodeId] ??= []).push(issue);
        }
        for (const [id, list] of Object.entries(grouped)) {
          if (sameIssues(previous[id], list)) grouped[id] = previous[id]!;
        }
        set({ issues, nodeIssues: grouped });
      },
    };
  });
}

/** Marks nodes and edges of a (read-only) store with their diff state, for colouring. */
export function markDiff(
  store: EditorStore,
  nodeStates: Map<string, DiffState>,
  edgeStates: Map<string, DiffState>,
): void {
  const { nodes, edges } = store.getState();
  store.setState({
    nodes: nodes.map((n) => {
      const diff = nodeStates.get(n.id);
      return diff ? { ...n, data: { ...n.data, diff } } : n;
    }),
    edges: edges.map((e) => {
      const diff = edgeStates.get(e.id);
      return diff ? { ...e, data: { ...e.data, diff }, className: `sb-edge-diff--${diff}` } : e;
    }),
  });
}
