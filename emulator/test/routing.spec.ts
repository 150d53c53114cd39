import { CallAutomationClient } from '@azure/communication-call-automation';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_USER,
  BUSINESS_NUMBER,
  type Harness,
  type IncomingCallData,
  httpsHarness,
} from './helpers.js';

/**
 * Calls to the resource's own numbers and users route back into it: a queue app (subscribed to
 * the business number) hands callers to an agent app (subscribed to the agent number) by
 * transfer or add, and the agent app's answer, rejection or redirect decides the invitation.
 */
const AGENT_NUMBER = '+18005550101';
const UNUSED_NUMBER = '+18005550102';

let h: Harness;
/** The agent app: its own client (its own identity in calls) and callback path. */
let agent: CallAutomationClient;
beforeAll(async () => {
  h = await httpsHarness({ eventGridSubscribers: [] });
  const url = h.receiver.url;
  await h.emulator.control.addSubscription(`${url}/queue/events`, {
    filter: { to: [BUSINESS_NUMBER] },
  });
  await h.emulator.control.addSubscription(`${url}/agent/events`, {
    filter: { to: [AGENT_NUMBER] },
  });
  await h.emulator.control.addSubscription(`${url}/other/events`, {
    filter: { to: [UNUSED_NUMBER] },
  });
  agent = new CallAutomationClient(h.emulator.connectionString, {
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
});
afterAll(() => h.close());

const QUEUE = '/queue/callbacks';
const AGENT = '/agent/callbacks';

let callerN = 0;
const freshCaller = () => `+1555800${String(++callerN).padStart(4, '0')}`;

/** A caller dials the business number and the queue app answers. */
async function queuedCall(from = freshCaller()) {
  const placed = await h.emulator.control.placeCall({ from, to: BUSINESS_NUMBER });
  const data = await h.receiver.waitFor(
    () => h.receiver.incomingCalls('/queue/').find((d) => d.serverCallId === placed.serverCallId),
    5000,
    'IncomingCall at the queue',
  );
  const answer = await h.client.answerCall(data.incomingCallContext, `${h.receiver.url}${QUEUE}`);
  const id = answer.callConnectionProperties.callConnectionId!;
  await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated'], 5000, QUEUE);
  return { ...placed, from, id, connection: answer.callConnection };
}

/** The IncomingCall the agent app gets for this call (by server call id). */
const agentOffer = (serverCallId: string, count = 1): Promise<IncomingCallData> =>
  h.receiver.waitFor(
    () => {
      const mine = h.receiver
        .incomingCalls('/agent/')
        .filter((d) => d.serverCallId === serverCallId);
      return mine.length >= count ? mine[count - 1] : undefined;
    },
    5000,
    'IncomingCall at the agent app',
  );

describe('a transfer to one of the resource’s numbers', () => {
  it('raises IncomingCall for the subscriber of that number; its answer takes over the call', async () => {
    const c = await queuedCall();
    await c.connection.transferCallToParticipant(
      { phoneNumber: AGENT_NUMBER },
      {
        operationContext: 'to-agent',
        customCallingContext: [{ kind: 'voip', key: 'queue', value: 'sales' }],
      },
    );
    const offer = await agentOffer(c.serverCallId);
    expect(offer).toMatchObject({
      to: { rawId: `4:${AGENT_NUMBER}` },
      from: { rawId: `4:${c.from}` },
      serverCallId: c.serverCallId,
      correlationId: c.correlationId,
      customContext: { voipHeaders: { queue: 'sales' } },
    });
    expect(offer.incomingCallContext).not.toBe(c.incomingCallContext);

    const answered = await agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`);
    const bId = answered.callConnectionProperties.callConnectionId!;
    expect(answered.callConnectionProperties.serverCallId).toBe(c.serverCallId);
    expect(
      await h.receiver.waitForKinds(bId, ['CallConnected', 'ParticipantsUpdated'], 5000, AGENT),
    ).toEqual(['CallConnected', 'ParticipantsUpdated']);
    await h.receiver.waitForKinds(c.id, ['CallTransferAccepted', 'CallDisconnected'], 5000, QUEUE);
    expect(h.receiver.kinds(c.id, QUEUE).slice(2)).toEqual([
      'CallTransferAccepted',
      'CallDisconnected',
    ]);
    expect(h.receiver.callbacks(c.id, QUEUE)[2]!.data).toMatchObject({
      operationContext: 'to-agent',
      transferTarget: { rawId: `4:${AGENT_NUMBER}` },
      transferee: { rawId: `4:${c.from}` },
    });
    const people = (await answered.callConnection.listParticipants()).values!.map(
      (p) => (p.identifier as { rawId?: string }).rawId,
    );
    expect(people).toContain(`4:${c.from}`);
    expect(people).not.toContain(APP_USER);

    // The caller is talking to the agent app now: what they press reaches it.
    await answered.callConnection
      .getCallMedia()
      .startRecognizing(
        { phoneNumber: c.from },
        { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1 },
      );
    await h.emulator.control.dtmf(c.serverCallId, '7');
    await h.receiver.waitForKinds(bId, ['RecognizeCompleted'], 5000, AGENT);
    expect(h.receiver.callbacks(bId, AGENT).at(-1)!.data.dtmfResult).toEqual({ tones: ['seven'] });

    // Only the agent number's subscriber heard of it; the queue saw only the caller's call.
    expect(h.receiver.incomingCalls('/other/')).toEqual([]);
    expect(
      h.receiver.incomingCalls('/queue/').filter((d) => d.serverCallId === c.serverCallId),
    ).toHaveLength(1);
  });

  for (const [reason, code, subCode] of [
    ['busy', 486, 560486],
    ['none', 603, 560603],
    ['forbidden', 403, 560403],
  ] as const) {
    it(`a rejection (${reason}) by the agent app is CallTransferFailed ${code}; the call goes on`, async () => {
      const c = await queuedCall();
      await c.connection.transferCallToParticipant({ phoneNumber: AGENT_NUMBER });
      const offer = await agentOffer(c.serverCallId);
      await agent.rejectCall(offer.incomingCallContext, { callRejectReason: reason });
      await h.receiver.waitForKinds(c.id, ['CallTransferFailed'], 5000, QUEUE);
      const failed = h.receiver
        .callbacks(c.id, QUEUE)
        .find((e) => e.kind === 'CallTransferFailed')!;
      expect(failed.data.resultInformation).toMatchObject({ code, subCode });
      expect((await c.connection.getCallConnectionProperties()).callConnectionState).toBe(
        'connected',
      );
      // The context is spent.
      await expect(
        agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`),
      ).rejects.toMatchObject({ statusCode: 400 });
    });
  }

  it('a redirect by the agent app sends the transfer on to the redirect target', async () => {
    const c = await queuedCall();
    const desk = '+15557009001';
    await h.emulator.control.setEndpoint(desk, { onInvite: 'accept', ringMs: 100 });
    await c.connection.transferCallToParticipant({ phoneNumber: AGENT_NUMBER });
    const offer = await agentOffer(c.serverCallId);
    await agent.redirectCall(offer.incomingCallContext, {
      targetParticipant: { phoneNumber: desk },
    });
    await h.receiver.waitForKinds(c.id, ['CallTransferAccepted', 'CallDisconnected'], 5000, QUEUE);
    const call = await h.emulator.control.getCall(c.serverCallId);
    expect(
      call.participants
        .filter((p) => p.state === 'connected')
        .map((p) => p.rawId)
        .sort(),
    ).toEqual([`4:${c.from}`, `4:${desk}`].sort());
  });
});

