import type { XYPosition } from '@xyflow/react';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { outcomesFor } from '../catalogue.js';
import type { DesignerEdge, DesignerNode } from './store.js';

const DEFAULT_WIDTH = 240;
const DEFAULT_HEIGHT = 110;

/** Where auto layout is, for the editor to show. */
export type LayoutStage = 'preparing' | 'arranging' | 'placing';

/**
 * Left-to-right layered layout with elkjs. Outcome ports keep their order on the east side, so
 * edges leave a node in the order its outcomes are listed. elkjs runs in a Web Worker (seconds
 * on a flow of several hundred nodes, which froze the page), so the editor stays responsive and
 * shows progress; where workers are unavailable (jsdom) it is loaded into the page.
 */
export async function autoLayout(
  nodes: DesignerNode[],
  edges: DesignerEdge[],
  onStage: (stage: LayoutStage) => void = () => undefined,
): Promise<Map<string, XYPosition>> {
  onStage('preparing');
  const graph = layoutGraph(nodes, edges);
  onStage('arranging');
  const result = await layOut(graph);
  onStage('placing');
  return new Map((result.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}

async function layOut(graph: ElkNode): Promise<ElkNode> {
  if (typeof Worker === 'undefined') {
    const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
    return new ELK().layout(graph);
  }
  // elk's own worker script (a classic worker) behind elk's small API: a worker per layout, so
  // nothing is kept running between layouts.
  const [{ default: ELK }, { default: workerUrl }] = await Promise.all([
    import('elkjs/lib/elk-api.js'),
    import('elkjs/lib/elk-worker.min.js?url'),
  ]);
  const elk = new ELK({ workerFactory: () => new Worker(workerUrl) });
  try {
    return await elk.layout(graph);
  } finally {
    elk.terminateWorker();
  }
}

/** The elk graph of a flow: node sizes as measured, a west input port, ordered east outcome ports. */
function layoutGraph(nodes: DesignerNode[], edges: DesignerEdge[]): ElkNode {
  const ids = new Set(nodes.map((n) => n.id));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: nodes.map((node) => {
      const outcomes = outcomesFor(node.data.type, node.data.config, node.data.typeVersion);
      return {
        id: node.id,
        width: node.measured?.width ?? node.width ?? DEFAULT_WIDTH,
        height: node.measured?.height ?? node.height ?? DEFAULT_HEIGHT,
        layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
        ports: [
          { id: `${node.id}::in`, layoutOptions: { 'elk.port.side': 'WEST' } },
          ...outcomes.map((o, index) => ({
            id: `${node.id}::${o.id}`,
            layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(index) },
          })),
        ],
      };
    }),
    edges: edges
      .filter((e) => ids.has(e.source))
      .map((edge) => ({
        id: edge.id,
        sources: [`${edge.source}::${edge.sourceHandle}`],
        targets: [`${edge.target}::in`],
      })),
  };
  // Edges whose outcome port no longer exists would make elk throw; attach them to the node.
  const ports = new Set(graph.children!.flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  for (const edge of graph.edges!) {
    edge.sources = edge.sources.map((s) => (ports.has(s) ? s : s.split('::')[0]!));
    edge.targets = edge.targets.map((t) => (ports.has(t) ? t : t.split('::')[0]!));
  }
  return graph;
}
