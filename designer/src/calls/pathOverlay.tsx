import { ViewportPortal } from '@xyflow/react';
import { createContext, memo, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useEditor } from '../editor/context.js';
import type { DesignerEdge, DesignerNode } from '../editor/store.js';
import { endReasonText } from './runFormat.js';
import { pathDecorations, type PathDecorations, type RunPath } from './runPath.js';

/**
 * A run's path drawn over a canvas (the run view's, or the editor's during a test call). It lives
 * in its own small store, beside the editor store: it is never part of the flow document, the
 * undo history or autosave, and only the canvas subscribes to it.
 */
export interface PathOverlayState {
  path: RunPath | null;
  decorations: PathDecorations | null;
  setPath(path: RunPath | null): void;
}

export type PathOverlayStore = StoreApi<PathOverlayState>;

export function createPathOverlayStore(): PathOverlayStore {
  return createStore<PathOverlayState>()((set) => ({
    path: null,
    decorations: null,
    setPath(path) {
      set({ path, decorations: path ? pathDecorations(path) : null });
    },
  }));
}

const PathOverlayContext = createContext<PathOverlayStore | null>(null);
export const PathOverlayProvider = PathOverlayContext.Provider;

/** Canvases without an overlay (publish diff, plain editing) read this empty one. */
const noOverlay = createPathOverlayStore();

export function usePathOverlay<T>(selector: (state: PathOverlayState) => T): T {
  return useStore(useContext(PathOverlayContext) ?? noOverlay, selector);
}

const join = (a: string | undefined, b: string) => (a ? `${a} ${b}` : b);

/**
 * Decorated copies by source object. Canvas objects belong to one editor store each, so one
 * cache serves every canvas; entries go with their source objects.
 */
const nodeCache = new WeakMap<DesignerNode, { key: string; node: DesignerNode }>();
const edgeCache = new WeakMap<DesignerEdge, { key: string; edge: DesignerEdge }>();

/**
 * The canvas's nodes and edges with the path's classes and edge labels added. Only React Flow
 * sees the copies; the editor store keeps its own objects. A copy is reused while its source
 * object and its decoration are unchanged, so a new step re-renders only the nodes and edges
 * whose marks changed (and the memoized node view not even those: its data is the same).
 */
export function useDecoratedElements(
  nodes: DesignerNode[],
  edges: DesignerEdge[],
): { nodes: DesignerNode[]; edges: DesignerEdge[] } {
  const decorations = usePathOverlay((s) => s.decorations);

  const decoratedNodes = useMemo(() => {
    if (!decorations || decorations.nodes.size === 0) return nodes;
    return nodes.map((node) => {
      const mark = decorations.nodes.get(node.id);
      if (!mark) return node;
      const hit = nodeCache.get(node);
      if (hit?.key === mark.className) return hit.node;
      const copy = { ...node, className: join(node.className, mark.className) };
      nodeCache.set(node, { key: mark.className, node: copy });
      return copy;
    });
  }, [nodes, decorations]);

  const decoratedEdges = useMemo(() => {
    if (!decorations || decorations.edges.size === 0) return edges;
    return edges.map((edge) => {
      const mark = decorations.edges.get(edge.id);
      if (!mark) return edge;
      const key = `${mark.className}\u0000${mark.label}`;
      const hit = edgeCache.get(edge);
      if (hit?.key === key) return hit.edge;
      const copy: DesignerEdge = {
        ...edge,
        className: join(edge.className, mark.className),
        label: mark.label,
        labelShowBg: true,
        labelBgPadding: [4, 2],
        labelBgBorderRadius: 4,
        labelBgStyle: labelBackground,
        labelStyle: labelText,
        // Drawn over the edges not taken.
        zIndex: 1,
      };
      edgeCache.set(edge, { key, edge: copy });
      return copy;
    });
  }, [edges, decorations]);

  return { nodes: decoratedNodes, edges: decoratedEdges };
}

const labelBackground = { fill: '#fff4ce' };
const labelText = { fontSize: 11, fontWeight: 600 };

/**
 * Flags above the nodes where the run is now and where it ended (with the end reason), placed in
 * flow coordinates so they pan and zoom with the canvas without touching the node views.
 */
function PathMarkersInner() {
  const current = usePathOverlay((s) => s.path?.currentNodeId ?? null);
  const endNode = usePathOverlay((s) => s.path?.endNodeId ?? null);
  const endReason = usePathOverlay((s) => s.path?.endReason ?? null);
  const ended = usePathOverlay((s) => s.path?.ended ?? false);
  const currentAt = useEditor((s) =>
    current ? s.nodes.find((n) => n.id === current)?.position : undefined,
  );
  const endAt = useEditor((s) =>
    endNode ? s.nodes.find((n) => n.id === endNode)?.position : undefined,
  );
  if (!currentAt && !endAt) return null;
  return (
    <ViewportPortal>
      {currentAt && !ended && (
        <div
          className="sb-path-flag sb-path-flag--current"
          style={{ transform: `translate(${currentAt.x}px, ${currentAt.y - 26}px)` }}
          data-node-id={current}
          role="status"
        >
          Call is here
        </div>
      )}
      {endAt && ended && (
        <div
          className="sb-path-flag sb-path-flag--ended"
          style={{ transform: `translate(${endAt.x}px, ${endAt.y - 26}px)` }}
          data-node-id={endNode}
          role="status"
        >
          Ended: {endReasonText(endReason) || 'unknown'}
        </div>
      )}
    </ViewportPortal>
  );
}

export const PathMarkers = memo(PathMarkersInner);
