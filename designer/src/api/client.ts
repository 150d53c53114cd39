import type { FlowDocument, Scenario, TraceEntry, ValidationIssue } from '@switchboard/flow';
import type { paths } from './engine-api.js';

/**
 * An error answer. Hand-written rather than the document's problem schema: an ApiError is made
 * from any failed answer (a proxy's HTML, a bare status), and the engine adds extension members
 * (a 409's revision) the schema doesn't list.
 */
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

/*
 * Requests and answers are the generated types of the engine's OpenAPI document
 * (engine-api.ts). The engine's schemas are inline (zod → JSON Schema), so they have no names of
 * their own: the names below are the designer's, each pointing at one operation's body or answer.
 */
type Method = 'get' | 'put' | 'post' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Responses<P extends keyof paths, M extends Method> = Operation<P, M>['responses'];
/** The JSON an operation answers with on `status`. */
type Answer<
  P extends keyof paths,
  M extends Method,
  S extends number = 200,
> = S extends keyof Responses<P, M>
  ? Responses<P, M>[S] extends { content: { 'application/json': infer T } }
    ? T
    : never
  : never;
/** The JSON body an operation takes. */
type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer T } } }
    ? T
    : never;
/**
 * The document the JSON Schema was made from: @switchboard/flow's FlowDocument says more (e.g.
 * each node's config) than the schema can.
 */
type WithDocument<T, K extends keyof T> = Omit<T, K> & { [key in K]: FlowDocument };

type EngineMe = Answer<'/api/auth/me', 'get'>;
/** Who is signed in, as the session keeps it (normalizeMe in app/session.ts; it may lack the id). */
export type Me = Pick<EngineMe, 'name' | 'role'> & Partial<Pick<EngineMe, 'id'>>;
export type Role = Me['role'];
const ROLE_ORDER: Role[] = ['viewer', 'editor', 'publisher', 'admin'];

