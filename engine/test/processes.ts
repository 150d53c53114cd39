import type { ChildProcess } from 'node:child_process';
import { ADMIN_PASSWORD } from './engine.js';
import { buildEngine, spawnEngineChild } from './support/engine-child.js';
import type { Api } from './calls.js';

export { buildEngine };

/** A small API client for an engine at `url`, signed in as the admin. */
export async function apiClient(url: string): Promise<Api> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return {
    async json(method, path, options = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          cookie,
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? JSON.parse(text) : undefined,
      };
    },
  };
}

export interface ChildEngine {
  name: string;
  url: string;
  proc: ChildProcess;
  /** Log lines (pino JSON on stdout, anything on stderr). */
  logs: string[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** Sum of a Prometheus counter's samples whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/**
 * Runs the built engine (`node engine/dist/src/main.js`) as a child process configured by
 * environment variables only, and resolves once it is ready (or rejects with its log).
 */
export async function spawnEngine(
  name: string,
  port: number,
  env: Record<string, string>,
  /** Modules preloaded into the engine process (`node --import`), e.g. a fault injection. */
  preload: string[] = [],
): Promise<ChildEngine> {
  const child = await spawnEngineChild({
    name,
    preload,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      SWITCHBOARD_SEED_EXAMPLES: 'false',
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
    timeoutMs: 60_000,
  });
  const url = child.url;
  return {
    ...child,
    name,
    async metric(metric, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!m || m[1] !== metric) continue;
        const have = Object.fromEntries(
          [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
        );
        if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
      }
      return sum;
    },
  };
}
