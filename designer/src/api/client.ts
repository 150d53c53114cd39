import type { FlowDocument, ValidationIssue } from '@switchboard/flow';

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
    throw new ApiError(response.status, problem);
  }
  return data as T;
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
  rollback: (id: string, version: number, comment: string) =>
    request<{ version: number }>('POST', `/api/flows/${enc(id)}/rollback`, {
      body: { version, comment },
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
