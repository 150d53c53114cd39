import type { ValidationIssue } from './issue.js';
import { nodeName, type FlowIndex, type NodeInfo } from './validate-flow.js';

// What the flow may hold when it reaches a node; a node can be reached in several of these.
export const RINGING = 1; // an incoming call not answered yet (or an outbound call not placed yet)
export const CONNECTED = 2;
export const GONE = 4; // answering or calling failed: nothing left to act on, so nothing to check

/**
 * Call-control order: a call must be answered before media or participant actions, and
 * can only be rejected or redirected (or answered) while it is still ringing. One pass over
 * (node, call state) pairs: at most three visits per node.
 */
export function checkCallOrder(index: FlowIndex, issues: ValidationIssue[]): Uint8Array {
  const states = new Uint8Array(index.nodes.length);
  const start = index.triggers[0];
  if (!start) return states;
  const reported = new Set<number>();
  const queue: number[] = [];
  const reach = (i: number, s: number) => {
    if ((states[i] as number) & s) return;
    states[i] = (states[i] as number) | s;
    queue.push(i);
  };
  // A subflow is a shared module for answered calls (its callers answer first): it starts connected.
  reach(start.index, start.desc?.trigger === 'subflow' ? CONNECTED : RINGING);

  const report = (info: NodeInfo, message: string) => {
    if (reported.has(info.index)) return;
    reported.add(info.index);
    issues.push({ severity: 'error', nodeId: info.node.id, path: ['nodes', info.index], message });
  };

  for (let q = 0; q < queue.length; q++) {
    const info = index.nodes[queue[q] as number] as NodeInfo;
    const s = states[info.index] as number;
    const role = info.desc?.callControl ?? 'none';
    if (role === 'needsConnectedCall' && s & RINGING) {
      report(
        info,
        `The call must be answered before ${nodeName(info)}: add “Answer” (or reject / redirect the call) before it`,
      );
    }
    if ((role === 'releases' || (role === 'establishes' && !info.desc?.trigger)) && s & CONNECTED) {
      report(
        info,
        `${nodeName(info)} only works on a call that is still ringing, but the call is already answered here`,
      );
    }
    for (const { to, outcome } of info.next) reach(to, callAfter(info, outcome, s));
  }
  return states;
}

/** The call's possible states after `info` takes `outcome`, when it held `s` on entering. */
export function callAfter(info: NodeInfo, outcome: string, s: number): number {
  if (info.desc?.callControl !== 'establishes') return s;
  return info.outcomes?.get(outcome)?.failure ? GONE : CONNECTED;
}
