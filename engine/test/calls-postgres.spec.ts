import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@switchboard/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import {
  type EmbeddedPostgresHandle,
  freePort,
  startEmbeddedPostgres,
} from '../src/database/embedded-postgres.js';
import { createLogger } from '../src/logging/logger.js';
import {
  acsRequests,
  type Api,
  bind,
  emulatorEnv,
  eventsUrl,
  ownedNumber,
  ivrFlow,
  publish,
  runFor,
  waitFor,
} from './calls.js';
import { ADMIN_PASSWORD } from './engine.js';
import { apiClient } from './processes.js';

const CALLER = '+15551234567';

/**
 * The shared test server (global-setup.ts) serves every test file, so this one stops and
 * restarts a Postgres of its own.
 */
describe('Postgres stopped mid-call', () => {
  let base: string | undefined;
  let postgres: EmbeddedPostgresHandle | undefined;
  let port: number;
  let emulator: Emulator | undefined;
  let engine: Engine | undefined;
  let api: Api;
  const startPostgres = () =>
    startEmbeddedPostgres({
      dataDir: join(base!, 'pg'),
      port,
      logger: createLogger(process.env.TEST_PG_LOG ?? 'silent'),
      ephemeral: true,
    });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'switchboard-pg-restart-'));
    port = await freePort();
    [postgres, emulator] = await Promise.all([
      startPostgres(),
      startEmulator({
        // 5× faster: a menu's longest silence (60 s) is 12 s real, time enough to stop Postgres.
        timeScale: 0.2,
        logLevel: 'error',
        // A retry every 300 ms real for ~20 s: across a Postgres restart.
        callbackDelivery: { retryDelaysMs: Array<number>(70).fill(1500), timeoutMs: 5000 },
      }),
    ]);
    engine = await startEngine(
      loadConfig({
        DATABASE_URL: postgres.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...emulatorEnv(emulator),
        // The run must not time out on the engine's side while the database is away.
        SWITCHBOARD_WAIT_MARGIN_MS: '30000',
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

  it('answers 503 while it is down; the retried callback continues the call once it is back', async () => {
    const number = await ownedNumber(emulator!);
    const doc = ivrFlow();
    const menu = doc.nodes.find((n) => n.id === 'menu')!;
    menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 60 };
    const { flowId } = await publish(api, doc);
    await bind(api, number, flowId);
    const placed = await emulator!.control.placeCall({ from: CALLER, to: number });
    // The menu is playing (its recognize reached ACS) and the run waits for the caller.
    await waitFor(async () => {
      const paths = (await acsRequests(emulator!, placed.serverCallId)).map((r) => r.path);
      return paths.includes('{id}:recognize');
    }, 'the menu prompt');
    const waiting = await runFor(api, number, (r) => r.currentNodeId === 'menu');

    await postgres!.stop();
    await emulator!.control.dtmf(placed.serverCallId, '1');
    const recognized = () =>
      emulator!.control
        .getCall(placed.serverCallId)
        .then((c) =>
          c.timeline.filter((e) => e.kind === 'callback' && e.type === 'RecognizeCompleted'),
        );
    // Refused with 503 (Event Grid and ACS retry those), at least twice before Postgres is back.
    await waitFor(
      async () => (await recognized()).filter((e) => e.status === 503).length >= 2,
      'RecognizeCompleted refused with 503',
    );
    const health = await fetch(`${engine!.url}/health`);
    expect(health.status).toBe(503);

    postgres = await startPostgres();
    const run = await runFor(api, number);
    expect(run.id).toBe(waiting.id);
    expect(run.endReason).toBe('transferred');
    const attempts = await recognized();
    const statuses = attempts.map((e) => e.status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((s) => s === 503 || s === undefined)).toBe(true);
    expect(new Set(attempts.map((e) => e.eventId)).size).toBe(1);
    // The event was applied once, and the call went on with exactly the expected actions.
    const applied = run.steps.filter((s: { eventType: string }) =>
      ['RecognizeCompleted', 'RecognizeFailed'].includes(s.eventType),
    );
    expect(applied.map((s: { eventId: string }) => s.eventId)).toEqual([attempts[0]!.eventId]);
    const requests = await acsRequests(emulator!, placed.serverCallId);
    expect(requests.map((r) => [r.path, r.status])).toEqual([
      [':answer', 200],
      ['{id}:recognize', 202],
      ['{id}:transferToParticipant', 202],
    ]);
  });
});
