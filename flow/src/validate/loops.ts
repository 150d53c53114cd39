import type { ValidationIssue } from './issue.js';
import { nodeName, type FlowIndex, type NodeInfo } from './validate-flow.js';

/**
 * A cycle made only of nodes that never wait (logic) would spin forever within one step.
 * Finds strongly connected components of the non-waiting subgraph (iterative Tarjan, so long
 * chains cannot overflow the stack) and reports each that contains a cycle.
 */
export function findBusyLoops(index: FlowIndex, issues: ValidationIssue[]): void {
  const n = index.nodes.length;
  // Unknown node types count as waiting so that one error does not cause another.
  const busy = (i: number) => {
    const d = index.nodes[i]?.desc;
    return d !== undefined && !d.waits;
  };
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (!busy(root) || order[root] !== -1) continue;
    // Each frame: node and the position in its edge list.
    const frames: [number, number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as [number, number];
      const [v, pos] = frame;
      const next = (index.nodes[v] as NodeInfo).next;
      if (pos < next.length) {
        frame[1] = pos + 1;
        const w = (next[pos] as { to: number }).to;
        if (!busy(w)) continue;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] as number, order[w] as number);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] !== order[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop() as number;
        onStack[w] = 0;
        component.push(w);
      } while (w !== v);
      const selfLoop = (index.nodes[v] as NodeInfo).next.some((e) => e.to === v);
      if (component.length > 1 || selfLoop) report(index, component.reverse(), issues);
    }
  }
}

function report(index: FlowIndex, component: number[], issues: ValidationIssue[]): void {
  const names = component.slice(0, 5).map((i) => nodeName(index.nodes[i] as NodeInfo));
  const more = component.length > 5 ? ` and ${component.length - 5} more` : '';
  for (const i of component) {
    const info = index.nodes[i] as NodeInfo;
    issues.push({
      severity: 'error',
      nodeId: info.node.id,
      path: ['nodes', info.index],
      message: `Endless loop: ${names.join(' → ')}${more} can repeat forever without waiting for the caller; add a node that waits (e.g. a menu or a message) to the loop`,
    });
  }
}
