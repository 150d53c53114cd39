import type { XYPosition } from '@xyflow/react';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { outcomesFor } from '../catalogue.js';
import type { DesignerEdge, DesignerNode } from './store.js';

const DEFAULT_WIDTH = 240;
const DEFAULT_HEIGHT = 110;

/**
 * Left-to-right layered layout with elkjs. Outcome ports keep their order on the east side, so
 * edges leave a node in the order its outcomes are listed. elkjs is loaded on first use.
 */
export async function autoLayout(
  nodes: DesignerNode[],
  edges: DesignerEdge[],
): Promise<Map<string, XYPosition>> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
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
      .filter((e) => nodes.some((n) => n.id === e.source))
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
  const result = await elk.layout(graph);
  const positions = new Map<string, XYPosition>();
  for (const child of result.children ?? []) {
    positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  }
  return positions;
}
