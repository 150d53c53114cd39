/**
 * The editor's state: one zustand store per open flow (or version, or run), whose actions are the
 * only code that writes it — components, the autosaver and the diff view all go through them, so
 * every change to the document passes the read-only check and lands in the undo history. The
 * rules the actions apply live beside it by concern: document-mapping.ts (document ⇄ canvas),
 * history.ts (undo steps), outcome-edges.ts (edges per outcome), node-issues.ts (badges), ids.ts.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import type { FlowDocument, Scenario, ScenarioResult } from '@switchboard/flow';
import { createStore } from 'zustand/vanilla';
import { newerNodeType, nodeType } from '../catalogue.js';
import {
  copyPayload,
  emptyDocument,
  fromDocument,
  newCanvasNode,
  pastedElements,
  toFlowDocument,
  type ClipboardPayload,
  type DesignerEdge,
  type DesignerNode,
  type DiffState,
  type DocumentMeta,
} from './document-mapping.js';
import { createHistory, type Snapshot } from './history.js';
import {
  withAcceptedResult,
  withRenamedScenario,
  withScenarios,
  withoutScenario,
} from './scenarioEdits.js';
import { issuesByNode, type Issue } from './node-issues.js';
import { upgradedConfig } from './nodeUpgrade.js';
import {
  canConnect,
  connectOutcome,
  outcomeIds,
  reconcileKeptOutcomeEdges,
  reconcileOutcomeEdges,
} from './outcome-edges.js';

export {
  emptyDocument,
  NODE_KIND,
  TARGET_HANDLE,
  toCanvasEdge,
  toCanvasNode,
  toDocumentEdge,
  toDocumentNode,
  type ClipboardPayload,
  type DesignerEdge,
  type DesignerNode,
  type DiffState,
  type FlowEdgeData,
  type FlowNodeData,
} from './document-mapping.js';
export { edgeIdFor, newNodeId } from './ids.js';
export type { Issue } from './node-issues.js';

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
  /** Appends scenarios (renamed where a name is taken): one undo step. */
  addScenarios(scenarios: readonly Scenario[]): void;
  /** Renames a scenario; false (nothing changed) if the name is empty or taken. */
  renameScenario(from: string, to: string): boolean;
  deleteScenario(name: string): void;
  /** A scenario expects what the flow does now (`result`, from running it): one undo step. */
  acceptScenarioResult(name: string, result: ScenarioResult): void;
  /** The per-flow setting "publishing is refused while a scenario fails". */
  setScenariosMustPass(mustPass: boolean): void;
  /**
   * Takes in scenarios someone added to the saved draft on the server (Save as test on a call):
   * into the document and into every undo and redo step, so that neither undo nor the next save
   * drops them. Not an undo step of its own — it is not this editor's edit.
   */
  mergeScenarios(scenarios: readonly Scenario[]): void;
  /** Replaces the content with a merged document (one undo step; selection is kept by id). */
  replaceDocument(document: FlowDocument): void;
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
  /** Marks nodes and edges with their diff state, for colouring (a read-only comparison). */
  markDiff(nodeStates: Map<string, DiffState>, edgeStates: Map<string, DiffState>): void;
}

/** The same elements with none selected (unchanged ones kept, so they don't re-render). */
function deselected<T extends { selected?: boolean }>(items: T[]): T[] {
  return items.map((item) => (item.selected ? { ...item, selected: false } : item));
}

export type EditorStore = ReturnType<typeof createEditorStore>;