describe('a redirect to one of the resource’s numbers', () => {
  it('the ringing call is offered to that number’s app, from the original caller', async () => {
    const from = freshCaller();
    const placed = await h.emulator.control.placeCall({
      from,
      to: BUSINESS_NUMBER,
      callerDisplayName: 'Grace',
    });
    const data = await h.receiver.waitFor(
      () => h.receiver.incomingCalls('/queue/').find((d) => d.serverCallId === placed.serverCallId),
      5000,
      'IncomingCall at the queue',
    );
    await h.client.redirectCall(data.incomingCallContext, {
      targetParticipant: { phoneNumber: AGENT_NUMBER },
    });
    const offer = await agentOffer(placed.serverCallId);
    expect(offer).toMatchObject({
      from: { rawId: `4:${from}` },
      to: { rawId: `4:${AGENT_NUMBER}` },
      callerDisplayName: 'Grace',
    });
    const answered = await agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`);
    const bId = answered.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(bId, ['CallConnected', 'ParticipantsUpdated'], 5000, AGENT);
    const people = (await answered.callConnection.listParticipants()).values!.map(
      (p) => (p.identifier as { rawId?: string }).rawId,
    );
    expect(people).toContain(`4:${from}`);
    // The caller hanging up ends the call for the agent app.
    await h.emulator.control.hangup(placed.serverCallId);
    await h.receiver.waitForKinds(bId, ['CallDisconnected'], 5000, AGENT);
  });
});

describe('an add of one of the resource’s numbers', () => {
  it('the agent app answers: AddParticipantSucceeded for the queue app, all three in the call', async () => {
    const c = await queuedCall();
    const added = await c.connection.addParticipant(
      {
        targetParticipant: { phoneNumber: AGENT_NUMBER },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        sourceDisplayName: 'Sales queue',
      },
      { operationContext: 'add-agent', invitationTimeoutInSeconds: 60 },
    );
    expect(added.invitationId).toBeTruthy();
    const offer = await agentOffer(c.serverCallId);
    expect(offer).toMatchObject({
      from: { rawId: `4:${BUSINESS_NUMBER}` },
      to: { rawId: `4:${AGENT_NUMBER}` },
      callerDisplayName: 'Sales queue',
    });
    const answered = await agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`);
    const bId = answered.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(bId, ['CallConnected', 'ParticipantsUpdated'], 5000, AGENT);
    await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded'], 5000, QUEUE);
    const succeeded = h.receiver
      .callbacks(c.id, QUEUE)
      .find((e) => e.kind === 'AddParticipantSucceeded')!;
    expect(succeeded.data).toMatchObject({
      operationContext: 'add-agent',
      participant: { rawId: `4:${AGENT_NUMBER}` },
    });
    const seen = h.receiver.callbacks(bId, AGENT).find((e) => e.kind === 'ParticipantsUpdated')!;
    expect((seen.data.participants as unknown[]).length).toBe(3);
    // Both apps stay; the queue app leaving does not end the caller's call with the agent.
    await c.connection.hangUp(false);
    await h.receiver.waitForKinds(c.id, ['CallDisconnected'], 5000, QUEUE);
    expect((await answered.callConnection.getCallConnectionProperties()).callConnectionState).toBe(
      'connected',
    );
  });

  it('nobody answers within the invitation timeout: AddParticipantFailed 408, the context is dead', async () => {
    const c = await queuedCall();
    await c.connection.addParticipant(
      {
        targetParticipant: { phoneNumber: AGENT_NUMBER },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      },
      { invitationTimeoutInSeconds: 5 },
    );
    const offer = await agentOffer(c.serverCallId);
    await h.receiver.waitForKinds(c.id, ['AddParticipantFailed'], 5000, QUEUE);
    const failed = h.receiver
      .callbacks(c.id, QUEUE)
      .find((e) => e.kind === 'AddParticipantFailed')!;
    expect(failed.data.resultInformation).toMatchObject({ code: 408 });
    await expect(
      agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('an owned number nobody subscribes to never answers (noAnswer)', async () => {
    const c = await queuedCall();
    const lonely = '+18005550109';
    await c.connection.addParticipant(
      {
        targetParticipant: { phoneNumber: lonely },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      },
      { invitationTimeoutInSeconds: 5 },
    );
    await h.receiver.waitForKinds(c.id, ['AddParticipantFailed'], 5000, QUEUE);
    const timeline = (await h.emulator.control.getCall(c.serverCallId)).timeline;
    expect(timeline.find((e) => e.rawId === `4:${lonely}` && e.state === 'ringing')).toMatchObject({
      offeredTo: 'resource',
    });
  });
});

describe('a call from one app to another through the resource’s number', () => {
  it('createCall to the agent number: both apps connect; either hanging up ends it', async () => {
    const created = await h.client.createCall(
      {
        targetParticipant: { phoneNumber: AGENT_NUMBER },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      },
      `${h.receiver.url}${QUEUE}`,
    );
    const aId = created.callConnectionProperties.callConnectionId!;
    const serverCallId = created.callConnectionProperties.serverCallId!;
    const offer = await agentOffer(serverCallId);
    expect(offer.from.rawId).toBe(`4:${BUSINESS_NUMBER}`);
    const answered = await agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`);
    const bId = answered.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(aId, ['CallConnected'], 5000, QUEUE);
    await h.receiver.waitForKinds(bId, ['CallConnected'], 5000, AGENT);
    await answered.callConnection.hangUp(false);
    await h.receiver.waitForKinds(aId, ['CallDisconnected'], 5000, QUEUE);
    expect((await h.emulator.control.getCall(serverCallId)).state).toBe('disconnected');
  });
});

describe('the resource’s ACS users', () => {
  it('an add of a user some app subscribes to goes to that app; without one, the user’s client rings', async () => {
    const identity = new CommunicationIdentityClient(h.emulator.connectionString);
    const subscribed = await identity.createUser();
    const unsubscribed = await identity.createUser();
    await h.emulator.control.addSubscription(`${h.receiver.url}/agent-user/events`, {
      filter: { to: [subscribed.communicationUserId] },
    });
    await h.emulator.control.setEndpoint(unsubscribed.communicationUserId, {
      onInvite: 'decline',
      ringMs: 100,
    });
    const c = await queuedCall();
    await c.connection.addParticipant({ targetParticipant: unsubscribed });
    await h.receiver.waitForKinds(c.id, ['AddParticipantFailed'], 5000, QUEUE);
    expect(
      h.receiver.callbacks(c.id, QUEUE).find((e) => e.kind === 'AddParticipantFailed')!.data
        .resultInformation,
    ).toMatchObject({ code: 603 });

    await c.connection.addParticipant({ targetParticipant: subscribed });
    const offer = await h.receiver.waitFor(
      () =>
        h.receiver
          .incomingCalls('/agent-user/')
          .find((d) => d.to.rawId === subscribed.communicationUserId),
      5000,
      'IncomingCall for the subscribed user',
    );
    expect(offer.from.rawId).toBe(APP_USER);
    await agent.answerCall(offer.incomingCallContext, `${h.receiver.url}${AGENT}`);
    await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded'], 5000, QUEUE);
  });
});

describe('what the inviting app presented', () => {
  it('caller id, display name and custom headers are on the timeline of an invite to a simulated phone', async () => {
    const c = await queuedCall();
    const target = '+15557009002';
    await h.emulator.control.setEndpoint(target, { onInvite: 'accept', ringMs: 100 });
    await c.connection.addParticipant({
      targetParticipant: { phoneNumber: target },
      sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      sourceDisplayName: 'Contoso',
      customCallingContext: [
        { kind: 'sipx', key: 'Ticket', value: '42' },
        { kind: 'voip', key: 'tier', value: 'gold' },
      ],
    });
    await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded'], 5000, QUEUE);
    const timeline = (await h.emulator.control.getCall(c.serverCallId)).timeline;
    expect(timeline.find((e) => e.rawId === `4:${target}` && e.state === 'ringing')).toMatchObject({
      from: `4:${BUSINESS_NUMBER}`,
      callerId: BUSINESS_NUMBER,
      displayName: 'Contoso',
      customContext: { sipHeaders: { 'X-MS-Custom-Ticket': '42' }, voipHeaders: { tier: 'gold' } },
    });
  });
});
