import type { RunStatus } from '../api/client.js';

/** Real calls, test calls, or both (the engine's `test` query: false, true, all). */
export type RunKind = 'real' | 'test' | 'all';

/** The Calls page's filters; every one lives in the URL (`#/calls?flowId=…`), so a view can be shared. */
export interface CallsFilters {
  flowId?: string;
  /** A published version, or 0: test calls of drafts. */
  version?: number;
  status?: RunStatus;
  /** Default: real calls only, as the engine's list does. */
  kind?: RunKind;
  /** ISO instants: started at or after `from`, before `to`. */
  from?: string;
  to?: string;
  /** Caller or dialled number. */
  number?: string;
  endReason?: string;
  /** Runs whose path entered this node. */
  nodeId?: string;
}

const KIND_TO_QUERY: Record<RunKind, string> = { real: 'false', test: 'true', all: 'all' };
const QUERY_TO_KIND: Record<string, RunKind> = { false: 'real', true: 'test', all: 'all' };

/**
 * The keys in a stable order, so the same filters always make the same URL (and the page's
 * effects, keyed by it, do not re-fetch for a mere reordering).
 */
const ORDER = [
  'flowId',
  'version',
  'nodeId',
  'status',
  'test',
  'from',
  'to',
  'number',
  'endReason',
] as const;

function toParams(filters: CallsFilters): URLSearchParams {
  const values: Record<(typeof ORDER)[number], string | undefined> = {
    flowId: filters.flowId || undefined,
    version: filters.version !== undefined ? String(filters.version) : undefined,
    nodeId: filters.nodeId || undefined,
    status: filters.status,
    // Real calls only is the engine's default too, so it needs no parameter.
    test: filters.kind && filters.kind !== 'real' ? KIND_TO_QUERY[filters.kind] : undefined,
    from: filters.from || undefined,
    to: filters.to || undefined,
    number: filters.number?.trim() || undefined,
    endReason: filters.endReason || undefined,
  };
  const params = new URLSearchParams();
  for (const key of ORDER) {
    const value = values[key];
    if (value !== undefined) params.set(key, value);
  }
  return params;
}

/** The filters from the route's query string (`flowId=x&nodeId=y&test=all`); unknown values drop. */
export function parseCallsFilters(query: string | URLSearchParams): CallsFilters {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const filters: CallsFilters = {};
  const text = (key: string) => params.get(key)?.trim() || undefined;
  const flowId = text('flowId');
  if (flowId) filters.flowId = flowId;
  const version = text('version');
  if (version && /^(0|[1-9]\d*)$/.test(version)) filters.version = Number(version);
  const nodeId = text('nodeId');
  if (nodeId) filters.nodeId = nodeId;
  const status = text('status');
  if (status === 'running' || status === 'ended') filters.status = status;
  const kind = QUERY_TO_KIND[text('test') ?? ''];
  if (kind && kind !== 'real') filters.kind = kind;
  for (const key of ['from', 'to'] as const) {
    const value = text(key);
    if (value && !Number.isNaN(Date.parse(value))) filters[key] = value;
  }
  const number = text('number');
  if (number) filters.number = number;
  const endReason = text('endReason');
  if (endReason) filters.endReason = endReason;
  return filters;
}

/** The route's query string for these filters ('' when none is set). */
export function formatCallsFilters(filters: CallsFilters): string {
  return toParams(filters).toString();
}

/** The query of `GET /api/runs` for these filters (newest first is the engine's order). */
export function runsQuery(
  filters: CallsFilters,
  page: { cursor?: string; limit?: number } = {},
): string {
  const params = toParams(filters);
  if (page.cursor) params.set('cursor', page.cursor);
  if (page.limit) params.set('limit', String(page.limit));
  return params.toString();
}

/** `<input type="datetime-local">` value (the browser's zone) → ISO instant; '' → undefined. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** ISO instant → `<input type="datetime-local">` value in the browser's zone. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
