import { ViewportPortal } from '@xyflow/react';
import { createContext, memo, useContext, useMemo, type CSSProperties } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useEditor } from '../editor/context.js';
import type { DesignerEdge, DesignerNode } from '../editor/store.js';
import { endReasonText } from './runFormat.js';
import { pathDecorations, type RunPath } from './runPath.js';

/**
 * What the canvas draws over a flow without it being part of the flow: a run's path (the run
 * view's, or the editor's during a test call) and layers beside it — coverage, traffic, two paths
 * compared. It lives in its own small store, beside the editor store: it is never part of the
 * flow document, the undo history or autosave, and only the canvas subscribes to it.
 */
export interface NodeMark {
  className: string;
}

export interface EdgeMark {
  className: string;
  label?: string;
  /** Inline style of the edge's path (e.g. a width proportional to traffic). */
  style?: CSSProperties;
  /** Still drawn as its own edge when zoomed far out (a path's few edges; not every edge of a layer). */
  keepFar?: boolean;
}

/** A short text pinned to a node, in flow coordinates: above it, or below it. */
export interface NodeFlag {
  nodeId: string;
  text: string;
  className: string;
  place: 'above' | 'below';
}

export interface CanvasLayer {
  nodes?: ReadonlyMap<string, NodeMark>;
  edges?: ReadonlyMap<string, EdgeMark>;
  flags?: readonly NodeFlag[];
}

/** Every layer's marks together: classes joined, labels joined, styles merged. */
export interface Decorations {
  nodes: Map<string, NodeMark>;
  edges: Map<string, EdgeMark>;
  flags: NodeFlag[];
}

/** The layers besides the run's path, drawn in this order (a later label follows an earlier one). */
export type LayerName = 'coverage' | 'traffic' | 'compare';
const LAYER_ORDER: readonly LayerName[] = ['coverage', 'traffic', 'compare'];

export interface PathOverlayState {
  path: RunPath | null;
  layers: Partial<Record<LayerName, CanvasLayer>>;
  decorations: Decorations | null;
  setPath(path: RunPath | null): void;
  setLayer(name: LayerName, layer: CanvasLayer | null): void;
}

export type PathOverlayStore = StoreApi<PathOverlayState>;

const join = (a: string | undefined, b: string) => (a ? `${a} ${b}` : b);

/** Merges the path's marks and the layers' into one set for the canvas; null: nothing to draw. */
export function mergeLayers(layers: readonly (CanvasLayer | undefined)[]): Decorations | null {
  const nodes = new Map<string, NodeMark>();
  const edges = new Map<string, EdgeMark>();
  const flags: NodeFlag[] = [];
  for (const layer of layers) {
    if (!layer) continue;
    for (const [id, mark] of layer.nodes ?? []) {
      const had = nodes.get(id);
      nodes.set(id, had ? { className: join(had.className, mark.className) } : mark);
    }
    for (const [id, mark] of layer.edges ?? []) {
      const had = edges.get(id);
      if (!had) {
        edges.set(id, mark);
        continue;
      }
      const label = [had.label, mark.label].filter(Boolean).join(' · ');
      const style = had.style || mark.style ? { ...had.style, ...mark.style } : undefined;
      edges.set(id, {
        className: join(had.className, mark.className),
        ...(label ? { label } : {}),
        ...(style ? { style } : {}),
        ...(had.keepFar || mark.keepFar ? { keepFar: true } : {}),
      });
    }
    flags.push(...(layer.flags ?? []));
  }
  return nodes.size || edges.size || flags.length ? { nodes, edges, flags } : null;
}

/** A run's path as a layer: its few edges stay drawn far out, with their numbers. */
function pathLayer(path: RunPath | null): CanvasLayer | undefined {
  if (!path) return undefined;
  const marks = pathDecorations(path);
  const edges = new Map<string, EdgeMark>();
  for (const [id, mark] of marks.edges) edges.set(id, { ...mark, keepFar: true });
  return { nodes: marks.nodes, edges };
}

