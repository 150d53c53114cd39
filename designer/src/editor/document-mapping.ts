/**
 * The flow document and the canvas hold the same flow in two shapes: the document is what the
 * engine stores and the interpreter runs, React Flow wants nodes and edges with handles, selection
 * and diff marks. Every conversion between them lives here, so the store's actions never build
 * either shape by hand and a round trip (load → toDocument) gives back the document it was given:
 * positions rounded, empty labels dropped, nothing the canvas added.
 */
import type { Edge, Node, XYPosition } from '@xyflow/react';
import type { FlowDocument } from '@switchboard/flow';
import { defaultConfig, latestTypeVersion } from '../catalogue.js';
import { edgeIdFor, newNodeId, randomSuffix } from './ids.js';

export type DiffState = 'added' | 'removed' | 'changed';

/** What a canvas node carries: only the serialisable parts of a flow node (no functions). */
export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  /** The node type version the node runs with; absent: version 1 (a document from before versions). */
  typeVersion?: number;
  label?: string;
  config: Record<string, unknown>;
  diff?: DiffState;
}
export interface FlowEdgeData extends Record<string, unknown> {
  diff?: DiffState;
}

export const NODE_KIND = 'flow';
export const TARGET_HANDLE = 'in';

export type DesignerNode = Node<FlowNodeData, typeof NODE_KIND>;
export type DesignerEdge = Edge<FlowEdgeData>;

/** The document without its nodes and edges: name, description, time zone, … */
export type DocumentMeta = Omit<FlowDocument, 'nodes' | 'edges'>;

export interface ClipboardPayload {
  kind: 'switchboard/nodes';
  /** Distinguishes one copy from the next, so repeated pastes of the same copy step aside. */
  stamp: string;
  nodes: FlowDocument['nodes'];
  edges: FlowDocument['edges'];
}

export const emptyDocument = (name = 'Untitled flow'): FlowDocument => ({
  schemaVersion: 1,
  name,
  nodes: [],
  edges: [],
});

export function toCanvasNode(node: FlowDocument['nodes'][number]): DesignerNode {
  const data: FlowNodeData = { type: node.type, config: node.config };
  if (node.typeVersion !== undefined) data.typeVersion = node.typeVersion;
  if (node.label !== undefined) data.label = node.label;
  return { id: node.id, type: NODE_KIND, position: { ...node.position }, data };
}

export function toCanvasEdge(edge: FlowDocument['edges'][number]): DesignerEdge {
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceOutcome,
    target: edge.target,
    targetHandle: TARGET_HANDLE,
  };
}

export function toDocumentNode(node: DesignerNode): FlowDocument['nodes'][number] {
  const out: FlowDocument['nodes'][number] = {
    id: node.id,
    type: node.data.type,
    ...(node.data.typeVersion !== undefined ? { typeVersion: node.data.typeVersion } : {}),
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    config: node.data.config,
  };
  if (node.data.label !== undefined && node.data.label !== '') out.label = node.data.label;
  return out;
}

export function toDocumentEdge(edge: DesignerEdge): FlowDocument['edges'][number] {
  return {
    id: edge.id,
    source: edge.source,
    sourceOutcome: edge.sourceHandle ?? '',
    target: edge.target,
  };
}

/** A document as the store holds it. */
export function fromDocument(document: FlowDocument): {
  meta: DocumentMeta;
  nodes: DesignerNode[];
  edges: DesignerEdge[];
} {
  const { nodes, edges, ...meta } = document;
  return { meta, nodes: nodes.map(toCanvasNode), edges: edges.map(toCanvasEdge) };
}

/** The document the canvas shows; elements marked removed (a diff view) are not part of it. */
export function toFlowDocument(
  meta: DocumentMeta,
  nodes: DesignerNode[],
  edges: DesignerEdge[],
): FlowDocument {
  return {
    ...meta,
    nodes: nodes.filter((n) => n.data.diff !== 'removed').map(toDocumentNode),
    edges: edges.filter((e) => e.data?.diff !== 'removed').map(toDocumentEdge),
  };
}

/** New nodes record the latest version of their type (nothing for a type the catalogue lacks). */
function typeVersionOf(type: string): { typeVersion?: number } {
  const typeVersion = latestTypeVersion(type);
  return typeVersion === undefined ? {} : { typeVersion };
}

/** A node of `type` as the catalogue makes it (its defaults, its latest version), selected. */
export function newCanvasNode(
  type: string,
  position: XYPosition,
  taken: (id: string) => boolean,
): DesignerNode {
  return {
    id: newNodeId(type, taken),
    type: NODE_KIND,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    data: { type, ...typeVersionOf(type), config: defaultConfig(type) },
    selected: true,
  };
}

/** The selected nodes, and the edges between them, as document parts; undefined: none selected. */
export function copyPayload(
  nodes: DesignerNode[],
  edges: DesignerEdge[],
): ClipboardPayload | undefined {
  const selected = nodes.filter((n) => n.selected);
  if (selected.length === 0) return undefined;
  const ids = new Set(selected.map((n) => n.id));
  return {
    kind: 'switchboard/nodes',
    stamp: `${Date.now()}-${randomSuffix()}`,
    nodes: selected.map(toDocumentNode),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map(toDocumentEdge),
  };
}

/**
 * A copy on the canvas, `offset` down and right: new ids (none of `taken`), configs cloned so the
 * copy never shares one with its original, the nodes selected.
 */
export function pastedElements(
  payload: ClipboardPayload,
  taken: Set<string>,
  offset: number,
): { nodes: DesignerNode[]; edges: DesignerEdge[] } {
  const ids = new Set(taken);
  const idMap = new Map<string, string>();
  for (const node of payload.nodes) {
    const id = newNodeId(node.type, (candidate) => ids.has(candidate));
    ids.add(id);
    idMap.set(node.id, id);
  }
  const nodes = payload.nodes.map((node) => ({
    ...toCanvasNode({
      ...node,
      id: idMap.get(node.id)!,
      position: { x: node.position.x + offset, y: node.position.y + offset },
      config: structuredClone(node.config),
    }),
    selected: true,
  }));
  const edges = payload.edges
    .filter((e) => idMap.has(e.source) && idMap.has(e.target))
    .map((e) => ({
      ...toCanvasEdge({
        ...e,
        id: edgeIdFor(idMap.get(e.source)!, e.sourceOutcome),
        source: idMap.get(e.source)!,
        target: idMap.get(e.target)!,
      }),
    }));
  return { nodes, edges };
}
