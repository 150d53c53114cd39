import type { FlowDocument, TraceEntry, ValidationIssue } from '@switchboard/flow';

/** An `application/problem+json` answer from the engine. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string | (string | number)[]; message: string }[];
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds from a Retry-After header (429, 503), when the engine sent one. */
    readonly retryAfter?: number,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }

  /** Every message the problem carries, one per line, for showing to the user. */
  describe(): string {
    const lines = [this.problem.detail ?? this.problem.title];
    for (const e of this.problem.errors ?? []) {
      const path = Array.isArray(e.path) ? e.path.join('.') : e.path;
      lines.push(path ? `${path}: ${e.message}` : e.message);
    }
    return lines.join('\n');
  }
}

export type Role = 'viewer' | 'editor' | 'publisher' | 'admin' | 'runner';
const ROLE_ORDER: Role[] = ['viewer', 'editor', 'publisher', 'admin'];

export function hasRole(role: Role | undefined, needed: Exclude<Role, 'runner'>): boolean {
  if (!role) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

export interface Me {
  id?: string;
  name: string;
  role: Role;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FlowSummary {
  id: string;
  name: string;
  description?: string | null;
  latestVersion?: number | null;
  updatedAt?: string;
  updatedBy?: string | null;
  archivedAt?: string | null;
}

export interface VersionSummary {
  version: number;
  comment?: string | null;
  publishedBy?: string | null;
  publishedAt?: string;
  checksum?: string;
}

export interface FlowDetail extends FlowSummary {
  draft: FlowDocument;
  revision: number | string;
  versions: VersionSummary[];
}

export interface FlowVersion extends VersionSummary {
  document: FlowDocument;
}

export interface EntryPoint {
  address: string;
  flowId: string;
  flowName?: string;
  version?: number | null;
  effectiveVersion?: number | null;
  updatedAt?: string;
  updatedBy?: string;
}

export type RunStatus = 'running' | 'ended';

/** One call handled by a flow (a row of `GET /api/runs`). */
export interface RunDto {
  id: string;
  flowId: string;
  /** null: a test run of the draft. */
  version: number | null;
  draft: boolean;
  test: boolean;
  /** The simulated time a test run started at, when one was given. */
  clock: string | null;
  direction: 'incoming' | 'outbound';
  status: RunStatus;
  endReason: string | null;
  currentNodeId: string | null;
  from: string;
  to: string;
  callConnectionId: string | null;
  correlationId: string | null;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  startedBy: string;
}

/** An ACS action the engine sent; `kind` is e.g. answer, play, recognize, transfer, end. */
export interface RunAction {
  kind: string;
  nodeId?: string;
  id?: string;
  [key: string]: unknown;
}

/** One applied event: what came in, what the interpreter did, what was sent. */
export interface RunStep {
  seq: number;
  eventId: string;
  eventType: string;
  event: unknown;
  nodeId: string | null;
  outcomes: { nodeId: string; outcome: string }[];
  trace: TraceEntry[];
  actions: RunAction[];
  /** The run's variables after this step. */
  variables?: Record<string, string>;
  receivedAt: string;
  committedAt: string;
  /** Callback → commit latency. */
  ms: number;
}

export type TestParticipantRole = 'caller' | 'app' | 'callee';

export interface TestParticipant {
  rawId: string;
  role: TestParticipantRole;
  /** The emulator's state: connecting, ringing, connected, onHold, disconnected, … */
  state: string;
  /** decline, busy or noAnswer: a callee that never joined. */
  outcome?: string;
  isMuted: boolean;
  isOnHold: boolean;
}

/** Something the caller heard, in order. */
export interface HeardEntry {
  at: string;
  nodeId?: string;
  text?: string;
  voice?: string;
  url?: string;
}

export interface TestTimelineEntry {
  at: string;
  kind: string;
  [detail: string]: unknown;
}

/** The emulated call behind a test run. */
export interface TestCall {
  serverCallId: string | null;
  /** The emulator's call state. */
  state?: string | null;
  participants: TestParticipant[];
  heard: HeardEntry[];
  timeline: TestTimelineEntry[];
}

export interface RunDetail extends RunDto {
  variables: Record<string, string>;
  awaiting: { nodeId: string; operationContext: string; deadline: string | null } | null;
  steps: RunStep[];
  testCall: TestCall | null;
}

export type CalleeBehaviour = 'accept' | 'decline' | 'noAnswer' | 'busy';

/** What the emulated caller does, and when (the emulator's caller script). */
export interface ScriptStep {
  on?: 'ringing' | 'connected' | 'previous' | 'recognize' | 'play';
  afterMs?: number;
  dtmf?: string;
  gapMs?: number;
  say?: string;
  hangup?: boolean;
}

export interface TestCallRequest {
  draft?: true;
  version?: number;
  from?: string;
  to?: string;
  /** ISO 8601 with offset: the simulated time the call starts at. */
  clock?: string;
  variables?: Record<string, string>;
  callerScript?: ScriptStep[];
  /** How simulated callees (transfer and add-participant targets) answer. */
  targets?: Record<string, CalleeBehaviour>;
}

export interface TestInput {
  dtmf?: string;
  say?: string;
  hangUp?: true;
}

/** A 409 on a draft save: someone else saved first. */
export interface DraftConflict {
  revision: number | string;
  updatedBy?: string | null;
  updatedAt?: string;
}

let onUnauthorized: (() => void) | undefined;
/** Called when the session has expired (any 401 outside the login call). */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { title: text };
    }
  }
  if (!response.ok) {
    const problem: Problem =
      data && typeof data === 'object'
        ? ({ title: response.statusText, status: response.status, ...data } as Problem)
        : { title: response.statusText || `HTTP ${response.status}`, status: response.status };
    if (response.status === 401 && !options.quiet401) onUnauthorized?.();
    throw new ApiError(response.status, problem, retryAfterSeconds(response.headers));
  }
  return data as T;
}

