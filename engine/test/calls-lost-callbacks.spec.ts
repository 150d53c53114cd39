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
/** ACS gives up on a callback after its retries (about 63 s); here after three, 0.6 s. */
const RETRIES = [200, 200, 200];

/**
 * Postgres away for longer than ACS's callback retry window: the callback is lost for good.
 * The run must find out by itself (its wait deadline follows what the menu plays), ask ACS,
 * and go on — the menu plays again — instead of leaving the caller in silence, or ending the run
 * "completed" with the menu never answered. Time runs 5× faster here; the retry window is
 * shortened the same way, so the outage (3 s) is five times the window, as 75 s is to 63 s.
 */
describe('callbacks lost while Postgres was down', () => {
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
      logger: createLogger('silent'),
      ephemeral: true,
    });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'switchboard-lost-callbacks-'));
    port = await freePort();
    [postgres, emulator] = await Promise.all([
      startPostgres(),
      startEmulator({
        timeScale: 0.2,
        logLevel: 'error',
        callbackDelivery: { retryDelaysMs: RETRIES, timeoutMs: 2000 },
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
        SWITCHBOARD_WAIT_MARGIN_MS: '500',
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

  it('the menu plays again within seconds of Postgres returning, and the call goes on', async () => {
    const number = await ownedNumber(emulator!);
    const doc = ivrFlow();
    const menu = doc.nodes.find((n) => n.id === 'menu')!;
    // Long enough for the outage to fit in one wait for a key.
    menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 30 };
    const { flowId } = await publish(api, doc);
    await bind(api, number, flowId);
    const placed = await emulator!.control.placeCall({ from: CALLER, to: number });
    const recognizes = async () =>
      (await acsRequests(emulator!, placed.serverCallId)).filter((r) => r.path === '{id}:recognize')
        .length;
    await waitFor(async () => (await recognizes()) === 1, 'the menu prompt');
    const waiting = await runFor(api, number, (r) => r.currentNodeId === 'menu');
    const deadline = Date.parse(waiting.awaiting.deadline);

    await postgres!.stop();
    await emulator!.control.dtmf(placed.serverCallId, '1');
    const deliveries = () =>
      emulator!.control
        .getCall(placed.serverCallId)
        .then((c) =>
          c.timeline.filter((e) => e.kind === 'callback' && e.type === 'RecognizeCompleted'),
        );
    // Every attempt refused, then ACS gives up: the key press is lost for good.
    await waitFor(
      async () => (await deliveries()).length >= RETRIES.length + 1,
      'RecognizeCompleted given up',
    );
    await new Promise((r) => setTimeout(r, 3000 - 800));
    postgres = await startPostgres();
    const back = Date.now();

    // The wait follows the menu (the prompt, 30 s of silence at 5× speed, a margin), not minutes.
    expect(deadline - Date.parse(waiting.updatedAt)).toBeLessThan(15_000);
    await waitFor(async () => (await recognizes()) === 2, 'the menu again', 15_000);
    expect(Date.now() - back).toBeLessThan(15_000);
    await emulator!.control.dtmf(placed.serverCallId, '1');
    const run = await runFor(api, number);
    expect(run.id).toBe(waiting.id);
    expect(run.endReason).toBe('transferred');
    const lost = run.steps
      .flatMap((s: { trace: { kind: string; reason?: string }[] }) => s.trace)
      .filter((t: { kind: string; reason?: string }) => t.kind === 'retry');
    expect(lost).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/^callbacks lost: no callback for/),
      }),
    ]);
    expect((await acsRequests(emulator!, placed.serverCallId)).map((r) => r.path)).toEqual([
      ':answer',
      '{id}:recognize',
      '{id}:recognize',
      '{id}:transferToParticipant',
    ]);
  });
});
