import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../src/index.js';
import { FaultInjector } from '../src/faults.js';
import { Deliverer } from '../src/http-client.js';
import {
  CALLER,
  answeredCall,
  httpsHarness,
  incomingCall,
  type Harness,
  type Received,
} from './helpers.js';

const open: Harness[] = [];
async function start(options: Parameters<typeof httpsHarness>[0] = {}): Promise<Harness> {
  const h = await httpsHarness(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const typeOf = (r: Received) => (r.body as { type?: string }[] | undefined)?.[0]?.type;
const isCallback = (kind: string) => (r: Received) =>
  typeOf(r) === `Microsoft.Communication.${kind}`;

/** A file the emulator plays for 100 emulated ms (1 ms real at the harness's time scale). */
const shortFile = {
  kind: 'fileSource' as const,
  url: 'https://media.example/beep.wav?duration=100',
};

async function callbackAttempts(h: Harness, serverCallId: string, type: string) {
  const call = await h.emulator.control.getCall(serverCallId);
  return call.timeline.filter(
    (e): e is TimelineEntry & { attempt: number } =>
      e.kind === 'callback' && e.type === type && typeof e.attempt === 'number',
  );
}

describe('callback delivery: an app that does not answer', () => {
  it('still gets the later events of the call, in order, once each; only the unanswered one is retried', async () => {
    const h = await start({ callbackDelivery: { retryDelaysMs: [1000, 2000] } });
    h.receiver.stall = isCallback('CallConnected');
    const incoming = await incomingCall(h);
    const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
    const id = answer.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
    await answer.callConnection.getCallMedia().playToAll([shortFile], { operationContext: 'p1' });
    await h.receiver.waitForKinds(id, ['PlayCompleted']);
    // The unanswered CallConnected is retried twice (its retries never answered either).
    await h.receiver.waitFor(
      async () => (await callbackAttempts(h, incoming.serverCallId, 'CallConnected')).length === 3,
      10_000,
      'three timed-out CallConnected attempts',
    );

    const received = h.receiver.callbacks(id);
    const firsts = [...new Map(received.map((e) => [e.id, e.kind])).values()];
    expect(firsts).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
      'PlayStarted',
      'PlayCompleted',
    ]);
    const byKind = (kind: string) => received.filter((e) => e.kind === kind);
    expect(byKind('ParticipantsUpdated')).toHaveLength(1);
    expect(byKind('PlayCompleted')).toHaveLength(1);
    // The retries are the same event (same CloudEvent id), not new ones.
    expect(byKind('CallConnected')).toHaveLength(3);
    expect(new Set(byKind('CallConnected').map((e) => e.id)).size).toBe(1);
    // ParticipantsUpdated was not held behind CallConnected's retries.
    const kinds = received.map((e) => e.kind);
    expect(kinds.indexOf('ParticipantsUpdated')).toBeLessThan(kinds.lastIndexOf('CallConnected'));

    const attempts = await callbackAttempts(h, incoming.serverCallId, 'CallConnected');
    const timeoutMs = h.emulator.callbackDelivery.timeoutMs;
    expect(attempts.map((a) => [a.attempt, a.timeoutMs, a.retryInMs])).toEqual([
      [1, timeoutMs, 1000],
      [2, timeoutMs, 2000],
      [3, timeoutMs, undefined],
    ]);
  });

  it("with ordering 'none' sends the next event while the previous one is still unanswered", async () => {
    const h = await start({ callbackDelivery: { ordering: 'none', timeoutMs: 60_000 } });
    h.receiver.stall = isCallback('CallConnected');
    const incoming = await incomingCall(h);
    const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
    const id = answer.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
    // CallConnected's only attempt is still open: nothing is recorded for it yet.
    expect(await callbackAttempts(h, incoming.serverCallId, 'CallConnected')).toEqual([]);
  });

  it("with the default ordering sends the next event once the previous one's first attempt timed out", async () => {
    const h = await start();
    expect(h.emulator.callbackDelivery.ordering).toBe('perConnection');
    h.receiver.stall = isCallback('CallConnected');
    const incoming = await incomingCall(h);
    const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
    const id = answer.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(id, ['ParticipantsUpdated']);
    const [first] = await callbackAttempts(h, incoming.serverCallId, 'CallConnected');
    expect(first).toMatchObject({ attempt: 1, timeoutMs: h.emulator.callbackDelivery.timeoutMs });
  });
});

describe('callback delivery: retries', () => {
  it('retries a 5xx with the configured back-off, then delivers; other events go on meanwhile', async () => {
    const h = await start({ callbackDelivery: { retryDelaysMs: [3000, 6000] } });
    const c = await answeredCall(h);
    // PlayStarted goes first (and is answered) before PlayCompleted meets the failures.
    h.receiver.statusPlan.set('/callbacks/flaky', [200, 500, 503]);
    const media = c.connection.getCallMedia();
    await media.playToAll([shortFile], {
      operationContext: 'flaky',
      operationCallbackUrl: `${h.receiver.url}/callbacks/flaky`,
    });
    await media.playToAll([shortFile], { operationContext: 'steady' });
    await h.receiver.waitFor(
      () =>
        h.receiver.callbacks(c.id, '/callbacks/flaky').filter((e) => e.kind === 'PlayCompleted')
          .length === 3,
      5000,
      'three attempts of the flaky PlayCompleted',
    );
    const flaky = h.receiver
      .callbacks(c.id, '/callbacks/flaky')
      .filter((e) => e.kind === 'PlayCompleted');
    expect(new Set(flaky.map((e) => e.id)).size).toBe(1);
    expect(flaky[0]!.data.operationContext).toBe('flaky');

    const attempts = (await callbackAttempts(h, c.serverCallId, 'PlayCompleted')).filter((a) =>
      String(a.uri).endsWith('/callbacks/flaky'),
    );
    expect(attempts.map((a) => [a.status, a.retryInMs])).toEqual([
      [500, 3000],
      [503, 6000],
      [200, undefined],
    ]);
    // The second play's PlayCompleted reached the app between the first's attempts.
    const steady = h.receiver.requests.findIndex(
      (r) => r.path === '/callbacks' && isCallback('PlayCompleted')(r),
    );
    const lastFlaky = h.receiver.requests.findLastIndex((r) => r.path === '/callbacks/flaky');
    expect(steady).toBeGreaterThanOrEqual(0);
    expect(steady).toBeLessThan(lastFlaky);
  });
});

