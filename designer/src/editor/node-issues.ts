/**
 * Validation runs on every change and answers a fresh list of issues each time. The canvas shows
 * them as badges per node, and a node re-renders when its issues array changes identity — so the
 * grouping per node keeps the previous array wherever the issues are the same, and a 1,000-node
 * flow re-renders only the nodes whose problems changed.
 */
import type { ValidationIssue } from '@switchboard/flow';

/** A validator issue (`validateFlow` of @switchboard/flow). */
export type Issue = ValidationIssue;

function sameIssues(a: Issue[] | undefined, b: Issue[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every(
    (x, i) =>
      x.message === b[i]!.message &&
      x.severity === b[i]!.severity &&
      x.path.join('.') === b[i]!.path.join('.'),
  );
}

/** Issues per node id, reusing `previous`'s arrays that are unchanged. */
export function issuesByNode(
  issues: Issue[],
  previous: Record<string, Issue[]>,
): Record<string, Issue[]> {
  const grouped: Record<string, Issue[]> = {};
  for (const issue of issues) {
    if (issue.nodeId) (grouped[issue.nodeId] ??= []).push(issue);
  }
  for (const [id, list] of Object.entries(grouped)) {
    if (sameIssues(previous[id], list)) grouped[id] = previous[id]!;
  }
  return grouped;
}
