import {
  Background,
  Controls,
  ReactFlow,
  getViewportForBounds,
  useReactFlow,
  useStore as useFlowStore,
  type Viewport,
  type DefaultEdgeOptions,
  type NodeTypes,
} from '@xyflow/react';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
} from 'react';
import {
  LayerFlags,
  PathMarkers,
  useDecoratedElements,
  usePathOverlay,
} from '../calls/pathOverlay.js';
import { isTrigger, latestTypeVersion } from '../catalogue.js';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { createNamer } from './accessible-names.js';
import { FarEdges } from './FarEdges.js';
import { FarNodes } from './FarNodes.js';
import { FAR_ZOOM, FlowNodeView, ZoomBandContext, isFar, zoomBand } from './FlowNodeView.js';
import { useEditorStore } from './context.js';
import { NODE_WIDTH, createGeometry, nodeGeometry } from './node-geometry.js';
import { Overview } from './Overview.js';
import { NODE_KIND, type DesignerNode } from './store.js';

/** Stable across renders (React Flow re-mounts every node if this object changes). */
const nodeTypes: NodeTypes = { [NODE_KIND]: FlowNodeView };
const defaultEdgeOptions: DefaultEdgeOptions = { type: 'default' };
const defaultViewport: Viewport = { x: 0, y: 0, zoom: 1 };
const MIN_ZOOM = 0.05;
/** Zoom to fit never magnifies a small flow beyond 100 %. */
const fitViewOptions = { maxZoom: 1 };
/**
 * The lowest zoom a flow opens at: node labels are read at full detail from here on. A flow
 * whose whole fits at this zoom or closer opens fitted; a larger one opens here around its
 * trigger (the overview is one "zoom to fit" away, legible through the zoom bands).
 */
export const READABLE_ZOOM = 0.75;
/** Opening fitted, the measured fit may come out a little under the estimate: never below this. */
const openFitOptions = { maxZoom: 1, minZoom: READABLE_ZOOM };
/** Where the trigger sits when a flow opens around it: this far from the canvas's left edge. */
const FOCUS_LEFT = 40;
const MAX_ZOOM = 2;
export const PALETTE_MIME = 'application/x-switchboard-node-type';

const estimatedHeight = (node: DesignerNode) =>
  node.measured?.height ?? nodeGeometry(node.data).initialHeight;

function estimateFit(nodes: DesignerNode[], width: number, height: number): Viewport {
  if (nodes.length === 0 || width === 0 || height === 0) return defaultViewport;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + NODE_WIDTH);
    y1 = Math.max(y1, n.position.y + estimatedHeight(n));
  }
  return getViewportForBounds(
    { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    width,
    height,
    MIN_ZOOM,
    MAX_ZOOM,
    0.1,
  );
}

/**
 * How a flow opens in a canvas of this size: fitted when the fit is readable, else at the
 * readable zoom with its trigger (or first node) at the left, vertically centred.
 */
export function openingView(
  nodes: DesignerNode[],
  width: number,
  height: number,
): { viewport: Viewport; fit: boolean } {
  const fit = estimateFit(nodes, width, height);
  if (nodes.length === 0 || fit.zoom >= READABLE_ZOOM) return { viewport: fit, fit: true };
  const focus = nodes.find((n) => isTrigger(n.data.type, n.data.typeVersion)) ?? leftmost(nodes);
  const zoom = READABLE_ZOOM;
  return {
    viewport: {
      zoom,
      x: FOCUS_LEFT - focus.position.x * zoom,
      y: height / 2 - (focus.position.y + estimatedHeight(focus) / 2) * zoom,
    },
    fit: false,
  };
}

function leftmost(nodes: DesignerNode[]): DesignerNode {
  let best = nodes[0]!;
  for (const n of nodes) {
    if (
      n.position.x < best.position.x ||
      (n.position.x === best.position.x && n.position.y < best.position.y)
    )
      best = n;
  }
  return best;
}

const minimapColor = (node: DesignerNode) => {
  switch (node.data.diff) {
    case 'added':
      return '#107c10';
    case 'removed':
      return '#c50f1f';
    case 'changed':
      return '#c19c00';
    default:
      return '#0f6cbd';
  }
};

/** Above this many nodes, the minimap leaves out its nodes while the viewport moves. */
const MINIMAP_MOVING_LIMIT = 300;
/** How long after the last viewport change the canvas counts as still moving. */
const SETTLE_MS = 200;

