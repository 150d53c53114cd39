import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteBehaviour } from '../src/index.js';
import { APP_USER, BUSINESS_NUMBER, answeredCall, harness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const AGENT = '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-0000000000a1';
let n = 0;
/** A fresh phone number per test, so endpoint behaviours do not leak between tests. */
const freshNumber = () => `+1555700${String(++n).padStart(4, '0')}`;

const failures: Record<Exclude<InviteBehaviour, 'accept'>, number> = {
  decline: 603,
  busy: 486,
  noAnswer: 408,
};

describe('createCall', () => {
  it('calls a phone number: CallConnected then ParticipantsUpdated once it answers', async () => {
    const target = freshNumber();
    await h.emulator.control.setEndpoint(target, { onInvite: 'accept', ringMs: 500 });
    const res = await h.client.createCall(
      {
        targetParticipant: { phoneNumber: target },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      },
      h.callbackUri,
      { operationContext: 'ctx-create' },
    );
    const props = res.callConnectionProperties;
    expect(props.callConnectionState).toBe('connecting');
    expect(props.targetParticipants).toEqual([{ phoneNumber: target, rawId: `4:${target}` }]);
    expect(props.sourceCallerIdNumber).toEqual({ phoneNumber: BUSINESS_NUMBER });
    const id = props.callConnectionId!;
    expect(await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated'])).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
    ]);
    expect(h.receiver.callbacks(id)[0]!.data.operationContext).toBe('ctx-create');
  });

  for (const [behaviour, code] of Object.entries(failures)) {
    it(`reports CreateCallFailed (${code}) then CallDisconnected when the callee does ${behaviour}`, async () => {
      const target = freshNumber();
      await h.emulator.control.setEndpoint(target, {
        onInvite: behaviour as InviteBehaviour,
        ringMs: 200,
      });
      const res = await h.client.createCall(
        {
          targetParticipant: { phoneNumber: target },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        },
        h.callbackUri,
      );
      const id = res.callConnectionProperties.callConnectionId!;
      expect(await h.receiver.waitForKinds(id, ['CreateCallFailed', 'CallDisconnected'])).toEqual([
        'CreateCallFailed',
        'CallDisconnected',
      ]);
      expect(h.receiver.callbacks(id)[0]!.data.resultInformation).toMatchObject({ code });
    });
  }

  it('createGroupCall connects when the first target answers', async () => {
    const phone = freshNumber();
    await h.emulator.control.setEndpoint(phone, { onInvite: 'accept', ringMs: 300 });
    await h.emulator.control.setEndpoint(AGENT, { onInvite: 'accept', ringMs: 100 });
    const res = await h.client.createGroupCall(
      [{ communicationUserId: AGENT }, { phoneNumber: phone }],
      h.callbackUri,
      { sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER } },
    );
    const id = res.callConnectionProperties.callConnectionId!;
    await h.receiver.waitFor(
      () => h.receiver.kinds(id).filter((k) => k === 'ParticipantsUpdated').length >= 2,
    );
    expect(h.receiver.kinds(id)).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
      'ParticipantsUpdated',
    ]);
    const last = h.receiver.callbacks(id).at(-1)!.data.participants as unknown[];
    expect(last).toHaveLength(3);
  });

  it('connectCall joins an existing call; an unknown serverCallId gives ConnectFailed', async () => {
    const c = await answeredCall(h);
    const res = await h.client.connectCall(
      { kind: 'serverCallLocator', id: c.serverCallId },
      h.callbackUri,
      {
        operationContext: 'ctx-connect',
      },
    );
    const id = res.callConnectionProperties.callConnectionId!;
    expect(await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated'])).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
    ]);

    const bad = await h.client.connectCall(
      { kind: 'serverCallLocator', id: 'nope' },
      h.callbackUri,
    );
    const badId = bad.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(badId, ['ConnectFailed']);
    expect(h.receiver.callbacks(badId)[0]!.data.resultInformation).toMatchObject({
      code: 404,
      subCode: 8522,
    });
  });
});

