import { randomUUID } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallEvent, type FlowDocument, type RunTrigger, start, step } from '@switchboard/flow';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  acsRequests,
  bind,
  freshNumber,
  ownedNumber,
  ivrFlow,
  publish,
  runFor,
  useCallHarness,
  eventsUrl,
  waitFor,
} from './calls.js';

const CALLER = '+15551234567';
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-emulator-'));

interface StepJson {
  seq: number;
  event: unknown;
  actions: { kind: string; id?: string }[];
}

/** Replays the run's recorded events through the pure interpreter: the actions must match. */
function replay(doc: FlowDocument, steps: StepJson[]) {
  const first = start(doc, steps[0]!.event as RunTrigger, 0);
  const actions = [...first.actions];
  let state = first.state;
  for (const s of steps.slice(1)) {
    const r = step(doc, state, s.event as CallEvent, 0);
    state = r.state;
    actions.push(...r.actions);
  }
  return actions.map((a) => `${a.kind}:${'id' in a ? a.id : ''}`);
}

describe('reliability: faults, forged tokens, malformed events', () => {
  const h = useCallHarness({ emulator: { dataDir } });
  let key: KeyObject;
  let kid: string;

  async function token(claims: { aud?: string; iss?: string; exp?: number }, signWith?: KeyObject) {
    if (!key) {
      key = createPrivateKey(readFileSync(join(dataDir, 'callback-signing-key.pem'), 'utf8'));
      const jwks = (await (await fetch(h.emulator.jwksUrl)).json()) as { keys: { kid: string }[] };
      kid = jwks.keys[0]!.kid;
    }
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(claims.iss ?? h.emulator.issuer)
      .setAudience(claims.aud ?? h.emulator.audience)
      .setIssuedAt(now - 10)
      .setExpirationTime(claims.exp ?? now + 300)
      .sign(signWith ?? key);
  }

  const event = (runId: string) => [
    {
      id: `forged-${randomUUID()}`,
      source: 'calling/callConnections/x',
      type: 'Microsoft.Communication.CallDisconnected',
      data: {
        callConnectionId: 'x',
        operationContext: `${runId}:1`,
        resultInformation: { code: 200 },
      },
      time: new Date().toISOString(),
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject: 'calling/callConnections/x',
    },
  ];

  it('starts one run for an IncomingCall however often, and however concurrently, Event Grid delivers it', async () => {
    const { flowId } = await publish(h.t, ivrFlow());
    const number = freshNumber();
    await bind(h.t, number, flowId);
    const delivery = JSON.stringify([
      {
        id: `eg-${randomUUID()}`,
        eventType: 'Microsoft.Communication.IncomingCall',
        subject: `/caller/4:${CALLER}/recipient/4:${number}`,
        dataVersion: '1.0',
        eventTime: new Date().toISOString(),
        data: {
          to: { kind: 'phoneNumber', rawId: `4:${number}`, phoneNumber: { value: number } },
          from: { kind: 'phoneNumber', rawId: `4:${CALLER}`, phoneNumber: { value: CALLER } },
          incomingCallContext: 'a-context-the-emulator-does-not-know',
          correlationId: 'redelivered-1',
          serverCallId: 'server-redelivered-1',
          callerDisplayName: '',
        },
      },
    ]);
    const post = async () =>
      (
        await fetch(eventsUrl(h.t.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
          body: delivery,
        })
      ).status;
    const statuses = await Promise.all([post(), post(), post()]);
    statuses.push(await post());
    expect(statuses).toEqual([200, 200, 200, 200]);
    const runs = await h.t.json('GET', `/api/runs?number=${encodeURIComponent(number)}`);
    expect(runs.body.items).toHaveLength(1);
  });

  it('refuses forged, expired and misaddressed tokens (401) and changes nothing', async () => {
    const number = await ownedNumber(h.emulator);
    // A menu that waits long (60 s of silence, twice more = ~1.8 s real at this time scale).
    const doc = ivrFlow();
    const menu = doc.nodes.find((n) => n.id === 'menu')!;
    menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 60, retries: 2 };
    const { flowId } = await publish(h.t, doc);
    await bind(h.t, number, flowId);
    await h.emulator.control.placeCall({ from: CALLER, to: number });
    const run = await runFor(h.t, number, (r) => r.currentNodeId === 'menu');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const bad = [
      undefined,
      'Bearer not-a-jwt',
      `Bearer ${await token({ aud: 'someone-else' })}`,
      `Bearer ${await token({ iss: 'https://evil.example' })}`,
      `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 3600 })}`,
      `Bearer ${await token({}, other)}`,
    ];
    for (const authorization of bad) {
      const res = await h.t.request('POST', '/api/acs/callbacks', {
        as: 'anonymous',
        body: event(run.id),
        headers: authorization ? { authorization } : {},
      });
      expect(res.status, authorization).toBe(401);
    }
    const after = await h.t.json('GET', `/api/runs/${run.id}`);
    expect(after.body.status).toBe('running');
    expect(after.body.steps.some((s: { eventId: string }) => s.eventId.startsWith('forged-'))).toBe(
      false,
    );

    // A good token works (and a redelivered copy changes nothing).
    const good = `Bearer ${await token({})}`;
    const body = event(run.id);
    for (let i = 0; i < 2; i++) {
      const res = await h.t.request('POST', '/api/acs/callbacks', {
        as: 'anonymous',
        body,
        headers: { authorization: good },
      });
      expect(res.status).toBe(200);
    }
    const ended = await h.t.json('GET', `/api/runs/${run.id}`);
    expect(ended.body.status).toBe('ended');
    expect(ended.body.endReason).toBe('callerHungUp');
    const applied = ended.body.steps.filter((s: { eventId: string }) => s.eventId === body[0]!.id);
    expect(applied.length).toBe(1);
  });

  it('answers 400 to malformed events and 200 to events of unknown calls', async () => {
    const authorization = `Bearer ${await token({})}`;
    for (const body of [
      '{not json',
      '{}',
      '[]',
      '[{"id":"x","type":"Something.Else","data":{}}]',
    ]) {
      const res = await h.t.request('POST', '/api/acs/callbacks', {
        as: 'anonymous',
        body,
        headers: { authorization },
      });
      expect(res.status, body).toBe(400);
    }
    const unknown = await h.t.request('POST', '/api/acs/callbacks', {
      as: 'anonymous',
      body: event('00000000-0000-4000-8000-000000000000'),
      headers: { authorization },
    });
    expect(unknown.status).toBe(200);
    const eg = await h.t.request('POST', eventsUrl(''), {
      as: 'anonymous',
      body: '{}',
    });
    expect(eg.status).toBe(400);
  });

  it('duplicated, reordered and dropped callbacks still give the actions the interpreter predicts, each sent once', async () => {
    const doc = ivrFlow();
    const { flowId } = await publish(h.t, doc);
    const numbers: string[] = [];
    const placed: string[] = [];
    await h.emulator.control.setFaults({ duplicateRate: 0.5, reorderWindowMs: 300 });
    try {
      for (const dtmf of ['1', '2', '3', '9']) {
        const number = await ownedNumber(h.emulator);
        await bind(h.t, number, flowId);
        numbers.push(number);
        const p = await h.emulator.control.placeCall({
          from: CALLER,
          to: number,
          script: [{ on: 'recognize', dtmf }],
        });
        placed.push(p.serverCallId);
      }
      // Once the runs exist (Event Grid deliveries are not retried when dropped), drop callbacks too.
      for (const n of numbers) await runFor(h.t, n, () => true);
      await h.emulator.control.setFaults({ dropRate: 0.15 });
      for (let i = 0; i < numbers.length; i++) {
        const run = await runFor(h.t, numbers[i]!);
        const predicted = replay(doc, run.steps);
        const sent = run.steps.flatMap((s: StepJson) =>
          s.actions.map((a) => `${a.kind}:${a.id ?? ''}`),
        );
        expect(sent).toEqual(predicted);
        // Each ACS action reached the emulator once (retries are repeatability replays).
        const requests = await acsRequests(h.emulator, placed[i]!);
        const contexts = requests.map((r) => r.operationContext).filter(Boolean);
        expect(new Set(contexts).size).toBe(contexts.length);
        const acsActions = sent.filter(
          (a: string) => !a.startsWith('end:') && !a.startsWith('hangUp:'),
        );
        expect(contexts.length).toBe(acsActions.length);
      }
    } finally {
      await h.emulator.control.resetFaults();
    }
  });
});

