import { Panel, useStore, useStoreApi, type ReactFlowState, type Rect } from '@xyflow/react';
import { XYMinimap, type XYMinimapInstance } from '@xyflow/system';
import { memo, useEffect, useMemo, useRef } from 'react';
import { NODE_WIDTH } from './node-geometry.js';
import type { DesignerEdge, DesignerNode } from './store.js';

const WIDTH = 200;
const HEIGHT = 150;
/** Margin around the flow, in minimap pixels. */
const OFFSET = 5;

/**
 * The canvas overview: React Flow's MiniMap (same panel, classes, viewport mask, and panning by
 * dragging and zooming by scrolling through XYMinimap), with the nodes drawn as one SVG path per
 * colour. The MiniMap mounts a component per node, each subscribed to the flow store, so a
 * 5,000-node flow opened 5,000 of them and woke them all on every change.
 */
function OverviewInner({
  nodes,
  colorOf,
  label,
}: {
  nodes: DesignerNode[];
  colorOf: (node: DesignerNode) => string;
  label: string;
}) {
  const store = useStoreApi<DesignerNode, DesignerEdge>();
  const svg = useRef<SVGSVGElement>(null);
  const minimap = useRef<XYMinimapInstance>(undefined);
  const viewScale = useRef(1);
  const { panZoom, translateExtent, flowWidth, flowHeight } = useStore(settingsOf, sameSettings);
  const view = useStore(viewOf, sameRect);

  // Node rectangles change with the nodes, not with the viewport: built once per change, as one
  // path per colour.
  const { bounds, paths } = useMemo(() => nodePaths(nodes, colorOf), [nodes, colorOf]);

  const box = bounds ? union(bounds, view) : view;
  const scale = Math.max(box.width / WIDTH, box.height / HEIGHT) || 1;
  const offset = OFFSET * scale;
  const x = box.x - (scale * WIDTH - box.width) / 2 - offset;
  const y = box.y - (scale * HEIGHT - box.height) / 2 - offset;
  const width = scale * WIDTH + offset * 2;
  const height = scale * HEIGHT + offset * 2;

  // XYMinimap reads the scale when the pointer moves, so it may lag a render behind.
  useEffect(() => {
    viewScale.current = scale;
  }, [scale]);
  useEffect(() => {
    if (!svg.current || !panZoom) return;
    const instance = XYMinimap({
      domNode: svg.current,
      panZoom,
      getTransform: () => store.getState().transform,
      getViewScale: () => viewScale.current,
    });
    minimap.current = instance;
    return () => instance.destroy();
  }, [panZoom, store]);
  useEffect(() => {
    minimap.current?.update({
      translateExtent,
      width: flowWidth,
      height: flowHeight,
      pannable: true,
      zoomable: true,
    });
  }, [panZoom, translateExtent, flowWidth, flowHeight]);

  return (
    <Panel position="bottom-right" className="react-flow__minimap" data-testid="rf__minimap">
      <svg
        ref={svg}
        width={WIDTH}
        height={HEIGHT}
        viewBox={`${x} ${y} ${width} ${height}`}
        className="react-flow__minimap-svg"
        role="img"
        aria-label={label}
      >
        {paths.map(({ color, d }) => (
          <path key={color} className="react-flow__minimap-node" fill={color} d={d} />
        ))}
        <path
          className="react-flow__minimap-mask"
          d={`M${x - offset},${y - offset}h${width + offset * 2}v${height + offset * 2}h${-width - offset * 2}z
        M${view.x},${view.y}h${view.width}v${view.height}h${-view.width}z`}
          fillRule="evenodd"
          pointerEvents="none"
        />
      </svg>
    </Panel>
  );
}

export const Overview = memo(OverviewInner);

function nodePaths(
  nodes: DesignerNode[],
  colorOf: (node: DesignerNode) => string,
): { bounds: Rect | undefined; paths: { color: string; d: string }[] } {
  const byColor = new Map<string, string[]>();
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    if (n.hidden) continue;
    const w = n.measured?.width ?? n.initialWidth ?? NODE_WIDTH;
    const h = n.measured?.height ?? n.initialHeight ?? 0;
    const { x, y } = n.position;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + w);
    y1 = Math.max(y1, y + h);
    const color = colorOf(n);
    const d = `M${x},${y}h${w}v${h}h${-w}z`;
    const list = byColor.get(color);
    if (list) list.push(d);
    else byColor.set(color, [d]);
  }
  return {
    bounds: x0 === Infinity ? undefined : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    paths: [...byColor].map(([color, ds]) => ({ color, d: ds.join('') })),
  };
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** The part of the flow in view, in flow coordinates. */
const viewOf = (s: ReactFlowState): Rect => ({
  x: -s.transform[0] / s.transform[2],
  y: -s.transform[1] / s.transform[2],
  width: s.width / s.transform[2],
  height: s.height / s.transform[2],
});
const sameRect = (a: Rect, b: Rect) =>
  a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

const settingsOf = (s: ReactFlowState) => ({
  panZoom: s.panZoom,
  translateExtent: s.translateExtent,
  flowWidth: s.width,
  flowHeight: s.height,
});
const sameSettings = (a: ReturnType<typeof settingsOf>, b: ReturnType<typeof settingsOf>) =>
  a.panZoom === b.panZoom &&
  a.translateExtent === b.translateExtent &&
  a.flowWidth === b.flowWidth &&
  a.flowHeight === b.flowHeight;