export function FlowCanvas({
  fitViewOnInit = true,
  label = 'Flow canvas',
}: {
  fitViewOnInit?: boolean;
  label?: string;
}) {
  const store = useEditorStore();
  const {
    nodes: storeNodes,
    edges: storeEdges,
    readOnly,
  } = useStore(
    store,
    useShallow((s) => ({ nodes: s.nodes, edges: s.edges, readOnly: s.readOnly })),
  );
  // A run's path (run view, test call), if any, as classes and labels on copies for React Flow.
  // Named for screen readers by labels and outcomes (cached: a drag frame names one node again).
  const [namer] = useState(createNamer);
  const [geometry] = useState(createGeometry);
  const named = useMemo(
    () => namer(geometry(storeNodes), storeEdges),
    [namer, geometry, storeNodes, storeEdges],
  );
  const { nodes, edges } = useDecoratedElements(named.nodes, named.edges);
  const actions = store.getState();
  // Fit a loaded flow into view once; an empty canvas starts at 100 % (fitting the first
  // dropped node would zoom right into it).
  const [fitOnce] = useState(() => fitViewOnInit && store.getState().nodes.length > 0);
  // Start at the fitted viewport already, estimated from the node positions, so that the first
  // render (with onlyRenderVisibleElements) draws the nodes that will be in view, and a large
  // flow is not rendered twice (once at 100 %, again after measuring and fitting).
  const wrapper = useRef<HTMLDivElement>(null);
  const [opening, setOpening] = useState<{ viewport: Viewport; fit: boolean } | undefined>(
    fitOnce ? undefined : { viewport: defaultViewport, fit: false },
  );
  useLayoutEffect(() => {
    if (opening || !wrapper.current) return;
    const { width, height } = wrapper.current.getBoundingClientRect();
    setOpening(openingView(store.getState().nodes, width, height));
  }, [opening, store]);
  const initialViewport = opening?.viewport;
  const { screenToFlowPosition } = useReactFlow();
  // Until React Flow has set up its viewport (after its first render), the store still holds
  // 100 %: take the starting viewport instead, so a large flow that opens zoomed out renders
  // its first frame far out (plain boxes, no edges to mount and unmount).
  const startZoom = initialViewport?.zoom ?? 1;
  const far = useFlowStore((s) => (s.panZoom ? isFar(s) : startZoom < FAR_ZOOM));
  // Semantic zoom: the further out, the bigger the labels and the simpler the nodes. A band
  // changes a handful of times over the whole zoom range, so nodes re-render only then.
  const band = useFlowStore((s) => zoomBand(s.panZoom ? s.transform[2] : startZoom));
  // Far out, React Flow's edges give way to one drawn layer (FarEdges); a selected edge stays,
  // and so do the edges of a run's path, with their numbers (a few, however large the flow).
  const marked = usePathOverlay((s) => s.decorations?.edges);
  const canvasEdges = useMemo(
    () =>
      far
        ? edges.map((e) =>
            e.selected || e.hidden || marked?.get(e.id)?.keepFar ? e : { ...e, hidden: true },
          )
        : edges,
    [far, edges, marked],
  );

  // While the viewport moves on a large flow, the minimap shows only the viewport mask: repainting
  // one rectangle per node on every frame costs as much as the canvas itself. The class is set on
  // the wrapper directly, so moving does not re-render the canvas.
  const large = nodes.length > MINIMAP_MOVING_LIMIT;
  // A large flow far out: its nodes are drawn on one canvas (FarNodes) and React Flow renders
  // only the selected ones and those a run's path marks (a few, however large the flow).
  const drawn = far && large;
  const [hiddenCopies] = useState(() => new WeakMap<DesignerNode, DesignerNode>());
  const canvasNodes = useMemo(
    () =>
      drawn
        ? nodes.map((n) => {
            if (n.selected || n.className) return n;
            let copy = hiddenCopies.get(n);
            if (!copy) {
              copy = { ...n, hidden: true };
              hiddenCopies.set(n, copy);
            }
            return copy;
          })
        : nodes,
    [drawn, nodes, hiddenCopies],
  );
  const onPaneClick = useCallback(
    (event: ReactMouseEvent) => {
      if (!drawn) return;
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const hit = farNodeAt(canvasNodes, at);
      if (hit) store.getState().selectNode(hit.id);
    },
    [drawn, canvasNodes, screenToFlowPosition, store],
  );
  const settle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const onMoveStart = useCallback(() => {
    clearTimeout(settle.current);
    if (large) wrapper.current?.classList.add('sb-canvas--moving');
  }, [large]);
  const onMoveEnd = useCallback(() => {
    clearTimeout(settle.current);
    settle.current = setTimeout(
      () => wrapper.current?.classList.remove('sb-canvas--moving'),
      SETTLE_MS,
    );
  }, []);
  useEffect(() => () => clearTimeout(settle.current), []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(PALETTE_MIME)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_MIME);
      if (!type) return;
      event.preventDefault();
      const at = clearOfPanels(wrapper.current, type, event.clientX - 110, event.clientY - 30);
      store.getState().addNode(type, screenToFlowPosition(at));
    },
    [screenToFlowPosition, store],
  );

  return (
    <div
      ref={wrapper}
      className={`sb-canvas sb-zoom-${band}${far ? ' sb-canvas--far' : ''}`}
      data-zoom-band={band}
      role="region"
      aria-label={label}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      {initialViewport && (
        <ZoomBandContext.Provider value={band}>
          <ReactFlow<DesignerNode>
            nodes={canvasNodes}
            edges={canvasEdges}
            nodeTypes={nodeTypes}
            defaultEdgeOptions={defaultEdgeOptions}
            onNodesChange={actions.onNodesChange}
            onEdgesChange={actions.onEdgesChange}
            onConnect={actions.connect}
            isValidConnection={actions.isValidConnection}
            deleteKeyCode={null}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            edgesReconnectable={false}
            elementsSelectable
            fitView={fitOnce && opening?.fit}
            fitViewOptions={openFitOptions}
            defaultViewport={initialViewport}
            minZoom={MIN_ZOOM}
            maxZoom={MAX_ZOOM}
            onlyRenderVisibleElements={nodes.length > 150}
            onMoveStart={onMoveStart}
            onMoveEnd={onMoveEnd}
            onPaneClick={onPaneClick}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={['Meta', 'Control']}
          >
            {far && <FarEdges nodes={nodes} edges={canvasEdges} />}
            {drawn && <FarNodes nodes={canvasNodes} band={band} />}
            <PathMarkers />
            <LayerFlags />
            <Background gap={20} />
            <Overview nodes={nodes} colorOf={minimapColor} label="Mini map" />
            <Controls showInteractive={false} fitViewOptions={fitViewOptions} />
          </ReactFlow>
        </ZoomBandContext.Provider>
      )}
    </div>
  );
}