describe('callback delivery: timeouts follow the time scale', () => {
  it('scales the default response timeouts; an explicit one is real ms', async () => {
    const slow = await start({ timeScale: 0.1 });
    const faster = await start({ timeScale: 0.06 });
    const fixed = await start({ timeScale: 0.1, callbackDelivery: { timeoutMs: 120 } });
    expect(slow.emulator.callbackDelivery.timeoutMs).toBe(500);
    expect(faster.emulator.callbackDelivery.timeoutMs).toBe(300);
    expect(fixed.emulator.callbackDelivery.timeoutMs).toBe(120);

    // What is in force is what an unanswered callback actually waits.
    for (const [h, ms] of [
      [faster, 300],
      [fixed, 120],
    ] as const) {
      h.receiver.stall = isCallback('CallConnected');
      const incoming = await incomingCall(h);
      await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
      const first = await h.receiver.waitFor(
        async () => (await callbackAttempts(h, incoming.serverCallId, 'CallConnected'))[0],
        5000,
        'the first CallConnected attempt to time out',
      );
      expect(first).toMatchObject({ timeoutMs: ms, error: `timed out after ${ms} ms` });
    }
  });

  it("scales Event Grid's 30 s timeout too", async () => {
    const h = await start({ timeScale: 0.01 });
    h.receiver.stall = (r) => r.headers['aeg-event-type'] === 'Notification';
    const incoming = await h.emulator.control.placeCall({ from: CALLER, to: '+18005550100' });
    const first = await h.receiver.waitFor(
      async () =>
        (await h.emulator.control.getCall(incoming.serverCallId)).timeline.find(
          (e) => e.kind === 'eventGrid' && e.attempt === 1,
        ),
      5000,
      'the first IncomingCall attempt to time out',
    );
    expect(first).toMatchObject({ timeoutMs: 300, error: 'timed out after 300 ms' });
  });
});

describe('operationCallbackUri', () => {
  it('refuses a non-http(s) URI with a 400 naming the field, and the emulator stays up', async () => {
    const h = await start();
    const c = await answeredCall(h);
    const media = c.connection.getCallMedia();
    const caller = { phoneNumber: CALLER };
    const refused = {
      statusCode: 400,
      message: "'operationCallbackUri' must be an http(s) URL.",
    };
    await expect(
      media.playToAll([shortFile], { operationCallbackUrl: 'ftp://x' }),
    ).rejects.toMatchObject(refused);
    await expect(
      media.startRecognizing(caller, {
        kind: 'callMediaRecognizeDtmfOptions',
        maxTonesToCollect: 1,
        operationCallbackUrl: 'ftp://x',
      }),
    ).rejects.toMatchObject(refused);
    await media.startContinuousDtmfRecognition(caller);
    await expect(
      media.stopContinuousDtmfRecognition(caller, { operationCallbackUrl: 'ftp://x' }),
    ).rejects.toMatchObject(refused);

    // Still serving: the same call plays and reports back.
    await media.playToAll([shortFile], { operationContext: 'after' });
    await h.receiver.waitForKinds(c.id, ['PlayCompleted']);
  });

  it('the deliverer answers an undeliverable URL with an error instead of throwing', async () => {
    const deliverer = new Deliverer();
    try {
      const res = await deliverer.post(new URL('ftp://x/'), '[]', {}, 1000);
      expect(res.status).toBeUndefined();
      expect(res.error).toMatch(/protocol/i);
    } finally {
      deliverer.close();
    }
  });
});

describe('seeded faults', () => {
  const decisions = (seed: number) => {
    const f = new FaultInjector(seed);
    f.set({ dropRate: 0.5, duplicateRate: 0.5, reorderWindowMs: 1000 });
    return Array.from({ length: 40 }, () => [f.shouldDrop(), f.copies(), f.delay().ms]);
  };

  it('the same seed makes the same fault decisions; the seed in use is answered by GET /emulator', async () => {
    expect(decisions(42)).toEqual(decisions(42));
    expect(decisions(43)).not.toEqual(decisions(42));

    const seeded = await start({ seed: 42 });
    expect(seeded.emulator.seed).toBe(42);
    expect(await seeded.emulator.control.info()).toMatchObject({ seed: 42 });
    const unseeded = await start();
    expect(Number.isInteger(unseeded.emulator.seed)).toBe(true);
    expect(await unseeded.emulator.control.info()).toMatchObject({ seed: unseeded.emulator.seed });
  });
});