export function hasRole(role: Role | undefined, needed: Exclude<Role, 'runner'>): boolean {
  if (!role) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

/** The engine's list envelope (every list endpoint answers one; see FlowSummary & co.). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type FlowSummary = Answer<'/api/flows', 'get'>['items'][number];
export type VersionSummary = Answer<'/api/flows/{id}/versions', 'get'>['items'][number];
export type FlowDetail = WithDocument<Answer<'/api/flows/{id}', 'get'>, 'draft'>;
export type FlowVersion = WithDocument<
  Answer<'/api/flows/{id}/versions/{version}', 'get'>,
  'document'
>;
type CreateFlow = RequestBody<'/api/flows', 'post'>;
type SavedDraft = Answer<'/api/flows/{id}/draft', 'put'>;
type Published = Answer<'/api/flows/{id}/publish', 'post', 201>;
type Publish = RequestBody<'/api/flows/{id}/publish', 'post'>;
type RolledBack = Answer<'/api/flows/{id}/rollback', 'post', 201>;
type Rollback = RequestBody<'/api/flows/{id}/rollback', 'post'>;
type Imported = Answer<'/api/flows/import', 'post', 201>;
type ImportedFlow = { flow: WithDocument<Imported['flow'], 'draft'>; issues: ValidationIssue[] };

export type EntryPoint = Answer<'/api/entry-points', 'get'>['items'][number];
export type EnvironmentNames = Answer<'/api/environment/names', 'get'>;
export type EnvironmentValue = Answer<'/api/environment/values/{name}', 'put'>;
export type SecretInfo = Answer<'/api/environment/secrets/{name}', 'put'>;
export type User = Answer<'/api/users', 'get'>['items'][number];
export type CreatedUser = Answer<'/api/users', 'post', 201>;
export type ApiToken = Answer<'/api/tokens', 'get'>['items'][number];
export type CreatedToken = Answer<'/api/tokens', 'post', 201>;
export type AuditEntry = Answer<'/api/audit', 'get'>['items'][number];
/** Another editor tab that has a flow open (another user's, or the caller's own: `self`). */
export type Presence = Answer<'/api/flows/{id}/presence', 'put'>['items'][number];
type BindEntryPoint = RequestBody<'/api/entry-points/{address}', 'put'>;

/** One call handled by a flow (a row of `GET /api/runs`). */
export type RunDto = Answer<'/api/runs', 'get'>['items'][number];
export type RunStatus = RunDto['status'];

type EngineRunDetail = Answer<'/api/runs/{id}', 'get'>;
type EngineRunStep = EngineRunDetail['steps'][number];

/**
 * An ACS action the engine sent; `kind` is e.g. answer, play, recognize, transfer, end. The
 * document leaves actions open (one schema per executor would tie it to ACS); these members are
 * the ones every action has.
 */
export type RunAction = EngineRunStep['actions'][number] & {
  kind: string;
  nodeId?: string;
  id?: string;
};

/** One applied event: what came in, what the interpreter did (its trace), what was sent. */
export type RunStep = Omit<EngineRunStep, 'trace' | 'actions'> & {
  trace: TraceEntry[];
  actions: RunAction[];
};

/** The emulated call behind a test run. */
export type TestCall = Omit<NonNullable<EngineRunDetail['testCall']>, 'timeline'> & {
  timeline: TestTimelineEntry[];
};
export type TestParticipant = TestCall['participants'][number];
export type TestParticipantRole = TestParticipant['role'];
/** Something the caller heard, in order. */
export type HeardEntry = TestCall['heard'][number];
/** The emulator's timeline entries are open records; each has these two. */
export type TestTimelineEntry = NonNullable<EngineRunDetail['testCall']>['timeline'][number] & {
  at: string;
  kind: string;
};

export type RunDetail = Omit<EngineRunDetail, 'steps' | 'testCall'> & {
  steps: RunStep[];
  testCall: TestCall | null;
};

export type TestCallRequest = RequestBody<'/api/flows/{id}/test-calls', 'post'>;
/** What the emulated caller does, and when (the emulator's caller script). */
export type ScriptStep = NonNullable<TestCallRequest['callerScript']>[number];
/** How a simulated callee (transfer and add-participant targets) answers. */
export type CalleeBehaviour = NonNullable<TestCallRequest['targets']>[string];
export type TestInput = RequestBody<'/api/runs/{id}/test-input', 'post'>;

/** Path analytics of a flow: runs per edge, per node entered and ended (with end reasons). */
export type FlowAnalytics = Answer<'/api/flows/{id}/analytics', 'get'>;
/** Range, version, and real calls (test 'false', the engine's default), test calls or both ('all'). */
export type AnalyticsQuery = NonNullable<
  Operation<'/api/flows/{id}/analytics', 'get'>['parameters']['query']
>;

/** Replay of recorded calls on the saved draft or a version (`POST /api/flows/{id}/replay`). */
export type ReplayRequest = RequestBody<'/api/flows/{id}/replay', 'post'>;
export type ReplayAnswer = Answer<'/api/flows/{id}/replay', 'post'>;
export type ReplayRun = ReplayAnswer['results'][number];
export type ReplayStatus = ReplayRun['status'];
export type ReplayEndCount = ReplayAnswer['summary']['endsBefore'][number];
/** Save as test: the scenario made from a run, appended to the flow's draft on the server. */
export type SavedScenario = Omit<Answer<'/api/flows/{id}/scenarios', 'post', 201>, 'scenario'> & {
  scenario: Scenario;
};
type SaveAsScenario = RequestBody<'/api/flows/{id}/scenarios', 'post'>;

/**
 * A 409 on a draft save: someone else saved first. The engine's document describes the answer as
 * a plain problem; the members that name who saved are extensions it describes only in prose.
 */
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
  // Every state-changing request is JSON, also with no body: the engine refuses other types on
  // cookie-authenticated changes (a page on another site could send those without asking).
  if (options.body !== undefined || (method !== 'GET' && method !== 'HEAD')) {
    headers['content-type'] = 'application/json';
  }
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
  const revision = (raw['revision'] ?? raw['draftRevision']) as FlowDetail['revision'];
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
    request<Answer<'/api/auth/login', 'post'>>('POST', '/api/auth/login', {
      body: { username, password } satisfies RequestBody<'/api/auth/login', 'post'>,
      quiet401: true,
    }),
  logout: () => request<void>('POST', '/api/auth/logout'),

  listFlows: (cursor?: string) =>
    request<Answer<'/api/flows', 'get'>>(
      'GET',
      `/api/flows${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  getFlow: async (id: string) =>
    normalizeFlow(await request<Record<string, unknown>>('GET', `/api/flows/${enc(id)}`)),
  /** A new flow: an empty canvas (the analyst drags the trigger in), or a starter template. */
  createFlow: (name: string, template?: Omit<FlowDocument, 'name'>) =>
    request<FlowDetail>('POST', '/api/flows', {
      body: {
        name,
        document: (template
          ? { ...template, name }
          : { schemaVersion: 1, name, nodes: [], edges: [] }) as CreateFlow['document'],
      } satisfies CreateFlow,
    }),
  saveDraft: (id: string, document: FlowDocument, revision: number | string) =>
    request<SavedDraft>('PUT', `/api/flows/${enc(id)}/draft`, {
      body: document,
      headers: { 'if-match': String(revision) },
    }),
  validate: (id: string) =>
    request<Answer<'/api/flows/{id}/validate', 'post'>>('POST', `/api/flows/${enc(id)}/validate`),
  publish: (id: string, comment: string, revision?: number | string) =>
    request<Published>('POST', `/api/flows/${enc(id)}/publish`, {
      body: (typeof revision === 'number' ? { comment, revision } : { comment }) satisfies Publish,
    }),
  listVersions: (id: string, cursor?: string) =>
    request<Answer<'/api/flows/{id}/versions', 'get'>>(
      'GET',
      `/api/flows/${enc(id)}/versions${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  getVersion: (id: string, version: number) =>
    request<FlowVersion>('GET', `/api/flows/${enc(id)}/versions/${version}`),
  /** Publishes a copy of `version` and replaces the draft (at `revision`, else 409) with it. */
  rollback: (id: string, version: number, comment: string, revision?: number) =>
    request<RolledBack>('POST', `/api/flows/${enc(id)}/rollback`, {
      body: {
        version,
        comment,
        ...(revision !== undefined ? { revision } : {}),
      } satisfies Rollback,
    }),
  exportUrl: (id: string) => `/api/flows/${enc(id)}/export`,
  importFlow: async (document: unknown) => {
    const result = await request<ImportedFlow | FlowDetail>('POST', '/api/flows/import', {
      body: document,
    });
    return 'flow' in result ? result.flow : result;
  },
  archiveFlow: (id: string) => request<void>('DELETE', `/api/flows/${enc(id)}`),
  /** This tab's heartbeat on a flow it has open; answers the other tabs that have it open. */
  presence: (flowId: string, tabId: string) =>
    request<Answer<'/api/flows/{id}/presence', 'put'>>(
      'PUT',
      `/api/flows/${enc(flowId)}/presence`,
      { body: { tabId } satisfies RequestBody<'/api/flows/{id}/presence', 'put'> },
    ),
  leaveUrl: (flowId: string, tabId: string) => `/api/flows/${enc(flowId)}/presence/${enc(tabId)}`,

  /** `flowId`: only the entry points of that flow. */
  listEntryPoints: (cursor?: string, flowId?: string) => {
    const params = new URLSearchParams();
    if (cursor) params.set('cursor', cursor);
    if (flowId) params.set('flowId', flowId);
    const search = params.toString();
    return request<Answer<'/api/entry-points', 'get'>>(
      'GET',
      `/api/entry-points${search ? `?${search}` : ''}`,
    );
  },
  bindEntryPoint: (address: string, flowId: string, version?: number) =>
    request<Answer<'/api/entry-points/{address}', 'put'>>(
      'PUT',
      `/api/entry-points/${enc(address)}`,
      {
        body: (version === undefined ? { flowId } : { flowId, version }) satisfies BindEntryPoint,
      },
    ),
  unbindEntryPoint: (address: string) =>
    request<void>('DELETE', `/api/entry-points/${enc(address)}`),

  environmentNames: () => request<EnvironmentNames>('GET', '/api/environment/names'),
  listEnvironmentValues: () =>
    request<Answer<'/api/environment/values', 'get'>>('GET', '/api/environment/values'),
  putEnvironmentValue: (name: string, value: string) =>
    request<EnvironmentValue>('PUT', `/api/environment/values/${enc(name)}`, {
      body: { value } satisfies RequestBody<'/api/environment/values/{name}', 'put'>,
    }),
  deleteEnvironmentValue: (name: string) =>
    request<void>('DELETE', `/api/environment/values/${enc(name)}`),
  listSecrets: () =>
    request<Answer<'/api/environment/secrets', 'get'>>('GET', '/api/environment/secrets'),
  /** Write-only: the answer never carries the value. */
  putSecret: (name: string, value: string) =>
    request<SecretInfo>('PUT', `/api/environment/secrets/${enc(name)}`, {
      body: { value } satisfies RequestBody<'/api/environment/secrets/{name}', 'put'>,
    }),
  deleteSecret: (name: string) => request<void>('DELETE', `/api/environment/secrets/${enc(name)}`),
  listUsers: (cursor?: string) =>
    request<Answer<'/api/users', 'get'>>(
      'GET',
      `/api/users${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  createUser: (body: RequestBody<'/api/users', 'post'>) =>
    request<CreatedUser>('POST', '/api/users', { body }),
  deleteUser: (id: string) => request<void>('DELETE', `/api/users/${enc(id)}`),
  listTokens: (cursor?: string) =>
    request<Answer<'/api/tokens', 'get'>>(
      'GET',
      `/api/tokens${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  createToken: (body: RequestBody<'/api/tokens', 'post'>) =>
    request<CreatedToken>('POST', '/api/tokens', { body }),
  revokeToken: (id: string) => request<void>('DELETE', `/api/tokens/${enc(id)}`),
  listAudit: (cursor?: string) =>
    request<Answer<'/api/audit', 'get'>>(
      'GET',
      `/api/audit${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),

  /** `query`: a query string as built by `runsQuery` (calls/callFilters.ts). */
  listRuns: (query: string) =>
    request<Answer<'/api/runs', 'get'>>('GET', `/api/runs${query ? `?${query}` : ''}`),
  getRun: (id: string) => request<RunDetail>('GET', `/api/runs/${enc(id)}`),
  /** The flow document the run used: its published version, or the draft snapshot it tested. */
  getRunDocument: (id: string) => request<FlowDocument>('GET', `/api/runs/${enc(id)}/document`),
  runStreamUrl: (id: string) => `/api/runs/${enc(id)}/stream`,
  /** Replays recorded calls on the saved draft (or a version): which would now go elsewhere. */
  replay: (flowId: string, body: ReplayRequest) =>
    request<ReplayAnswer>('POST', `/api/flows/${enc(flowId)}/replay`, { body }),
  /** Save as test: appends a scenario made from the run to the flow's draft (new revision). */
  saveRunAsScenario: (flowId: string, runId: string, name?: string) =>
    request<SavedScenario>('POST', `/api/flows/${enc(flowId)}/scenarios`, {
      body: (name ? { runId, name } : { runId }) satisfies SaveAsScenario,
    }),
  analytics: (flowId: string, query: AnalyticsQuery) => {
    const params = new URLSearchParams();
    if (query.from) params.set('from', query.from);
    if (query.to) params.set('to', query.to);
    if (query.version !== undefined) params.set('version', String(query.version));
    if (query.test) params.set('test', query.test);
    const search = params.toString();
    return request<FlowAnalytics>(
      'GET',
      `/api/flows/${enc(flowId)}/analytics${search ? `?${search}` : ''}`,
    );
  },
  startTestCall: (flowId: string, body: TestCallRequest) =>
    request<RunDetail>('POST', `/api/flows/${enc(flowId)}/test-calls`, { body }),
  sendTestInput: (runId: string, body: TestInput) =>
    request<Answer<'/api/runs/{id}/test-input', 'post', 202>>(
      'POST',
      `/api/runs/${enc(runId)}/test-input`,
      { body },
    ),
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
