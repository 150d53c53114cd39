import type { FlowDocument } from '../../src/index.js';

/** A node: its type, config and type version (left out: the document records none, i.e. 1). */
export type NodeSpec = [type: string, config?: Record<string, unknown>, typeVersion?: number];
export type EdgeSpec = [source: string, outcome: string, target: string];

/** A flow from a compact description: `{ id: [type, config] }` and `[source, outcome, target]`. */
export function flowOf(nodes: Record<string, NodeSpec>, edges: EdgeSpec[] = []): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'test flow',
    nodes: Object.entries(nodes).map(([id, [type, config, typeVersion]], i) => ({
      id,
      type,
      ...(typeVersion !== undefined ? { typeVersion } : {}),
      position: { x: i * 280, y: 0 },
      config: config ?? {},
    })),
    edges: edges.map(([source, sourceOutcome, target]) => ({
      id: `${source}.${sourceOutcome}`,
      source,
      sourceOutcome,
      target,
    })),
  };
}

/**
 * An incoming call that is answered, then `node` (the node under test, id "n") with its
 * outcomes wired as given, plus any extra nodes.
 */
export function answeredThen(
  node: NodeSpec,
  outcomes: Record<string, string> = {},
  extra: Record<string, NodeSpec> = {},
  extraEdges: EdgeSpec[] = [],
): FlowDocument {
  return flowOf({ t: ['trigger.incomingCall'], a: ['call.answer'], n: node, ...extra }, [
    ['t', 'next', 'a'],
    ['a', 'connected', 'n'],
    ...Object.entries(outcomes).map(([o, target]): EdgeSpec => ['n', o, target]),
    ...extraEdges,
  ]);
}

/** A play node that stands for "the flow went on to X" in tests. */
export const marker = (text: string): NodeSpec => ['media.play', { text }];
