import { describe, expect, it } from 'vitest';
import { acsRequests, bind, ownedNumber, ivrFlow, publish, runFor, waitFor } from './calls.js';
import { usePostgresOutageHarness } from './support/postgres-outage.js';

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
  const h = usePostgresOutageHarness({
    name: 'lost-callbacks',
    emulator: { timeScale: 0.2, callbackDelivery: { retryDelaysMs: RETRIES, timeoutMs: 2000 } },
    env: { SWITCHBOARD_WAIT_MARGIN_MS: '500' },
  });

  it('the menu plays again within seconds of Postgres returning, and the call goes on', async () => {
    const number = await ownedNumber(h.emulator);
    const doc = ivrFlow();
    const menu = doc.nodes.find((n) => n.id === 'menu')!;
    // Long enough for the outage to fit in one wait for a key.
    menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 30 };
    const { flowId } = await publish(h.api, doc);
    await bind(h.api, number, flowId);
    const placed = await h.emulator.control.placeCall({ from: CALLER, to: number });
    const recognizes = async () =>
      (await acsRequests(h.emulator, placed.serverCallId)).filter(
        (r) => r.path === '{id}:recognize',
      ).length;
    await waitFor(async () => (await recognizes()) === 1, 'the menu prompt');
    const waiting = await runFor(h.api, number, (r) => r.currentNodeId === 'menu');
    const deadline = Date.parse(waiting.awaiting.deadline);

    await h.stopPostgres();
    await h.emulator.control.dtmf(placed.serverCallId, '1');
    const deliveries = () =>
      h.emulator.control
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
    await h.restartPostgres();
    const back = Date.now();

    // The wait follows the menu (the prompt, 30 s of silence at 5× speed, a margin), not minutes.
    expect(deadline - Date.parse(waiting.updatedAt)).toBeLessThan(15_000);
    await waitFor(async () => (await recognizes()) === 2, 'the menu again', 15_000);
    expect(Date.now() - back).toBeLessThan(15_000);
    await h.emulator.control.dtmf(placed.serverCallId, '1');
    const run = await runFor(h.api, number);
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
    expect((await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path)).toEqual([
      ':answer',
      '{id}:recognize',
      '{id}:recognize',
      '{id}:transferToParticipant',
    ]);
  });
});
