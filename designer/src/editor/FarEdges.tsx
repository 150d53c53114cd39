import {
  Position,
  ViewportPortal,
  getBezierPath,
  useStoreApi,
  type InternalNode,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { DesignerEdge, DesignerNode } from './store.js';

/**
 * Zoomed far out, React Flow's own edges are hidden (each one re-reads its end points from the
 * store on every pan and zoom frame) and this draws them instead: one path per edge style, in
 * flow coordinates, recomputed only when the nodes or edges change. Edges are not clickable at
 * that zoom; they come back when zooming in.
 */
function FarEdgesInner({ nodes, edges }: { nodes: DesignerNode[]; edges: DesignerEdge[] }) {
  const flow = useStoreApi<DesignerNode, DesignerEdge>();
  const paths = useMemo(() => {
    const { nodeLookup } = flow.getState();
    const positions = new Map(nodes.map((n) => [n.id, n.position]));
    const byClass = new Map<string, string[]>();
    for (const edge of edges) {
      if (!edge.hidden || edge.selected) continue;
      const from = end(nodeLookup.get(edge.source), positions, edge.sourceHandle, 'source');
      const to = end(nodeLookup.get(edge.target), positions, edge.targetHandle, 'target');
      if (!from || !to) continue;
      const [d] = getBezierPath({
        sourceX: from.x,
        sourceY: from.y,
        sourcePosition: from.position,
        targetX: to.x,
        targetY: to.y,
        targetPosition: to.position,
      });
      const key = edge.className ?? '';
      const list = byClass.get(key);
      if (list) list.push(d);
      else byClass.set(key, [d]);
    }
    return [...byClass].map(([className, ds]) => ({ className, d: ds.join('') }));
  }, [flow, nodes, edges]);

  return (
    <ViewportPortal>
      <svg className="sb-far-edges" aria-hidden="true">
        {paths.map(({ className, d }) => (
          <path key={className} className={`sb-far-edges__path ${className}`} d={d} />
        ))}
      </svg>
    </ViewportPortal>
  );
}

/** Where an edge meets a node: the measured handle, from the node's current position. */
function end(
  node: InternalNode<DesignerNode> | undefined,
  positions: Map<string, { x: number; y: number }>,
  handleId: string | null | undefined,
  kind: 'source' | 'target',
): { x: number; y: number; position: Position } | undefined {
  const at = node && positions.get(node.id);
  if (!node || !at) return undefined;
  const handles = node.internals.handleBounds?.[kind];
  const handle = handles?.find((h) => h.id === handleId) ?? handles?.[0];
  if (!handle) return undefined;
  const position = handle.position;
  const x =
    at.x +
    handle.x +
    (position === Position.Right
      ? handle.width
      : position === Position.Left
        ? 0
        : handle.width / 2);
  const y =
    at.y +
    handle.y +
    (position === Position.Bottom
      ? handle.height
      : position === Position.Top
        ? 0
        : handle.height / 2);
  return { x, y, position };
}

export const FarEdges = memo(FarEdgesInner);