/** The topmost drawn (hidden) node under a flow position, if any. */
function farNodeAt(nodes: DesignerNode[], at: { x: number; y: number }): DesignerNode | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.hidden) continue;
    const w = n.measured?.width ?? NODE_WIDTH;
    const h = n.measured?.height ?? nodeGeometry(n.data).initialHeight;
    if (
      at.x >= n.position.x &&
      at.x <= n.position.x + w &&
      at.y >= n.position.y &&
      at.y <= n.position.y + h
    )
      return n;
  }
  return undefined;
}

/**
 * Where a node dropped with its top-left corner at (x, y) on screen lands clear of the panels
 * over the canvas (minimap, zoom controls): beside a panel it would slip under, where it could
 * not be grabbed. The node's size on screen comes from its geometry at the canvas's zoom.
 */
function clearOfPanels(
  root: HTMLElement | null,
  type: string,
  x: number,
  y: number,
): { x: number; y: number } {
  const viewport = root?.querySelector('.react-flow__viewport');
  if (!root || !viewport) return { x, y };
  const zoom = new DOMMatrix(getComputedStyle(viewport).transform).a || 1;
  const size = nodeGeometry({ type, typeVersion: latestTypeVersion(type), config: {} });
  const w = size.initialWidth * zoom;
  const h = size.initialHeight * zoom;
  const frame = root.getBoundingClientRect();
  const gap = 8;
  for (const panel of root.querySelectorAll<HTMLElement>('.react-flow__panel')) {
    const r = panel.getBoundingClientRect();
    if (x >= r.right || x + w <= r.left || y >= r.bottom || y + h <= r.top) continue;
    // To the side of the panel facing the middle of the canvas.
    x = r.left + r.width / 2 > frame.left + frame.width / 2 ? r.left - w - gap : r.right + gap;
  }
  return { x, y };
}
