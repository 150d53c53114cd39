/**
 * What a screen reader calls the canvas's nodes and edges: a node by its label (and type), an
 * edge by its outcome and its target ("1 · Sales → Sales queue"), never by internal ids (React
 * Flow's default is "Edge from menu to transfer-3").
 *
 * The names are put on copies of the nodes and edges, cached by object identity: a drag frame
 * replaces one node object, so only that node (and the edges whose ends it is) are named again.
 */
import { nodeType, outcomesFor } from '../catalogue.js';
import type { DesignerEdge, DesignerNode } from './store.js';

type NodeData = DesignerNode['data'];

/** A node's title on the canvas: its label, else its type's label. */
export function nodeTitle(data: Pick<NodeData, 'label' | 'type' | 'typeVersion'>): string {
  return data.label || nodeType(data.type, data.typeVersion)?.label || data.type;
}

/** "Main menu (Menu)": the title, and the node type when the label is the analyst's own. */
export function nodeName(data: NodeData): string {
  const title = nodeTitle(data);
  const type = nodeType(data.type, data.typeVersion)?.label;
  return data.label && type && type !== data.label ? `${title} (${type})` : title;
}

const outcomeLabels = new WeakMap<NodeData, Map<string, string>>();
function outcomeLabel(data: NodeData, outcome: string | null | undefined): string {
  let labels = outcomeLabels.get(data);
  if (!labels) {
    labels = new Map(
      outcomesFor(data.type, data.config, data.typeVersion).map((o) => [o.id, o.label]),
    );
    outcomeLabels.set(data, labels);
  }
  return (outcome && labels.get(outcome)) ?? outcome ?? 'Next';
}

/** "1 · Sales → Sales queue". */
export function edgeName(
  source: NodeData | undefined,
  outcome: string | null | undefined,
  target: NodeData | undefined,
): string {
  const from = source ? outcomeLabel(source, outcome) : (outcome ?? '');
  return `${from} → ${target ? nodeTitle(target) : 'a missing node'}`;
}

export function createNamer() {
  const namedNodes = new WeakMap<DesignerNode, DesignerNode>();
  const namedEdges = new WeakMap<
    DesignerEdge,
    { source: NodeData | undefined; target: NodeData | undefined; edge: DesignerEdge }
  >();
  return (nodes: DesignerNode[], edges: DesignerEdge[]) => {
    const data = new Map<string, NodeData>();
    const outNodes = nodes.map((n) => {
      data.set(n.id, n.data);
      let named = namedNodes.get(n);
      if (!named) {
        named = { ...n, ariaLabel: nodeName(n.data) };
        namedNodes.set(n, named);
      }
      return named;
    });
    const outEdges = edges.map((e) => {
      const source = data.get(e.source);
      const target = data.get(e.target);
      const cached = namedEdges.get(e);
      if (cached && cached.source === source && cached.target === target) return cached.edge;
      const edge = { ...e, ariaLabel: edgeName(source, e.sourceHandle, target) };
      namedEdges.set(e, { source, target, edge });
      return edge;
    });
    return { nodes: outNodes, edges: outEdges };
  };
}
