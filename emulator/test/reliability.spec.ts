import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, startEmulator } from '../src/index.js';
import {
  APP_USER,
  BUSINESS_NUMBER,
  CALLER,
  Receiver,
  answeredCall,
  harness,
  signedRequest,
  sleep,
  type Harness,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

/** A raw, correctly signed request, so a test controls the Repeatability-Request-ID itself. */
const signedPost = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  signedRequest(h.emulator, 'POST', path, body, headers);

describe('repeatability', () => {
  it('a retried createCall with the same Repeatability-Request-ID gets the first answer and one call', async () => {
    const before = (await h.emulator.control.listCalls(1000)).length;
    const headers = {
      'repeatability-request-id': crypto.randomUUID(),
      'repeatability-first-sent': new Date().toUTCString(),
    };
    const body = {
      targets: [
        {
          kind: 'communicationUser',
          rawId: APP_USER + '9',
          communicationUser: { id: APP_USER + '9' },
        },
      ],
      callbackUri: h.callbackUri,
    };
    const first = await signedPost('/calling/callConnections', body, headers);
    const second = await signedPost('/calling/callConnections', body, headers);
    expect(first.status).toBe(201);
    expect(second).toEqual(first);
    expect((await h.emulator.control.listCalls(1000)).length).toBe(before + 1);
    // a new id is a new request
    const third = await signedPost('/calling/callConnections', body, {
      ...headers,
      'repeatability-request-id': crypto.randomUUID(),
    });
    expect(JSON.parse(third.body!).callConnectionId).not.toBe(
      JSON.parse(first.body!).callConnectionId,
    );
  });

  it('a retried addParticipant has one effect', async () => {
    const c = await answeredCall(h);
    const headers = {
      'repeatability-request-id': crypto.randomUUID(),
      'repeatability-first-sent': new Date().toUTCString(),
    };
    const body = {
      participantToAdd: {
        kind: 'phoneNumber',
        rawId: '4:+15559990001',
        phoneNumber: { value: '+15559990001' },
      },
      sourceCallerIdNumber: { value: BUSINESS_NUMBER },
    };
    const path = `/calling/callConnections/${c.id}/participants:add`;
    const a = await signedPost(path, body, headers);
    const b = await signedPost(path, body, headers);
    expect(a.status).toBe(202);
    expect(b).toEqual(a);
    await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded']);
    await sleep(100);
    expect(h.receiver.kinds(c.id).filter((k) => k === 'AddParticipantSucceeded')).toHaveLength(1);
  });

  it('an injected 503 is retried by the SDK (same request id) and has no effect', async () => {
    const c = await answeredCall(h);
    await h.emulator.control.setFaults({ actionErrorRate: 1, actionErrorStatus: 503 });
    await expect(c.connection.muteParticipant({ phoneNumber: CALLER })).rejects.toMatchObject({
      statusCode: 503,
    });
    await h.emulator.control.resetFaults();
    const call = await h.emulator.control.getCall(c.serverCallId);
    const mutes = call.timeline.filter(
      (e) => e.kind === 'request' && String(e.path).endsWith(':mute'),
    );
    expect(mutes.length).toBeGreaterThanOrEqual(2);
    expect(mutes.every((e) => e.status === 503)).toBe(true);
    expect(call.participants.find((p) => p.rawId === `4:${CALLER}`)?.isMuted).toBe(false);
  });

  it('rejects a tampered body and a stale date with 401', async () => {
    const url = new URL(`${h.emulator.url}/calling/callConnections?api-version=1`);
    const signed = signRequest('POST', url, '{"a":1}', h.emulator.accessKey);
    const tampered = await fetch(url, { method: 'POST', headers: signed, body: '{"a":2}' });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({
      error: { code: 'Denied', message: 'Denied by the resource provider.' },
    });
    const old = new Date(Date.now() - 3600_000).toUTCString();
    const stale = await fetch(url, {
      method: 'POST',
      headers: signRequest('POST', url, '{}', h.emulator.accessKey, old),
      body: '{}',
    });
    expect(stale.status).toBe(401);
  });
});

describe('Event Grid', () => {
  it('validates a subscription before delivering, then retries IncomingCall after a 500', async () => {
    const r = await new Receiver().start();
    const em = await startEmulator({ timeScale: 0.01, logLevel: 'silent' });
    try {
      r.statusPlan.set('/eg', [500]); // the validation handshake fails once, then succeeds
      await em.control.addSubscription(`${r.url}/eg`);
      await r.waitFor(
        async () => (await em.control.subscriptions())[0]?.status === 'validated' || undefined,
      );
      await r.waitFor(() => r.requests.length >= 2);
      expect(r.requests.map((q) => q.headers['aeg-event-type'])).toEqual([
        'SubscriptionValidation',
        'SubscriptionValidation',
      ]);
      const validation = (r.requests[0]!.body as { eventType: string }[])[0]!;
      expect(validation.eventType).toBe('Microsoft.EventGrid.SubscriptionValidationEvent');

      r.statusPlan.set('/eg', [500, 503]);
      const placed = await em.control.placeCall({ from: CALLER, to: BUSINESS_NUMBER });
      await r.waitFor(() => r.eventGrid().length >= 3, 5000, 'three IncomingCall attempts');
      const attempts = r.eventGrid();
      expect(attempts.map((a) => a.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);
      const ids = attempts.map(
        (a) => (a.body as { id: string; data: { serverCallId: string } }[])[0]!,
      );
      expect(new Set(ids.map((e) => e.id)).size).toBe(1);
      expect(ids[0]!.data.serverCallId).toBe(placed.serverCallId);
      const timeline = (await em.control.getCall(placed.serverCallId)).timeline.filter(
        (e) => e.kind === 'eventGrid',
      );
      expect(timeline.map((e) => e.status)).toEqual([500, 503, 200]);
    } finally {
      await em.close();
      await r.close();
    }
  });

  it('does not retry 400, 401, 403 or 413', async () => {
    const r = await new Receiver().start();
    const em = await startEmulator({
      timeScale: 0.001,
      logLevel: 'silent',
      eventGridSubscribers: [`${r.url}/eg`],
    });
    try {
      await r.waitFor(
        async () => (await em.control.subscriptions())[0]?.status === 'validated' || undefined,
      );
      for (const status of [400, 401, 403, 413]) {
        r.statusPlan.set('/eg', [status]);
        await em.control.placeCall({ from: CALLER, to: BUSINESS_NUMBER });
      }
      await r.waitFor(() => r.eventGrid().length >= 4);
      // the first retry would come after 10 s × 0.001 = 10 ms; wait well past a few of them
      await sleep(300);
      expect(r.eventGrid().length).toBe(4);
    } finally {
      await em.close();
      await r.close();
    }
  });
});

describe('callback delivery', () => {
  it('retries a 5xx with the same event id, not holding later events back; a 404 is final', async () => {
    h.receiver.statusPlan.set('/callbacks/retry', [503, 500]);
    const c = await answeredCall(h);
    // re-point: a fresh connection on the same call to the retrying path
    const res = await h.client.connectCall(
      { kind: 'serverCallLocator', id: c.serverCallId },
      `${h.receiver.url}/callbacks/retry`,
    );
    const id = res.callConnectionProperties.callConnectionId!;
    await h.receiver.waitFor(() => h.receiver.kinds(id, '/callbacks/retry').length >= 4);
    const received = h.receiver.callbacks(id, '/callbacks/retry');
    // CallConnected got the 503 and ParticipantsUpdated the 500: each is retried once, and
    // ParticipantsUpdated did not wait for CallConnected's retry.
    expect(received.slice(0, 2).map((e) => e.kind)).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
    ]);
    const attempts = new Map<string, number>();
    for (const e of received) attempts.set(e.id, (attempts.get(e.id) ?? 0) + 1);
    expect([...attempts.values()]).toEqual([2, 2]);

    h.receiver.statusPlan.set('/callbacks/gone', [404]);
    const gone = await h.client.connectCall(
      { kind: 'serverCallLocator', id: c.serverCallId },
      `${h.receiver.url}/callbacks/gone`,
    );
    const goneId = gone.callConnectionProperties.callConnectionId!;
    await h.receiver.waitFor(() => h.receiver.kinds(goneId, '/callbacks/gone').length >= 2);
    await sleep(200);
    expect(h.receiver.kinds(goneId, '/callbacks/gone')).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
    ]);
  });
});