export function createEditorStore(initial?: FlowDocument, options?: { readOnly?: boolean }) {
  const history = createHistory();
  let dragging = false;
  let pasteCount: { stamp: string; count: number } | undefined;

  return createStore<EditorState>()((set, get) => {
    /** Saves the current state for undo and applies a document change. */
    const commit = (next: Partial<Snapshot>, coalesceKey?: string) => {
      const state = get();
      if (state.readOnly) return;
      set({ ...next, ...history.record(state, coalesceKey) });
    };

    return {
      ...fromDocument(initial ?? emptyDocument()),
      readOnly: options?.readOnly ?? false,
      past: [],
      future: [],
      version: 0,
      issues: [],
      nodeIssues: {},

      load(document, loadOptions) {
        dragging = false;
        history.reset();
        set({
          ...fromDocument(document),
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
        const { meta, nodes, edges } = get();
        return toFlowDocument(meta, nodes, edges);
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
        return !state.readOnly && canConnect(state.nodes, connection);
      },

      connect(connection) {
        const state = get();
        if (!state.isValidConnection(connection)) return;
        commit({
          edges: connectOutcome(state.edges, {
            ...connection,
            sourceHandle: connection.sourceHandle!,
          }),
        });
      },

      addNode(type, position) {
        const state = get();
        if (state.readOnly) return undefined;
        const ids = new Set(state.nodes.map((n) => n.id));
        const node = newCanvasNode(type, position, (candidate) => ids.has(candidate));
        commit({ nodes: [...deselected(state.nodes), node], edges: deselected(state.edges) });
        return node.id;
      },

      updateConfig(nodeId, config, coalesceKey) {
        const state = get();
        const node = state.nodes.find((n) => n.id === nodeId);
        if (!node || state.readOnly) return;
        const { type, typeVersion } = node.data;
        const before = outcomeIds(type, node.data.config, typeVersion);
        const after = outcomeIds(type, config, typeVersion);
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
        const before = outcomeIds(type, config, typeVersion);
        const after = outcomeIds(type, next, to.version);
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

      addScenarios(scenarios) {
        if (scenarios.length === 0) return;
        commit({ meta: withScenarios(get().meta, scenarios) });
      },

      renameScenario(from, to) {
        const meta = withRenamedScenario(get().meta, from, to);
        if (!meta || get().readOnly) return false;
        commit({ meta });
        return true;
      },

      deleteScenario(name) {
        const { meta } = get();
        if (!meta.scenarios?.some((s) => s.name === name)) return;
        commit({ meta: withoutScenario(meta, name) });
      },

      acceptScenarioResult(name, result) {
        if (get().readOnly) return;
        const meta = withAcceptedResult(get().meta, name, result);
        if (meta) commit({ meta });
      },

      setScenariosMustPass(mustPass) {
        const { scenariosMustPass: _old, ...rest } = get().meta;
        // Off is the default: the key goes, so a document that never used it stays as it was.
        commit({ meta: mustPass ? { ...rest, scenariosMustPass: true } : rest });
      },

      mergeScenarios(scenarios) {
        if (scenarios.length === 0) return;
        const state = get();
        const merge = (snapshot: Snapshot): Snapshot => ({
          ...snapshot,
          meta: withScenarios(snapshot.meta, scenarios),
        });
        set({
          meta: withScenarios(state.meta, scenarios),
          past: state.past.map(merge),
          future: state.future.map(merge),
          version: state.version + 1,
        });
      },

      replaceDocument(document) {
        const state = get();
        const selected = new Set(state.nodes.filter((n) => n.selected).map((n) => n.id));
        const next = fromDocument(document);
        commit({
          ...next,
          nodes: next.nodes.map((n) => (selected.has(n.id) ? { ...n, selected: true } : n)),
        });
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
          edges: deselected(state.edges),
        });
      },

      selectEdge(edgeId) {
        const state = get();
        set({
          nodes: deselected(state.nodes),
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
        return copyPayload(state.nodes, state.edges);
      },

      paste(payload) {
        const state = get();
        if (state.readOnly || payload.nodes.length === 0) return;
        const count = pasteCount?.stamp === payload.stamp ? pasteCount.count + 1 : 1;
        pasteCount = { stamp: payload.stamp, count };
        const taken = new Set(state.nodes.map((n) => n.id));
        const pasted = pastedElements(payload, taken, 40 * count);
        commit({
          nodes: [...deselected(state.nodes), ...pasted.nodes],
          edges: [...deselected(state.edges), ...pasted.edges],
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
        if (state.readOnly) return;
        const previous = history.undo(state);
        if (previous) set(previous);
      },

      redo() {
        const state = get();
        if (state.readOnly) return;
        const next = history.redo(state);
        if (next) set(next);
      },

      setIssues(issues) {
        set({ issues, nodeIssues: issuesByNode(issues, get().nodeIssues) });
      },

      markDiff(nodeStates, edgeStates) {
        const { nodes, edges } = get();
        set({
          nodes: nodes.map((n) => {
            const diff = nodeStates.get(n.id);
            return diff ? { ...n, data: { ...n.data, diff } } : n;
          }),
          edges: edges.map((e) => {
            const diff = edgeStates.get(e.id);
            return diff
              ? { ...e, data: { ...e.data, diff }, className: `sb-edge-diff--${diff}` }
              : e;
          }),
        });
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
  store.getState().markDiff(nodeStates, edgeStates);
}
