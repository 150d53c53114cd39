import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/database/embedded-postgres.js';

/**
 * The one way tests and benchmarks run the built engine as a child process (`node
 * engine/dist/src/main.js`, as `npm start` does) and wait until it is ready, and the one way they
 * pick a free loopback port (the engine's own freePort).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ENGINE_MAIN = join(root, 'engine', 'dist', 'src', 'main.js');

export { freePort };

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
        if (existsSync(ENGINE_MAIN)) {
          console.warn(`tsc -b engine reported errors; running dist/ as emitted:\n${stdout}`);
          return resolve();
        }
        reject(new Error(`tsc -b engine failed: ${err.message}\n${stdout}\n${stderr}`));
      },
    );
  });
  return built;
}

export interface EngineChild {
  url: string;
  proc: ChildProcess;
  /** Log lines (pino JSON on stdout, anything on stderr). */
  logs: string[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Builds and starts the engine with `env` (PORT must be in it) and resolves once it is ready:
 * its banner printed (everything, the initial admin included, is set up) and /health answering
 * 200. Rejects with the last log lines if it exits or is not ready within `timeoutMs`.
 */
export async function spawnEngineChild(options: {
  env: Record<string, string | undefined>;
  /** Modules preloaded into the engine process (`node --import`), e.g. a fault injection. */
  preload?: string[];
  name?: string;
  timeoutMs?: number;
}): Promise<EngineChild> {
  await buildEngine();
  const port = options.env.PORT;
  if (!port || port === '0') throw new Error('spawnEngineChild needs a PORT (see freePort)');
  const proc = spawn(
    process.execPath,
    [...(options.preload ?? []).flatMap((p) => ['--import', p]), ENGINE_MAIN],
    { cwd: root, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const fail = (why: string) => {
    proc.kill('SIGKILL');
    return new Error(
      `engine ${options.name ?? ''} ${why} (exit ${proc.exitCode}):\n${logs.slice(-30).join('\n')}`,
    );
  };
  for (;;) {
    if (proc.exitCode !== null) throw fail('exited before it was ready');
    if (Date.now() > deadline) throw fail('was not ready in time');
    // main.js prints its banner once everything (the initial admin included) is ready.
    if (logs.some((l) => l.includes('Switchboard engine'))) {
      const health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.ok) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
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
  };
}
