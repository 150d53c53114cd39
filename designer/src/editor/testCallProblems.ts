import type { FlowDocument, ValidationIssue } from '@switchboard/flow';
import { ApiError } from '../api/client.js';
import { nodeName } from '../calls/StepTimeline.js';

/** A refused test call in plain words: a headline and the points to act on. */
export interface TestCallProblem {
  title: string;
  lines: string[];
}

/** "nodes[3].config.target" → "Transfer to sales: target", when the document has that node. */
function wherePath(path: string, document: FlowDocument | undefined): string {
  const m = /^nodes\[(\d+)\](?:\.config)?\.?(.*)$/.exec(path);
  const node = m && document ? document.nodes[Number(m[1])] : undefined;
  if (!node) return path === '(root)' ? '' : path;
  return m![2] ? `${nodeName(node, node.id)}: ${m![2]}` : nodeName(node, node.id);
}

function problemLines(error: ApiError, document: FlowDocument | undefined): string[] {
  const issues = error.problem['issues'] as ValidationIssue[] | undefined;
  if (Array.isArray(issues) && issues.length > 0) {
    const nodes = new Map((document?.nodes ?? []).map((n) => [n.id, n]));
    return issues
      .filter((i) => i.severity === 'error')
      .map((i) =>
        i.nodeId ? `${nodeName(nodes.get(i.nodeId), i.nodeId)}: ${i.message}` : i.message,
      );
  }
  return (error.problem.errors ?? []).map((e) => {
    const path = Array.isArray(e.path) ? e.path.join('.') : e.path;
    const where = wherePath(path, document);
    // Validator messages often already start with the node's name.
    return where && !e.message.startsWith(where.split(':')[0]!)
      ? `${where}: ${e.message}`
      : e.message;
  });
}

/**
 * What the engine's 4xx answers to a test call mean for the analyst: the draft's problems (422),
 * a version that is gone (404), a refused setting (400), too many test calls at once (429).
 */
export function describeTestCallProblem(
  error: unknown,
  context: { document?: FlowDocument; version?: number } = {},
): TestCallProblem {
  if (!(error instanceof ApiError)) {
    return { title: 'The test call could not be started.', lines: [String(error)] };
  }
  const detail = error.problem.detail;
  switch (error.status) {
    case 422: {
      const lines = problemLines(error, context.document);
      return {
        title:
          context.version === undefined
            ? 'The draft has problems to fix before it can be tested:'
            : `Version ${context.version} cannot be tested:`,
        lines: lines.length > 0 ? lines : [detail ?? error.problem.title],
      };
    }
    case 404:
      return {
        title:
          context.version === undefined
            ? 'This flow was not found; it may have been archived.'
            : `Version ${context.version} of this flow does not exist.`,
        lines: detail ? [detail] : [],
      };
    case 400:
      return {
        title: 'Some test call settings were not accepted:',
        lines: problemLines(error, context.document).concat(
          error.problem.errors?.length ? [] : [detail ?? error.problem.title],
        ),
      };
    case 429: {
      const seconds =
        error.retryAfter ??
        (typeof error.problem['retryAfter'] === 'number'
          ? (error.problem['retryAfter'] as number)
          : undefined);
      return {
        title:
          seconds !== undefined
            ? `Too many test calls are running; try again in ${seconds} s.`
            : 'Too many test calls are running; try again shortly.',
        lines: [],
      };
    }
    case 401:
      return { title: 'Your session has ended; sign in again.', lines: [] };
    case 403:
      return { title: 'Placing test calls needs the editor role.', lines: [] };
    case 409:
      return { title: detail ?? 'The test call is not running any more.', lines: [] };
    default:
      return { title: 'The test call could not be started.', lines: [error.describe()] };
  }
}
