import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/config/config.js';
import { ADMIN_PASSWORD } from './engine.js';
import type { Api } from './calls.js';

const root = repoRoot();
const MAIN = join(root, 'engine', 'dist', 'src', 'main.js');

let built: Promise<void> | undefined;

/**
 * Builds the engine (`tsc -b engine`: incremental, about a second when nothing changed) so
 * child processes run the current source. A type error elsewhere in the tree (someone's work in
 * progress) still emits JavaScript; only a missing entry point is fatal.
 */
export function buildEngine(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFile(
      process.execPath,
      [tsc, '-b', 'engine'],
      { cwd: root, timeout: 180_000 },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        if (existsSync(MAIN)) {
          console.warn(`tsc -b engine reported errors; running dist/ as emitted:\n${stdout}`);
          return resolve();
        }
        reject(new Error(`tsc -b engine failed: ${err.message}\n${stdout}\n${stderr}`));
      },
    );
  });
  return built;
}

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
 * environment variables only, and resolves once /health answers (or rejects with its log).
 */
export async function spawnEngine(
  name: string,
  port: number,
  env: Record<string, string>,
  /** Modules preloaded into the engine process (`node --import`), e.g. a fault injection. */
  preload: string[] = [],
): Promise<ChildEngine> {
  await buildEngine();
  const proc = spawn(process.execPath, [...preload.flatMap((p) => ['--import', p]), MAIN], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      SWITCHBOARD_SEED_EXAMPLES: 'false',
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(line);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let up = false;
  while (!up) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(
        `engine ${name} did not start (exit ${proc.exitCode}):\n${logs.slice(-30).join('\n')}`,
      );
    }
    // main.js prints its banner once everything (the initial admin included) is ready.
    up = logs.some((l) => l.includes('Switchboard engine'));
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    url,
    proc,
    logs,
    exited,
    async stop(graceMs = 10_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
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