export function createPathOverlayStore(): PathOverlayStore {
  return createStore<PathOverlayState>()((set, get) => {
    const decorate = (path: RunPath | null, layers: PathOverlayState['layers']) =>
      mergeLayers([pathLayer(path), ...LAYER_ORDER.map((name) => layers[name])]);
    return {
      path: null,
      layers: {},
      decorations: null,
      setPath(path) {
        set({ path, decorations: decorate(path, get().layers) });
      },
      setLayer(name, layer) {
        const { [name]: _old, ...rest } = get().layers;
        const layers = layer ? { ...rest, [name]: layer } : rest;
        set({ layers, decorations: decorate(get().path, layers) });
      },
    };
  });
}

const PathOverlayContext = createContext<PathOverlayStore | null>(null);
export const PathOverlayProvider = PathOverlayContext.Provider;

/** Canvases without an overlay (publish diff, plain editing) read this empty one. */
const noOverlay = createPathOverlayStore();

export function usePathOverlay<T>(selector: (state: PathOverlayState) => T): T {
  return useStore(useContext(PathOverlayContext) ?? noOverlay, selector);
}

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
      const key = `${mark.className}\u0000${mark.label ?? ''}\u0000${styleKey(mark.style)}`;
      const hit = edgeCache.get(edge);
      if (hit?.key === key) return hit.edge;
      const copy: DesignerEdge = {
        ...edge,
        className: join(edge.className, mark.className),
        ...(mark.style ? { style: { ...edge.style, ...mark.style } } : {}),
        ...(mark.label
          ? {
              label: mark.label,
              labelShowBg: true,
              labelBgPadding: [4, 2] as [number, number],
              labelBgBorderRadius: 4,
              labelBgStyle: labelBackground,
              labelStyle: labelText,
            }
          : {}),
        // Drawn over the edges not marked.
        zIndex: 1,
      };
      edgeCache.set(edge, { key, edge: copy });
      return copy;
    });
  }, [edges, decorations]);

  return { nodes: decoratedNodes, edges: decoratedEdges };
}

const styleKey = (style: CSSProperties | undefined) => (style ? JSON.stringify(style) : '');

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

/** Where a flag goes: above a node's top left, or below its bottom left. */
const FLAG_HEIGHT = 26;

/**
 * The layers' flags (traffic counts, where two paths part), placed in flow coordinates like the
 * path's markers. Reads only the flagged nodes' positions and heights, so a drag elsewhere on the
 * canvas does not re-render them.
 */
function LayerFlagsInner() {
  const flags = usePathOverlay((s) => s.decorations?.flags);
  const ids = useMemo(() => [...new Set((flags ?? []).map((f) => f.nodeId))], [flags]);
  const boxes = useEditor(
    useShallow((s) =>
      ids.flatMap((id) => {
        const node = s.nodes.find((n) => n.id === id);
        return node
          ? [node.position.x, node.position.y, node.measured?.height ?? 100]
          : [NaN, 0, 0];
      }),
    ),
  );
  if (!flags || flags.length === 0) return null;
  // Flags on the same node and side stack, so two counts never cover each other.
  const stacked = new Map<string, number>();
  return (
    <ViewportPortal>
      {flags.map((flag, i) => {
        const at = ids.indexOf(flag.nodeId) * 3;
        const x = boxes[at]!;
        if (Number.isNaN(x)) return null;
        const y = boxes[at + 1]!;
        const height = boxes[at + 2]!;
        const key = `${flag.nodeId}\u0000${flag.place}`;
        const n = stacked.get(key) ?? 0;
        stacked.set(key, n + 1);
        const top =
          flag.place === 'above' ? y - FLAG_HEIGHT * (n + 1) : y + height + 4 + FLAG_HEIGHT * n;
        return (
          <div
            key={i}
            className={`sb-layer-flag ${flag.className}`}
            style={{ transform: `translate(${x}px, ${top}px)` }}
            data-node-id={flag.nodeId}
          >
            {flag.text}
          </div>
        );
      })}
    </ViewportPortal>
  );
}

export const LayerFlags = memo(LayerFlagsInner);
