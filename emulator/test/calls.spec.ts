import { CallAutomationClient } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_USER,
  BUSINESS_NUMBER,
  CALLER,
  answeredCall,
  harness,
  incomingCall,
  verifyCallbackJwt,
  type Harness,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('answering an incoming call', () => {
  it('delivers IncomingCall, answers, then CallConnected and ParticipantsUpdated, signed', async () => {
    const incoming = await incomingCall(h);
    expect(incoming.delivery.headers['aeg-event-type']).toBe('Notification');
    const ev = (incoming.delivery.body as Record<string, unknown>[])[0]!;
    expect(ev.eventType).toBe('Microsoft.Communication.IncomingCall');
    expect(ev.subject).toBe(`/caller/4:${CALLER}/recipient/4:${BUSINESS_NUMBER}`);
    expect(ev.data).toMatchObject({
      from: { kind: 'phoneNumber', rawId: `4:${CALLER}`, phoneNumber: { value: CALLER } },
      to: { kind: 'phoneNumber', rawId: `4:${BUSINESS_NUMBER}` },
      serverCallId: incoming.serverCallId,
      correlationId: incoming.correlationId,
    });

    const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri, {
      operationContext: 'ctx-answer',
    });
    const props = answer.callConnectionProperties;
    expect(props.serverCallId).toBe(incoming.serverCallId);
    expect(props.callConnectionState).toBe('connecting');
    expect(props.answeredby).toEqual({ communicationUserId: APP_USER });
    const id = props.callConnectionId!;

    const kinds = await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
    expect(kinds).toEqual(['CallConnected', 'ParticipantsUpdated']);
    const events = h.receiver.callbacks(id);
    expect(events[0]!.data).toMatchObject({
      operationContext: 'ctx-answer',
      serverCallId: incoming.serverCallId,
      correlationId: incoming.correlationId,
      resultInformation: { code: 200, subCode: 0 },
    });
    const participants = (events[1]!.data.participants as { identifier: { rawId: string } }[]).map(
      (p) => p.identifier.rawId,
    );
    expect(participants.sort()).toEqual([`4:${CALLER}`, APP_USER].sort());

    const tokens = new Set<string>();
    for (const e of events) {
      const { payload, protectedHeader } = await verifyCallbackJwt(e.authorization, h.emulator);
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload.exp! - payload.iat!).toBe(300);
      tokens.add(e.authorization!);
    }
    expect(tokens.size).toBe(events.length);

    const current = await answer.callConnection.getCallConnectionProperties();
    expect(current.callConnectionState).toBe('connected');
    const list = await answer.callConnection.listParticipants();
    expect(
      list.values!.map((p) => (p.identifier as { rawId?: string }).rawId ?? APP_USER).sort(),
    ).toEqual([`4:${CALLER}`, APP_USER].sort());
    const one = await answer.callConnection.getParticipant({ phoneNumber: CALLER });
    expect(one.identifier).toEqual({ phoneNumber: CALLER, rawId: `4:${CALLER}` });
  });

  it('rejects an incomingCallContext used twice', async () => {
    const incoming = await incomingCall(h);
    await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
    await expect(
      h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri),
    ).rejects.toMatchObject({ statusCode: 400, code: '8523' });
    await expect(h.client.rejectCall(incoming.data.incomingCallContext)).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('rejects and redirects without any callback', async () => {
    const a = await incomingCall(h);
    await h.client.rejectCall(a.data.incomingCallContext, { callRejectReason: 'busy' });
    const call = await h.emulator.control.getCall(a.serverCallId);
    expect(call.state).toBe('disconnected');

    const b = await incomingCall(h);
    await h.client.redirectCall(b.data.incomingCallContext, {
      targetParticipant: { phoneNumber: '+15557770000' },
    });
    const redirected = await h.emulator.control.getCall(b.serverCallId);
    expect(redirected.connections).toEqual([]);

    // Both requests are on their call's timeline, like every other action.
    const requests = (id: string) =>
      h.emulator.control
        .getCall(id)
        .then((c) =>
          c.timeline.filter((e) => e.kind === 'request').map((e) => `${e.path} ${e.status}`),
        );
    expect(await requests(a.serverCallId)).toEqual(['/calling/callConnections:reject 204']);
    expect(await requests(b.serverCallId)).toEqual(['/calling/callConnections:redirect 204']);
    // A refused second use of the context is recorded on the call too.
    await expect(h.client.rejectCall(b.data.incomingCallContext)).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(await requests(b.serverCallId)).toEqual([
      '/calling/callConnections:redirect 204',
      '/calling/callConnections:reject 400',
    ]);
  });
});

describe('hanging up', () => {
  it('hangUp(false) on a 1:1 call sends CallDisconnected and ends the call', async () => {
    const c = await answeredCall(h);
    await c.connection.hangUp(false);
    await h.receiver.waitForKinds(c.id, ['CallDisconnected']);
    expect(h.receiver.kinds(c.id)).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
      'CallDisconnected',
    ]);
    expect(h.receiver.callbacks(c.id).at(-1)!.data.resultInformation).toMatchObject({
      code: 200,
      subCode: 7000,
    });
    const call = await h.emulator.control.getCall(c.serverCallId);
    expect(call.state).toBe('disconnected');
    // once the connection is gone ACS no longer knows it
    await expect(
      c.connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'hi' }]),
    ).rejects.toMatchObject({ statusCode: 404, code: '8522' });
  });

  it('hangUp(true) terminates for everyone', async () => {
    const c = await answeredCall(h);
    await c.connection.hangUp(true);
    await h.receiver.waitForKinds(c.id, ['CallDisconnected']);
    expect(
      (await h.emulator.control.getCall(c.serverCallId)).participants.every(
        (p) => p.state === 'disconnected',
      ),
    ).toBe(true);
  });

  it('the caller hanging up disconnects the app', async () => {
    const c = await answeredCall(h);
    await h.emulator.control.hangup(c.serverCallId);
    await h.receiver.waitForKinds(c.id, ['CallDisconnected']);
  });
});

describe('errors', () => {
  it('answers 401 Denied to a wrong access key', async () => {
    const bad = new CallAutomationClient(
      `endpoint=${h.emulator.url}/;accesskey=${Buffer.from('wrong key').toString('base64')}`,
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    await expect(bad.getCallConnection('x').getCallConnectionProperties()).rejects.toMatchObject({
      statusCode: 401,
      code: 'Denied',
    });
  });

  it('answers 404 8522 for an unknown call connection', async () => {
    await expect(
      h.client
        .getCallConnection('00000000-0000-0000-0000-000000000000')
        .getCallConnectionProperties(),
    ).rejects.toMatchObject({ statusCode: 404, code: '8522' });
  });

  it('answers 400 to a phone target without a caller id, and to a non-E.164 number', async () => {
    await expect(
      h.client.createCall({ targetParticipant: { phoneNumber: '+15551234567' } }, h.callbackUri),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      h.client.createCall(
        {
          targetParticipant: { phoneNumber: '5551234567' },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        },
        h.callbackUri,
      ),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
