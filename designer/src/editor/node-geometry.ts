import { Position, type NodeHandle } from '@xyflow/react';
import { isTrigger, outcomesFor } from '../catalogue.js';
import { TARGET_HANDLE, type DesignerNode, type FlowNodeData } from './document-mapping.js';

/*
 * A canvas node's box and handles follow from its outcomes alone: designer.css gives every part
 * of `.sb-node` a fixed height (header, summary, one row per outcome) so that a node is the same
 * size at every zoom. The figures below are those heights as the browser lays them out (borders
 * included); the browser test "node geometry" holds them to the rendered nodes.
 */
/** 220 px and a 1 px border each side. */
export const NODE_WIDTH = 222;
/** Border, header (34), summary with its margin (32), border. */
const HEIGHT_WITHOUT_OUTCOMES = 68;
/** …and with outcomes, their list's padding (2 above, 4 below). */
const HEIGHT_BEFORE_ROWS = 74;
const FIRST_ROW_TOP = 1 + 34 + 32 + 2;
const ROW = 20;
/** 10 px and a 2 px border each side. */
const HANDLE = 14;

export interface NodeGeometry {
  initialWidth: number;
  initialHeight: number;
  handles: NodeHandle[];
}

export function nodeGeometry(data: FlowNodeData): NodeGeometry {
  const outcomes = outcomesFor(data.type, data.config, data.typeVersion);
  const height = outcomes.length
    ? HEIGHT_BEFORE_ROWS + ROW * outcomes.length
    : HEIGHT_WITHOUT_OUTCOMES;
  const handles: NodeHandle[] = outcomes.map((o, i) => ({
    id: o.id,
    type: 'source',
    position: Position.Right,
    x: NODE_WIDTH - 1 - HANDLE / 2,
    y: FIRST_ROW_TOP + ROW * i + (ROW - HANDLE) / 2,
    width: HANDLE,
    height: HANDLE,
  }));
  if (!isTrigger(data.type, data.typeVersion)) {
    handles.unshift({
      id: TARGET_HANDLE,
      type: 'target',
      position: Position.Left,
      x: 1 - HANDLE / 2,
      y: (height - HANDLE) / 2,
      width: HANDLE,
      height: HANDLE,
    });
  }
  return { initialWidth: NODE_WIDTH, initialHeight: height, handles };
}

/**
 * The canvas's copies of the nodes React Flow has not measured yet carry their size and handles
 * from `nodeGeometry`, as if measured. Otherwise React Flow renders every unmeasured node once
 * just to measure it (`onlyRenderVisibleElements` counts one as visible): opening a 5,000-node
 * flow mounted all 5,000 nodes, about 80,000 elements, only to unmount all but the few in view.
 * And a zoom to fit waits until every node is measured, which nodes never rendered never are.
 *
 * Once React Flow has measured a node (its size is in the store), the copy is the node itself:
 * from then on React Flow keeps what it measured, also when the node's outcomes change. Copies
 * are cached by node object, so an unchanged node stays the same object for React Flow.
 */
export function createGeometry() {
  const cache = new WeakMap<DesignerNode, DesignerNode>();
  return (nodes: DesignerNode[]): DesignerNode[] =>
    nodes.map((n) => {
      if (n.measured?.width !== undefined && n.measured.height !== undefined) return n;
      let copy = cache.get(n);
      if (!copy) {
        const g = nodeGeometry(n.data);
        copy = { ...n, ...g, measured: { width: g.initialWidth, height: g.initialHeight } };
        cache.set(n, copy);
      }
      return copy;
    });
}