describe('addParticipant', () => {
  it('AddParticipantSucceeded then ParticipantsUpdated when the invitee accepts', async () => {
    const c = await answeredCall(h);
    const target = freshNumber();
    await h.emulator.control.setEndpoint(target, { onInvite: 'accept', ringMs: 300 });
    const res = await c.connection.addParticipant(
      {
        targetParticipant: { phoneNumber: target },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      },
      { operationContext: 'ctx-add', invitationTimeoutInSeconds: 30 },
    );
    expect(res.invitationId).toBeTruthy();
    expect(res.participant?.identifier).toEqual({ phoneNumber: target, rawId: `4:${target}` });
    await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded']);
    await h.receiver.waitFor(() => h.receiver.kinds(c.id).length >= 4);
    expect(h.receiver.kinds(c.id).slice(2)).toEqual([
      'AddParticipantSucceeded',
      'ParticipantsUpdated',
    ]);
    const added = h.receiver.callbacks(c.id)[2]!;
    expect(added.data).toMatchObject({
      operationContext: 'ctx-add',
      participant: { rawId: `4:${target}` },
    });
    expect((h.receiver.callbacks(c.id)[3]!.data.participants as unknown[]).length).toBe(3);

    // remove it again: RemoveParticipantSucceeded then ParticipantsUpdated
    await c.connection.removeParticipant(
      { phoneNumber: target },
      { operationContext: 'ctx-remove' },
    );
    await h.receiver.waitFor(() => h.receiver.kinds(c.id).length >= 6);
    expect(h.receiver.kinds(c.id).slice(4)).toEqual([
      'RemoveParticipantSucceeded',
      'ParticipantsUpdated',
    ]);
    // removing someone not in the call fails asynchronously
    await c.connection.removeParticipant({ phoneNumber: target });
    await h.receiver.waitForKinds(c.id, ['RemoveParticipantFailed']);
  });

  for (const [behaviour, code] of Object.entries(failures)) {
    it(`AddParticipantFailed (${code}) when the invitee does ${behaviour}`, async () => {
      const c = await answeredCall(h);
      const target = freshNumber();
      await h.emulator.control.setEndpoint(target, {
        onInvite: behaviour as InviteBehaviour,
        ringMs: 200,
      });
      await c.connection.addParticipant(
        {
          targetParticipant: { phoneNumber: target },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        },
        { invitationTimeoutInSeconds: 10 },
      );
      await h.receiver.waitForKinds(c.id, ['AddParticipantFailed']);
      const failed = h.receiver.callbacks(c.id).find((e) => e.kind === 'AddParticipantFailed')!;
      expect(failed.data.resultInformation).toMatchObject({ code });
      expect(failed.data.participant).toMatchObject({ rawId: `4:${target}` });
    });
  }

  it('rejects adding a phone number without a caller id', async () => {
    const c = await answeredCall(h);
    await expect(
      c.connection.addParticipant({ targetParticipant: { phoneNumber: freshNumber() } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('cancelAddParticipantOperation cancels a ringing invitation once, then fails', async () => {
    const c = await answeredCall(h);
    const target = freshNumber();
    await h.emulator.control.setEndpoint(target, { onInvite: 'noAnswer' });
    const { invitationId } = await c.connection.addParticipant({
      targetParticipant: { phoneNumber: target },
      sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
    });
    const res = await c.connection.cancelAddParticipantOperation(invitationId!, {
      operationContext: 'ctx-cancel',
    });
    expect(res).toMatchObject({ invitationId, operationContext: 'ctx-cancel' });
    await h.receiver.waitForKinds(c.id, ['CancelAddParticipantSucceeded']);
    await c.connection.cancelAddParticipantOperation(invitationId!);
    await h.receiver.waitForKinds(c.id, ['CancelAddParticipantFailed']);
    expect(h.receiver.kinds(c.id)).not.toContain('AddParticipantFailed');
  });

  it('mutes, holds and unholds a participant', async () => {
    // ACS mutes Communication Services users only: the caller is one here.
    const user = `${APP_USER.slice(0, -1)}7`;
    const c = await answeredCall(h, undefined, user);
    const caller = { communicationUserId: user };
    await c.connection.muteParticipant(caller, { operationContext: 'ctx-mute' });
    expect((await c.connection.getParticipant(caller)).isMuted).toBe(true);
    await c.connection.getCallMedia().hold(caller);
    expect((await c.connection.getParticipant(caller)).isOnHold).toBe(true);
    await c.connection.getCallMedia().unhold(caller);
    expect((await c.connection.getParticipant(caller)).isOnHold).toBe(false);
    await h.receiver.waitFor(() => h.receiver.kinds(c.id).length >= 5);
    expect(h.receiver.kinds(c.id).slice(2)).toEqual([
      'ParticipantsUpdated',
      'ParticipantsUpdated',
      'ParticipantsUpdated',
    ]);
  });
});

describe('transferCallToParticipant', () => {
  it('CallTransferAccepted then CallDisconnected when the target accepts', async () => {
    const c = await answeredCall(h);
    const target = freshNumber();
    await h.emulator.control.setEndpoint(target, { onInvite: 'accept', ringMs: 300 });
    const res = await c.connection.transferCallToParticipant(
      { phoneNumber: target },
      { operationContext: 'ctx-transfer' },
    );
    expect(res.operationContext).toBe('ctx-transfer');
    await h.receiver.waitForKinds(c.id, ['CallDisconnected']);
    expect(h.receiver.kinds(c.id)).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
      'CallTransferAccepted',
      'CallDisconnected',
    ]);
    const accepted = h.receiver.callbacks(c.id)[2]!.data;
    expect(accepted).toMatchObject({
      operationContext: 'ctx-transfer',
      transferTarget: { rawId: `4:${target}` },
      transferee: { rawId: '4:+15551230001' },
    });
    const call = await h.emulator.control.getCall(c.serverCallId);
    expect(
      call.participants
        .filter((p) => p.state === 'connected')
        .map((p) => p.rawId)
        .sort(),
    ).toEqual(['4:+15551230001', `4:${target}`].sort());
    expect(call.participants.find((p) => p.rawId === APP_USER)?.state).toBe('disconnected');
  });

  for (const [behaviour, code] of Object.entries(failures)) {
    it(`CallTransferFailed (${code}) when the target does ${behaviour}; the call goes on`, async () => {
      const c = await answeredCall(h);
      const target = freshNumber();
      await h.emulator.control.setEndpoint(target, {
        onInvite: behaviour as InviteBehaviour,
        ringMs: 200,
      });
      await c.connection.transferCallToParticipant(
        { phoneNumber: target },
        {
          operationCallbackUrl: `${h.receiver.url}/callbacks/transfer`,
        },
      );
      await h.receiver.waitForKinds(c.id, ['CallTransferFailed']);
      const failed = h.receiver.callbacks(c.id).find((e) => e.kind === 'CallTransferFailed')!;
      expect(failed.path).toBe('/callbacks/transfer');
      expect(failed.data.resultInformation).toMatchObject({ code });
      expect((await c.connection.getCallConnectionProperties()).callConnectionState).toBe(
        'connected',
      );
    });
  }
});

describe("a placed call's own callee behaviours", () => {
  it('a callee declines in one call and accepts in another at the same time (the registry says accept)', async () => {
    const target = freshNumber();
    await h.emulator.control.setEndpoint(target, { onInvite: 'accept', ringMs: 100 });
    const placeWith = async (onInvite: InviteBehaviour) => {
      const placed = await h.emulator.control.placeCall({
        from: freshNumber(),
        to: BUSINESS_NUMBER,
        endpoints: { [target]: { onInvite, ringMs: 100 } },
      });
      const delivery = await h.receiver.waitFor(
        () =>
          h.receiver
            .eventGrid('Microsoft.Communication.IncomingCall')
            .find(
              (r) =>
                (r.body as { data: { serverCallId: string } }[])[0]!.data.serverCallId ===
                placed.serverCallId,
            ),
        5000,
        'IncomingCall',
      );
      const context = (delivery.body as { data: { incomingCallContext: string } }[])[0]!.data
        .incomingCallContext;
      const answer = await h.client.answerCall(context, h.callbackUri);
      const id = answer.callConnectionProperties.callConnectionId!;
      await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
      await answer.callConnection.addParticipant(
        {
          targetParticipant: { phoneNumber: target },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        },
        { invitationTimeoutInSeconds: 30 },
      );
      return id;
    };
    const [declined, accepted] = await Promise.all([placeWith('decline'), placeWith('accept')]);
    expect(await h.receiver.waitForKinds(declined, ['AddParticipantFailed'])).toContain(
      'AddParticipantFailed',
    );
    expect(await h.receiver.waitForKinds(accepted, ['AddParticipantSucceeded'])).toContain(
      'AddParticipantSucceeded',
    );
  });

  it("refuses a placed call's endpoints that are not behaviours, naming the field", async () => {
    const res = await fetch(`${h.emulator.url}/emulator/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: freshNumber(),
        to: BUSINESS_NUMBER,
        endpoints: { [freshNumber()]: { onInvite: 'maybe' } },
      }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/onInvite/);
  });
});

describe('what the caller heard', () => {
  it("the call's timeline holds each prompt played, with its voice, in order", async () => {
    const c = await answeredCall(h);
    await c.connection
      .getCallMedia()
      .playToAll([{ kind: 'textSource', text: 'Hello there', voiceName: 'en-US-JennyNeural' }], {
        operationContext: 'ctx-hello',
      });
    await h.receiver.waitForKinds(c.id, ['PlayCompleted']);
    await c.connection
      .getCallMedia()
      .playToAll([{ kind: 'fileSource', url: 'https://x.test/a.wav' }]);
    await h.receiver.waitFor(
      () => h.receiver.kinds(c.id).filter((k) => k === 'PlayCompleted').length >= 2,
    );
    const detail = await h.emulator.control.getCall(c.serverCallId);
    const heard = detail.timeline.filter((e) => e.kind === 'media' && Array.isArray(e.heard));
    expect(heard.map((e) => e.heard)).toEqual([
      [{ kind: 'text', text: 'Hello there', voice: 'en-US-JennyNeural' }],
      [{ kind: 'file', uri: 'https://x.test/a.wav' }],
    ]);
    expect(heard[0]!.operationContext).toBe('ctx-hello');
  });
});