describe('fault injection', () => {
  it('duplicates every callback with the same CloudEvent id', async () => {
    await h.emulator.control.setFaults({ duplicateRate: 1 });
    try {
      const incoming = await h.emulator.control.placeCall({ from: CALLER, to: BUSINESS_NUMBER });
      const answer = await h.client.answerCall(incoming.incomingCallContext, h.callbackUri);
      const id = answer.callConnectionProperties.callConnectionId!;
      await h.receiver.waitFor(() => h.receiver.kinds(id).length >= 4);
      const events = h.receiver.callbacks(id);
      expect(events.map((e) => e.kind).sort()).toEqual(
        ['CallConnected', 'CallConnected', 'ParticipantsUpdated', 'ParticipantsUpdated'].sort(),
      );
      expect(new Set(events.map((e) => e.id)).size).toBe(2);
      await h.receiver.waitFor(
        () =>
          h.receiver
            .eventGrid()
            .filter(
              (r) =>
                (r.body as { data: { serverCallId: string } }[])[0]!.data.serverCallId ===
                incoming.serverCallId,
            ).length === 2,
      );
    } finally {
      await h.emulator.control.resetFaults();
    }
  });

  it('duplicates a callback 1..duplicateMaxExtraCopies extra times, and counts what it injected', async () => {
    const before = await h.emulator.control.stats();
    await h.emulator.control.setFaults({ duplicateRate: 1, duplicateMaxExtraCopies: 3 });
    try {
      const c = await answeredCall(h);
      await h.receiver.waitFor(() => h.receiver.kinds(c.id).includes('ParticipantsUpdated'));
      await new Promise((r) => setTimeout(r, 300));
      const events = h.receiver.callbacks(c.id);
      const perId = new Map<string, number>();
      for (const e of events) perId.set(e.id, (perId.get(e.id) ?? 0) + 1);
      for (const n of perId.values()) {
        expect(n).toBeGreaterThanOrEqual(2);
        expect(n).toBeLessThanOrEqual(4);
      }
      const after = await h.emulator.control.stats();
      expect(after.faults.duplicated).toBeGreaterThan(before.faults.duplicated);
      expect(after.faults.extraCopies - before.faults.extraCopies).toBeGreaterThanOrEqual(
        after.faults.duplicated - before.faults.duplicated,
      );
      await expect(
        h.emulator.control.setFaults({ duplicateMaxExtraCopies: 0 }),
      ).rejects.toMatchObject({ status: 400 });
    } finally {
      await h.emulator.control.resetFaults();
    }
  });

  it('drops callbacks (recorded as dropped in the timeline)', async () => {
    const c = await answeredCall(h);
    await h.emulator.control.setFaults({ dropRate: 1 });
    try {
      await c.connection
        .getCallMedia()
        .playToAll([{ kind: 'textSource', text: 'hi' }], { operationContext: 'dropped' });
      const call = await h.receiver.waitFor(async () => {
        const d = await h.emulator.control.getCall(c.serverCallId);
        return d.timeline.some((e) => e.kind === 'callback' && e.type === 'PlayCompleted')
          ? d
          : undefined;
      });
      expect(call.timeline.find((e) => e.type === 'PlayCompleted')).toMatchObject({
        dropped: true,
      });
      expect(h.receiver.kinds(c.id)).not.toContain('PlayCompleted');
    } finally {
      await h.emulator.control.resetFaults();
    }
  });

  it('reorders callbacks within the window', async () => {
    const c = await answeredCall(h);
    await h.emulator.control.setFaults({ reorderWindowMs: 5000 });
    try {
      for (let i = 0; i < 10; i++) {
        await c.connection.getCallMedia().hold({ phoneNumber: CALLER });
        await c.connection.getCallMedia().unhold({ phoneNumber: CALLER });
      }
      await h.receiver.waitFor(() => h.receiver.kinds(c.id).length >= 22);
      const seq = h.receiver
        .callbacks(c.id)
        .filter((e) => e.kind === 'ParticipantsUpdated')
        .map((e) => e.data.sequenceNumber as number);
      expect([...seq].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect(seq).not.toEqual([...seq].sort((a, b) => a - b));
    } finally {
      await h.emulator.control.resetFaults();
    }
  });

  it('rejects invalid fault settings', async () => {
    await expect(h.emulator.control.setFaults({ dropRate: 2 })).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('callback authentication metadata', () => {
  it('serves the OpenID configuration and JWKS at the ACS paths', async () => {
    const config = (await (await fetch(h.emulator.openIdConfigUrl)).json()) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({ issuer: h.emulator.issuer, jwks_uri: h.emulator.jwksUrl });
    const jwks = (await (await fetch(h.emulator.jwksUrl)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(h.emulator.audience).toBe(h.emulator.resourceId);
  });
});
