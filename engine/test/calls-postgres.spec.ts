import { describe, expect, it } from 'vitest';
import { acsRequests, bind, ownedNumber, ivrFlow, publish, runFor, waitFor } from './calls.js';
import { usePostgresOutageHarness } from './support/postgres-outage.js';

const CALLER = '+15551234567';

/**
 * The shared test server (global-setup.ts) serves every test file, so this one stops and
 * restarts a Postgres of its own.
 */
describe('Postgres stopped mid-call', () => {
  const h = usePostgresOutageHarness({
    name: 'pg-restart',
    emulator: {
      // 5× faster: a menu's longest silence (60 s) is 12 s real, time enough to stop Postgres.
      timeScale: 0.2,
      // A retry every 300 ms real for ~20 s: across a Postgres restart.
      callbackDelivery: { retryDelaysMs: Array<number>(70).fill(1500), timeoutMs: 5000 },
    },
    env: {
      // The run must not time out on the engine's side while the database is away.
      SWITCHBOARD_WAIT_MARGIN_MS: '30000',
    },
  });

  it('answers 503 while it is down; the retried callback continues the call once it is back', async () => {
    const number = await ownedNumber(h.emulator);
    const doc = ivrFlow();
    const menu = doc.nodes.find((n) => n.id === 'menu')!;
    menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 60 };
    const { flowId } = await publish(h.api, doc);
    await bind(h.api, number, flowId);
    const placed = await h.emulator.control.placeCall({ from: CALLER, to: number });
    // The menu is playing (its recognize reached ACS) and the run waits for the caller.
    await waitFor(async () => {
      const paths = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
      return paths.includes('{id}:recognize');
    }, 'the menu prompt');
    const waiting = await runFor(h.api, number, (r) => r.currentNodeId === 'menu');

    await h.stopPostgres();
    await h.emulator.control.dtmf(placed.serverCallId, '1');
    const recognized = () =>
      h.emulator.control
        .getCall(placed.serverCallId)
        .then((c) =>
          c.timeline.filter((e) => e.kind === 'callback' && e.type === 'RecognizeCompleted'),
        );
    // Refused with 503 (Event Grid and ACS retry those), at least twice before Postgres is back.
    await waitFor(
      async () => (await recognized()).filter((e) => e.status === 503).length >= 2,
      'RecognizeCompleted refused with 503',
    );
    const health = await fetch(`${h.engine.url}/health`);
    expect(health.status).toBe(503);

    await h.restartPostgres();
    const run = await runFor(h.api, number);
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
    const requests = await acsRequests(h.emulator, placed.serverCallId);
    expect(requests.map((r) => [r.path, r.status])).toEqual([
      [':answer', 200],
      ['{id}:recognize', 202],
      ['{id}:transferToParticipant', 202],
    ]);
  });
});