describe('reliability: throttled actions', () => {
  // No call gives up ringing, and no wait times out, while a throttled answer waits in the
  // outbox for the dispatcher (SWITCHBOARD_OUTBOX_GRACE_MS).
  const th = useCallHarness({
    emulator: { callModel: { incomingRingTimeoutMs: 3_000_000 } },
    env: { SWITCHBOARD_WAIT_MARGIN_MS: '10000' },
  });

  it('an action ACS throttles (429) stays in the outbox and is resent, once, with the same request id', async () => {
    const doc = ivrFlow();
    const { flowId } = await publish(th.t, doc);
    const number = await ownedNumber(th.emulator);
    await bind(th.t, number, flowId);
    await th.emulator.control.setFaults({ actionErrorRate: 1, actionErrorStatus: 429 });
    let placed: { serverCallId: string };
    try {
      placed = await th.emulator.control.placeCall({
        from: CALLER,
        to: number,
        script: [{ on: 'recognize', dtmf: '3' }],
      });
      await runFor(th.t, number, () => true);
      await waitFor(
        async () =>
          (await acsRequests(th.emulator, placed.serverCallId)).some((r) => r.status === 429),
        'the answer throttled',
      );
    } finally {
      await th.emulator.control.resetFaults();
    }
    const run = await runFor(th.t, number);
    expect(
      run.endReason,
      JSON.stringify(
        run.steps.map((s: { eventId: string; event: unknown }) => [s.eventId, s.event]),
      ) + JSON.stringify(await acsRequests(th.emulator, placed!.serverCallId)),
    ).toBe('completed');
    expect(run.steps.some((s: { eventId: string }) => s.eventId.startsWith('failed:'))).toBe(false);
    const requests = await acsRequests(th.emulator, placed.serverCallId);
    const answers = requests.filter((r) => r.path === ':answer');
    // Throttled until the faults were reset (the dispatcher may have tried again meanwhile),
    // then answered once.
    expect(answers.at(-1)!.status).toBe(200);
    expect(answers.slice(0, -1).length).toBeGreaterThan(0);
    expect(answers.slice(0, -1).every((r) => r.status === 429)).toBe(true);
    expect(requests.filter((r) => r.status < 300).map((r) => r.path)).toEqual([
      ':answer',
      '{id}:recognize',
      '{id}:play',
      '{id}:terminate',
    ]);
  });
});