/** Retry-After is either delta-seconds or an HTTP date. */
function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

const enc = encodeURIComponent;

/** Accepts either a bare document or an envelope the engine may wrap it in. */
function normalizeFlow(raw: Record<string, unknown>): FlowDetail {
  const draft = (raw['draft'] ?? raw['document'] ?? raw['draftDocument']) as FlowDocument;
  const revision = (raw['revision'] ?? raw['draftRevision']) as number | string;
  const versions = (raw['versions'] ?? []) as VersionSummary[] | Page<VersionSummary>;
  return {
    ...(raw as unknown as FlowSummary),
    draft,
    revision,
    versions: Array.isArray(versions) ? versions : versions.items,
  };
}

export const api = {
  me: () => request<Me>('GET', '/api/auth/me', { quiet401: true }),
  login: (username: string, password: string) =>
    request<Me>('POST', '/api/auth/login', { body: { username, password }, quiet401: true }),
  logout: () => request<void>('POST', '/api/auth/logout'),

  listFlows: (cursor?: string) =>
    request<Page<FlowSummary>>('GET', `/api/flows${cursor ? `?cursor=${enc(cursor)}` : ''}`),
  getFlow: async (id: string) =>
    normalizeFlow(await request<Record<string, unknown>>('GET', `/api/flows/${enc(id)}`)),
  /** A new flow with an empty canvas (the analyst drags the trigger in). */
  createFlow: (name: string) =>
    request<FlowDetail>('POST', '/api/flows', {
      body: { name, document: { schemaVersion: 1, name, nodes: [], edges: [] } },
    }),
  saveDraft: (id: string, document: FlowDocument, revision: number | string) =>
    request<{ revision: number | string; updatedAt?: string }>(
      'PUT',
      `/api/flows/${enc(id)}/draft`,
      {
        body: document,
        headers: { 'if-match': String(revision) },
      },
    ),
  validate: (id: string) =>
    request<{ issues: ValidationIssue[] }>('POST', `/api/flows/${enc(id)}/validate`),
  publish: (id: string, comment: string, revision?: number | string) =>
    request<{ version: number } & Partial<VersionSummary>>(
      'POST',
      `/api/flows/${enc(id)}/publish`,
      {
        body: typeof revision === 'number' ? { comment, revision } : { comment },
      },
    ),
  listVersions: (id: string, cursor?: string) =>
    request<Page<VersionSummary>>(
      'GET',
      `/api/flows/${enc(id)}/versions${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  getVersion: (id: string, version: number) =>
    request<FlowVersion>('GET', `/api/flows/${enc(id)}/versions/${version}`),
  /** Publishes a copy of `version` and replaces the draft (at `revision`, else 409) with it. */
  rollback: (id: string, version: number, comment: string, revision?: number) =>
    request<{ version: number; draftRevision: number }>('POST', `/api/flows/${enc(id)}/rollback`, {
      body: { version, comment, ...(revision !== undefined ? { revision } : {}) },
    }),
  exportUrl: (id: string) => `/api/flows/${enc(id)}/export`,
  importFlow: async (document: unknown) => {
    const result = await request<{ flow: FlowDetail; issues: ValidationIssue[] } | FlowDetail>(
      'POST',
      '/api/flows/import',
      { body: document },
    );
    return 'flow' in result ? result.flow : result;
  },
  archiveFlow: (id: string) => request<void>('DELETE', `/api/flows/${enc(id)}`),

  listEntryPoints: (cursor?: string) =>
    request<Page<EntryPoint>>('GET', `/api/entry-points${cursor ? `?cursor=${enc(cursor)}` : ''}`),
  bindEntryPoint: (address: string, flowId: string, version?: number) =>
    request<EntryPoint>('PUT', `/api/entry-points/${enc(address)}`, {
      body: version === undefined ? { flowId } : { flowId, version },
    }),
  unbindEntryPoint: (address: string) =>
    request<void>('DELETE', `/api/entry-points/${enc(address)}`),

  /** `query`: a query string as built by `runsQuery` (calls/callFilters.ts). */
  listRuns: (query: string) => request<Page<RunDto>>('GET', `/api/runs${query ? `?${query}` : ''}`),
  getRun: (id: string) => request<RunDetail>('GET', `/api/runs/${enc(id)}`),
  /** The flow document the run used: its published version, or the draft snapshot it tested. */
  getRunDocument: (id: string) => request<FlowDocument>('GET', `/api/runs/${enc(id)}/document`),
  runStreamUrl: (id: string) => `/api/runs/${enc(id)}/stream`,
  startTestCall: (flowId: string, body: TestCallRequest) =>
    request<RunDetail>('POST', `/api/flows/${enc(flowId)}/test-calls`, { body }),
  sendTestInput: (runId: string, body: TestInput) =>
    request<unknown>('POST', `/api/runs/${enc(runId)}/test-input`, { body }),
};

/** Every page of a list endpoint. */
export async function listAll<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}
