import { defaultConfig, listNodeTypes, outcomesOf, type FlowDocument } from '@switchboard/flow';

/**
 * A large flow from the real catalogue: one incoming-call trigger, then `nodes - 1` nodes of the
 * other types in a grid, wired outcome by outcome to nodes further on until `edges` edges exist.
 */
export function generateFlow(nodeCount = 1000, edgeCount = 1500): FlowDocument {
  const types = listNodeTypes().filter((t) => !t.trigger);
  const columns = 40;
  const nodes: FlowDocument['nodes'] = [];
  for (let i = 0; i < nodeCount; i++) {
    const type = i === 0 ? 'trigger.incomingCall' : types[(i - 1) % types.length]!.type;
    nodes.push({
      id: `n${i}`,
      type,
      position: { x: (i % columns) * 320, y: Math.floor(i / columns) * 260 },
      config: defaultConfig(type)!,
    });
  }
  const outcomes = nodes.map((n) => {
    const d = listNodeTypes().find((t) => t.type === n.type)!;
    return d.terminal ? [] : outcomesOf(d, n.config).map((o) => o.id);
  });
  const edges: FlowDocument['edges'] = [];
  const used = new Set<string>();
  for (let round = 0; edges.length < edgeCount && round < 10; round++) {
    for (let i = 0; i < nodeCount - 1 && edges.length < edgeCount; i++) {
      const outcome = outcomes[i]![round];
      if (!outcome) continue;
      const target = Math.min(nodeCount - 1, i + (round === 0 ? 1 : round * columns + 1));
      if (target === i || used.has(`${i}:${outcome}`)) continue;
      used.add(`${i}:${outcome}`);
      edges.push({
        id: `e${edges.length}`,
        source: `n${i}`,
        sourceOutcome: outcome,
        target: `n${target}`,
      });
    }
  }
  return { schemaVersion: 1, name: `Benchmark ${nodeCount} nodes`, nodes, edges };
}
