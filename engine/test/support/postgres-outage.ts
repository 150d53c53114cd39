import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, type EmulatorOptions, startEmulator } from '@switchboard/emulator';
import { afterAll, beforeAll } from 'vitest';
import { type Engine, startEngine } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import {
  type EmbeddedPostgresHandle,
  freePort,
  startEmbeddedPostgres,
} from '../../src/database/embedded-postgres.js';
import { createLogger } from '../../src/logging/logger.js';
import { type Api, emulatorEnv, eventsUrl, waitFor } from '../calls.js';
import { ADMIN_PASSWORD } from '../engine.js';
import { apiClient } from '../processes.js';

export interface PostgresOutageHarness {
  readonly emulator: Emulator;
  readonly engine: Engine;
  readonly api: Api;
  stopPostgres(): Promise<void>;
  /** Starts the same cluster again, on the same port, as the engine knows it. */
  restartPostgres(): Promise<void>;
}

/**
 * An engine on a Postgres of its own (the shared test server in global-setup.ts serves every
 * file, so it cannot be stopped) and an emulator subscribed to it, for tests that take the
 * database away mid-call. Each test file says how the emulator retries and how long the engine
 * waits; the rest is the same.
 */
export function usePostgresOutageHarness(options: {
  name: string;
  emulator: EmulatorOptions;
  env: Record<string, string>;
}): PostgresOutageHarness {
  let base: string | undefined;
  let port = 0;
  let postgres: EmbeddedPostgresHandle | undefined;
  let emulator: Emulator | undefined;
  let engine: Engine | undefined;
  let api: Api | undefined;
  const startPostgres = () =>
    startEmbeddedPostgres({
      dataDir: join(base!, 'pg'),
      port,
      logger: createLogger(process.env.TEST_PG_LOG ?? 'silent'),
      ephemeral: true,
    });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), `switchboard-${options.name}-`));
    port = await freePort();
    [postgres, emulator] = await Promise.all([
      startPostgres(),
      startEmulator({ logLevel: 'error', ...options.emulator }),
    ]);
    engine = await startEngine(
      loadConfig({
        DATABASE_URL: postgres.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...emulatorEnv(emulator),
        ...options.env,
      }),
    );
    api = await apiClient(engine.url);
    await emulator.control.addSubscription(eventsUrl(engine.url));
    await waitFor(
      async () => (await emulator!.control.subscriptions())[0]?.status === 'validated',
      'event grid subscription validated',
    );
  });
  afterAll(async () => {
    await engine?.close();
    await emulator?.close();
    await postgres?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  return {
    get emulator() {
      return emulator!;
    },
    get engine() {
      return engine!;
    },
    get api() {
      return api!;
    },
    stopPostgres: () => postgres!.stop(),
    async restartPostgres() {
      postgres = await startPostgres();
    },
  };
}
