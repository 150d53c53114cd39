export interface ValidationIssue {
  severity: 'error' | 'warning';
  nodeId?: string;
  edgeId?: string;
  /** From the document root, e.g. ['nodes', 3, 'config', 'target']. */
  path: (string | number)[];
  /** Written for a business analyst. */
  message: string;
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
