import { afterAll, beforeAll } from 'vitest';
import { startEngine, type Engine } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { useTestDatabase } from './database.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export type As =
  | 'anonymous'
  | 'viewer'
  | 'editor'
  | 'publisher'
  | 'admin'
  | 'runner'
  | { token: string }
  | { cookie: string };

export interface TestEngine {
  engine: Engine;
  url: string;
  databaseUrl: string;
  /** fetch against the engine as a principal. `body` objects are sent as JSON; strings as-is. */
  request(
    method: string,
    path: string,
    options?: { as?: As; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** request() and parse the JSON answer. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  json<T = any>(
    method: string,
    path: string,
    options?: { as?: As; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  login(username: string, password: string): Promise<string>;
}

/**
 * Starts the engine for this test file on its own database (port 0), with a signed-in user per
 * human role and a `runner` API token.
 */
export function useEngine(env: Record<string, string> = {}): TestEngine {
  const databaseUrl = useTestDatabase({ migrate: false });
  const credentials = new Map<string, string>();
  let engine: Engine | undefined;

  const te: TestEngine = {
    get engine() {
      if (!engine) throw new Error('engine not started');
      return engine;
    },
    get url() {
      return te.engine.url;
    },
    get databaseUrl() {
      return databaseUrl();
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const as = options.as ?? 'admin';
      if (typeof as === 'object') {
        if ('token' in as) headers.authorization = `Bearer ${as.token}`;
        else headers.cookie = as.cookie;
      } else if (as !== 'anonymous') {
        const credential = credentials.get(as);
        if (!credential) throw new Error(`no credential for ${as}`);
        if (as === 'runner') headers.authorization = `Bearer ${credential}`;
        else headers.cookie = credential;
      }
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      // As the designer does: every state-changing request is JSON, also with no body.
      if (body !== undefined || !['GET', 'HEAD'].includes(method)) {
        headers['content-type'] ??= 'application/json';
      }
      return fetch(`${te.url}${path}`, { method, headers, body, redirect: 'manual' });
    },
    async json(method, path, options) {
      const res = await te.request(method, path, options);
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? JSON.parse(text) : undefined,
      };
    },
    async login(username, password) {
      const res = await te.request('POST', '/api/auth/login', {
        as: 'anonymous',
        body: { username, password },
      });
      if (res.status !== 200)
        throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
      const cookie = res.headers.get('set-cookie');
      if (!cookie) throw new Error('no cookie');
      return cookie.split(';')[0]!;
    },
  };

  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: databaseUrl(),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    });
    engine = await startEngine(config);
    credentials.set('admin', await te.login('admin', ADMIN_PASSWORD));
    for (const role of ['viewer', 'editor', 'publisher'] as const) {
      const created = await te.json('POST', '/api/users', {
        body: { username: role, role, password: `${role}-password` },
      });
      if (created.status !== 201)
        throw new Error(`create ${role}: ${JSON.stringify(created.body)}`);
      credentials.set(role, await te.login(role, `${role}-password`));
    }
    const token = await te.json('POST', '/api/tokens', {
      body: { name: 'runner', role: 'runner' },
    });
    credentials.set('runner', token.body.token);
  });
  afterAll(async () => {
    await engine?.close();
  });
  return te;
}
