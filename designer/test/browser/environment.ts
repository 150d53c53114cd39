import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export const designerDir = fileURLToPath(new URL('../..', import.meta.url));
export const repoDir = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a loud message,
 * except under CI, where a missing Chromium is a failure.
 */
export function browserAvailability(): { run: true } | { run: false; reason: string } {
  if (existsSync(CHROMIUM)) return { run: true };
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI) {
    throw new Error(`designer browser tests: ${reason}; under CI they must run.`);
  }
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n!!! SKIPPING the designer browser tests: ${reason}.\n!!! They run (and must pass) under CI.\n${bar}\n`,
  );
  return { run: false, reason };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Builds the designer once into a temp folder (the files the engine serves in production). */
export async function buildDesigner(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await productionBuild(() =>
    build({
      mode: 'production',
      root: designerDir,
      configFile: join(designerDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    }),
  );
}

/** vitest sets NODE_ENV=test, which would bundle React's development build. */
async function productionBuild<T>(run: () => Promise<T>): Promise<T> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await run();
  } finally {
    process.env.NODE_ENV = previous;
  }
}

/** The benchmark reuses this: the built designer's bench page. */
export async function buildBench(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await productionBuild(() =>
    build({
      mode: 'production',
      root: designerDir,
      configFile: join(designerDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        rollupOptions: { input: join(designerDir, 'bench', 'bench.html') },
        // BENCH_MINIFY=0 keeps function names readable in CPU profiles.
        minify: process.env.BENCH_MINIFY !== '0',
      },
    }),
  );
}

export interface RunningEngine {
  url: string;
  adminPassword: string;
  /** The ACS emulator `npm start` runs beside the engine (real calls); control API at /emulator. */
  emulatorUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the real engine as `npm start` does (node engine/dist/src/main.js, built with tsc -b
 * first) on free loopback ports, with its embedded Postgres in a temp data folder, serving the
 * designer built at `designerDist`.
 */
export async function startEngine(designerDist: string): Promise<RunningEngine> {
  const tsc = spawnSync(
    process.execPath,
    [join(repoDir, 'node_modules/typescript/bin/tsc'), '-b', 'engine'],
    {
      cwd: repoDir,
      encoding: 'utf8',
    },
  );
  const main = join(repoDir, 'engine/dist/src/main.js');
  if (tsc.status !== 0) {
    if (!existsSync(main)) {
      throw new Error(`could not build the engine:\n${tsc.stdout}\n${tsc.stderr}`);
    }
    console.warn(
      `designer browser tests: tsc -b engine reported errors; using engine/dist as built:\n${tsc.stdout}`,
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-designer-test-'));
  const port = await freePort();
  const postgresPort = await freePort();
  const emulatorPort = await freePort();
  const adminPassword = 'designer-test-admin-password';
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: repoDir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_POSTGRES_PORT: String(postgresPort),
      EMULATOR_PORT: String(emulatorPort),
      SWITCHBOARD_ADMIN_PASSWORD: adminPassword,
      SWITCHBOARD_DESIGNER_DIR: designerDist,
      // For the HTTP request node's secrets (http-request.spec.ts).
      SWITCHBOARD_SECRETS_KEY: 'b'.repeat(64),
      DATABASE_URL: '',
      LOG_LEVEL: process.env.ENGINE_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 180_000;
  for (;;) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 300, 'wait'))]);
    if (code !== 'wait') throw new Error(`the engine exited (${String(code)}):\n${output}`);
    try {
      const health = await fetch(`${url}/health`);
      if (health.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the engine did not become healthy in time:\n${output}`);
    }
  }

  return {
    url,
    adminPassword,
    emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
