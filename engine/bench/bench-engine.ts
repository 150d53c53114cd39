/**
 * What the engine benchmarks over HTTP share: the real engine on a fresh embedded Postgres in a
 * temp folder, a client on the same database to seed it, and an admin session for the API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Engine } from '../src/app.js';

const PASSWORD = 'bench-password-1234';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

export interface ApiResponse {
  body: Record<string, unknown>;
  headers: Headers;
  text: string;
}

export interface BenchEngine {
  dir: string;
  /** The engine's base URL. */
  url: string;
  databaseUrl: string;
  app: Engine['app'];
  db: pg.Client;
  /** A JSON request as the admin; throws unless 2xx. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  stop(): Promise<void>;
}

/** `name` tells the temp folders apart; `extraEnv` adds to (or overrides) the engine's settings. */
export async function startBenchEngine(
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<BenchEngine> {
  const dir = await mkdtemp(join(tmpdir(), `switchboard-bench-${name}-`));
  // Undone in reverse, so that a setup failing halfway leaves no server or folder behind.
  const undo: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    // The built engine (`npm run bench` runs `tsc -b` first): tsx would not emit the decorator
    // metadata Nest's dependency injection reads.
    const { startEmbeddedPostgres } = await import('../dist/src/database/embedded-postgres.js');
    const { loadConfig } = await import('../dist/src/config/config.js');
    const { startEngine } = await import('../dist/src/app.js');
    const { createLogger } = await import('../dist/src/logging/logger.js');
    const logger = createLogger('warn');
    const server = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), logger });
    undo.push(() => server.stop());
    const engine = await startEngine(
      loadConfig({
        DATABASE_URL: server.url,
        PORT: '0',
        LOG_LEVEL: 'warn',
        SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
        SWITCHBOARD_DESIGNER_DIR: join(dir, 'no-designer'),
        ...extraEnv,
      }),
      logger,
    );
    undo.push(() => engine.close());
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    undo.push(() => db.end());

    const login = await fetch(`${engine.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const api: BenchEngine['api'] = async (method, path, body, headers = {}) => {
      const res = await fetch(`${engine.url}${path}`, {
        method,
        headers: { cookie, 'content-type': 'application/json', ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return { body: JSON.parse(text) as Record<string, unknown>, headers: res.headers, text };
    };
    return { dir, url: engine.url, databaseUrl: server.url, app: engine.app, db, api, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
