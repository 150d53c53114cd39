import type { DtmfTone } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSINESS_NUMBER,
  answeredCall,
  httpsHarness,
  incomingCall,
  signedRequest,
  type Harness,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  // Sending tones takes "forever", so a participant can leave while they are being sent.
  h = await httpsHarness({ media: { msPerSentTone: 3_600_000 } });
});
afterAll(() => h.close());

let n = 0;
const freshNumber = () => `+1555610${String(++n).padStart(4, '0')}`;
const freshUser = () =>
  `8:acs:11111111-1111-1111-1111-111111111111_0000e7e7-0000-0000-0000-${String(++n).padStart(12, '0')}`;

async function lastOf(id: string, kind: string, path?: string) {
  await h.receiver.waitForKinds(id, [kind], 5000, path);
  return h.receiver
    .callbacks(id, path)
    .filter((e) => e.kind === kind)
    .at(-1)!;
}

/** A caller, the app, and an agent the app added. */
async function threeParty() {
  const caller = freshNumber();
  const c = await answeredCall(h, undefined, caller);
  const agent = freshNumber();
  await c.connection.addParticipant({
    targetParticipant: { phoneNumber: agent },
    sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
  });
  await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded']);
  return { ...c, caller, agent };
}

describe('play', () => {
  it('PlayStarted when the play starts, then PlayCompleted, to the operation callback', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    const path = '/callbacks/op';
    await c.connection
      .getCallMedia()
      .playToAll([{ kind: 'textSource', text: 'Welcome to Contoso' }], {
        operationContext: 'greeting',
        operationCallbackUrl: `${h.receiver.url}${path}`,
      });
    await h.receiver.waitForKinds(c.id, ['PlayCompleted'], 5000, path);
    const events = h.receiver.callbacks(c.id, path);
    expect(events.map((e) => e.kind)).toEqual(['PlayStarted', 'PlayCompleted']);
    expect(events[0]!.data).toMatchObject({
      operationContext: 'greeting',
      resultInformation: { code: 200, subCode: 0 },
    });

    // A play that cannot start only fails.
    await c.connection
      .getCallMedia()
      .playToAll([{ kind: 'fileSource', url: 'https://notfound.example.com/a.wav' }], {
        operationContext: 'broken',
      });
    await lastOf(c.id, 'PlayFailed');
    expect(
      h.receiver
        .callbacks(c.id)
        .filter((e) => e.data.operationContext === 'broken')
        .map((e) => e.kind),
    ).toEqual(['PlayFailed']);
  });
});

describe('answer', () => {
  it('AnswerFailed, then CallDisconnected, when the caller hangs up before the call connects', async () => {
    // The call takes an hour to connect: the caller always gives up first.
    const slow = await httpsHarness({ callModel: { connectLatencyMs: 3_600_000 } });
    try {
      const incoming = await incomingCall(slow, freshNumber());
      const answer = await slow.client.answerCall(
        incoming.data.incomingCallContext,
        slow.callbackUri,
        { operationContext: 'answering' },
      );
      const id = answer.callConnectionProperties.callConnectionId!;
      await slow.emulator.control.hangup(incoming.serverCallId);
      await slow.receiver.waitForKinds(id, ['AnswerFailed', 'CallDisconnected']);
      const events = slow.receiver.callbacks(id);
      expect(events.map((e) => e.kind)).toEqual(['AnswerFailed', 'CallDisconnected']);
      for (const e of events) {
        expect(e.data).toMatchObject({
          operationContext: 'answering',
          resultInformation: { code: 487, subCode: 540487 },
        });
      }
    } finally {
      await slow.close();
    }
  });
});

describe('CallDisconnected says why the call ended', () => {
  const ended = async (id: string) => (await lastOf(id, 'CallDisconnected')).data.resultInformation;

  it('the caller on a phone hung up: 200/560000', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    await h.emulator.control.hangup(c.serverCallId);
    expect(await ended(c.id)).toMatchObject({ code: 200, subCode: 560000 });
  });

  it('a caller who is an ACS user hung up: 200/5002', async () => {
    const c = await answeredCall(h, undefined, freshUser());
    await h.emulator.control.hangup(c.serverCallId);
    expect(await ended(c.id)).toMatchObject({ code: 200, subCode: 5002 });
  });

  it('the app terminated the call: 200/7000, for every app in it', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    const other = await h.client.connectCall(
      { kind: 'serverCallLocator', id: c.serverCallId },
      `${h.receiver.url}/callbacks/other`,
    );
    const otherId = other.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(otherId, ['CallConnected']);
    await c.connection.hangUp(true);
    expect(await ended(c.id)).toMatchObject({ code: 200, subCode: 7000 });
    expect(await ended(otherId)).toMatchObject({ code: 200, subCode: 7000 });
  });

  it('the app removed the last person: 200/5002', async () => {
    const caller = freshNumber();
    const c = await answeredCall(h, undefined, caller);
    await c.connection.removeParticipant({ phoneNumber: caller });
    expect(await ended(c.id)).toMatchObject({ code: 200, subCode: 5002 });
  });

  it('a transfer completed: CallTransferAccepted, then 200/7015', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    await c.connection.transferCallToParticipant({ phoneNumber: freshNumber() });
    expect(await ended(c.id)).toMatchObject({ code: 200, subCode: 7015 });
    expect(h.receiver.kinds(c.id).slice(-2)).toEqual(['CallTransferAccepted', 'CallDisconnected']);
  });

  it('an outbound call busy, declined or not answered: the CreateCallFailed code', async () => {
    const cases = [
      ['busy', 486, 560486],
      ['decline', 603, 560603],
      ['noAnswer', 408, 10004],
    ] as const;
    for (const [onInvite, code, subCode] of cases) {
      const target = freshNumber();
      await h.emulator.control.setEndpoint(target, { onInvite, ringMs: 100 });
      const res = await h.client.createCall(
        {
          targetParticipant: { phoneNumber: target },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        },
        h.callbackUri,
      );
      const id = res.callConnectionProperties.callConnectionId!;
      expect(await ended(id)).toMatchObject({ code, subCode });
      expect(h.receiver.kinds(id)).toEqual(['CreateCallFailed', 'CallDisconnected']);
      expect((await lastOf(id, 'CreateCallFailed')).data.resultInformation).toMatchObject({
        code,
        subCode,
      });
    }
  });
});

describe('when the target of an operation leaves a call that goes on', () => {
  it('the recognize, the play to them and the tones sent to them fail at once', async () => {
    const c = await threeParty();
    const agent = { phoneNumber: c.agent };
    const media = c.connection.getCallMedia();
    await media.startContinuousDtmfRecognition(agent, { operationContext: 'agent-keys' });
    await media.sendDtmfTones(['one' as DtmfTone], agent, { operationContext: 'to-agent' });
    // Looped: it plays until something ends it.
    await media.play([{ kind: 'textSource', text: 'Please hold.' }], [agent], {
      loop: true,
      operationContext: 'agent-prompt',
    });
    // Queued behind the play: it would wait five minutes of silence for someone gone.
    await media.startRecognizing(agent, {
      kind: 'callMediaRecognizeDtmfOptions',
      maxTonesToCollect: 1,
      initialSilenceTimeoutInSeconds: 300,
      operationContext: 'agent-menu',
    });
    await h.receiver.waitForKinds(c.id, ['PlayStarted']);

    await h.emulator.control.hangup(c.serverCallId, c.agent);
    await h.receiver.waitForKinds(c.id, [
      'PlayFailed',
      'RecognizeFailed',
      'SendDtmfTonesFailed',
      'ContinuousDtmfRecognitionStopped',
    ]);
    const byContext = (ctx: string) =>
      h.receiver.callbacks(c.id).filter((e) => e.data.operationContext === ctx);
    for (const [ctx, kind] of [
      ['agent-prompt', 'PlayFailed'],
      ['agent-menu', 'RecognizeFailed'],
      ['to-agent', 'SendDtmfTonesFailed'],
    ] as const) {
      expect(byContext(ctx).at(-1)).toMatchObject({
        kind,
        data: { resultInformation: { code: 404, subCode: 8522 } },
      });
    }
    expect(byContext('agent-keys').at(-1)!.kind).toBe('ContinuousDtmfRecognitionStopped');

    // The call goes on with the caller, and media for them works.
    expect((await h.emulator.control.getCall(c.serverCallId)).state).toBe('connected');
    await media.playToAll([{ kind: 'textSource', text: 'Still here?' }], {
      operationContext: 'after',
    });
    await h.receiver.waitFor(() => byContext('after').find((e) => e.kind === 'PlayCompleted'));
  });
});

describe('recognize', () => {
  it('RecognizeFailed names the prompt that could not be played', async () => {
    const caller = freshNumber();
    const c = await answeredCall(h, undefined, caller);
    await c.connection.getCallMedia().startRecognizing(
      { phoneNumber: caller },
      {
        kind: 'callMediaRecognizeDtmfOptions',
        maxTonesToCollect: 1,
        playPrompts: [
          { kind: 'textSource', text: 'Welcome.' },
          { kind: 'fileSource', url: 'https://notfound.example.com/menu.wav' },
        ],
      },
    );
    expect((await lastOf(c.id, 'RecognizeFailed')).data).toMatchObject({
      failedPlaySourceIndex: 1,
      resultInformation: { code: 500, subCode: 8511 },
    });
  });

  it('reports the confidence a script or the control API gives an utterance', async () => {
    const caller = freshNumber();
    const c = await answeredCall(
      h,
      [{ on: 'recognize', say: 'pay my bill', confidence: 0.42 }],
      caller,
    );
    const media = c.connection.getCallMedia();
    const target = { phoneNumber: caller };
    await media.startRecognizing(target, { kind: 'callMediaRecognizeSpeechOptions' });
    expect((await lastOf(c.id, 'RecognizeCompleted')).data.speechResult).toEqual({
      speech: 'pay my bill',
      confidence: 0.42,
    });

    const choices = [{ label: 'sales', phrases: ['sales'] }];
    await media.startRecognizing(target, {
      kind: 'callMediaRecognizeChoiceOptions',
      choices,
      operationContext: 'low',
    });
    await h.emulator.control.say(c.serverCallId, 'sales', undefined, 0.1);
    // ACS has no threshold: a match is a match, the low confidence is only reported.
    await h.receiver.waitFor(() =>
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'low'),
    );
    expect(
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'low')!.data,
    ).toMatchObject({ choiceResult: { label: 'sales', confidence: 0.1 } });

    await media.startRecognizing(target, {
      kind: 'callMediaRecognizeSpeechOptions',
      operationContext: 'default',
    });
    await h.emulator.control.say(c.serverCallId, 'hello');
    await h.receiver.waitFor(() =>
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'default'),
    );
    expect(
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'default')!.data
        .speechResult,
    ).toEqual({ speech: 'hello', confidence: 0.95 });
  });

  it('answers 400 naming the field to a confidence outside 0..1', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    await expect(
      h.emulator.control.say(c.serverCallId, 'hi', undefined, 1.5),
    ).rejects.toMatchObject({
      status: 400,
      body: { error: { message: "'confidence' must be a number from 0 to 1." } },
    });
    await expect(
      h.emulator.control.placeCall({
        from: freshNumber(),
        to: BUSINESS_NUMBER,
        script: [{ say: 'hi', confidence: -1 } as never],
      }),
    ).rejects.toMatchObject({
      status: 400,
      body: { error: { message: "'script[0].confidence' must be a number from 0 to 1." } },
    });
  });
});

describe('event shapes', () => {
  it('ParticipantsUpdated carries resultInformation; tones carry the context of their start', async () => {
    const caller = freshNumber();
    const c = await answeredCall(h, undefined, caller);
    expect((await lastOf(c.id, 'ParticipantsUpdated')).data).toMatchObject({
      sequenceNumber: 1,
      resultInformation: { code: 200, subCode: 0 },
    });
    const media = c.connection.getCallMedia();
    await media.startContinuousDtmfRecognition(
      { phoneNumber: caller },
      { operationContext: 'keys' },
    );
    await h.emulator.control.dtmf(c.serverCallId, '4');
    expect((await lastOf(c.id, 'ContinuousDtmfRecognitionToneReceived')).data).toMatchObject({
      tone: 'four',
      sequenceId: 1,
      operationContext: 'keys',
      resultInformation: { code: 200, subCode: 0 },
    });
  });
});

describe('hold', () => {
  it('HoldFailed when the hold music cannot be fetched; the participant is not held', async () => {
    const caller = freshNumber();
    const c = await answeredCall(h, undefined, caller);
    const media = c.connection.getCallMedia();
    await media.hold(
      { phoneNumber: caller },
      {
        playSource: { kind: 'fileSource', url: 'https://notfound.example.com/music.wav' },
        operationContext: 'hold-music',
      },
    );
    expect((await lastOf(c.id, 'HoldFailed')).data).toMatchObject({
      operationContext: 'hold-music',
      resultInformation: { code: 400, subCode: 8536 },
    });
    expect((await c.connection.getParticipant({ phoneNumber: caller })).isOnHold).toBe(false);

    await media.hold(
      { phoneNumber: caller },
      { playSource: { kind: 'fileSource', url: 'https://example.com/music.wav' } },
    );
    expect((await c.connection.getParticipant({ phoneNumber: caller })).isOnHold).toBe(true);
    expect(h.receiver.kinds(c.id).filter((k) => k === 'HoldFailed')).toHaveLength(1);
  });
});

describe('ended connections', () => {
  it('404 8522 once the app has left, though the call goes on without it', async () => {
    const c = await threeParty();
    await c.connection.hangUp(false);
    expect((await lastOf(c.id, 'CallDisconnected')).data.resultInformation).toMatchObject({
      code: 200,
      subCode: 7000,
    });
    expect((await h.emulator.control.getCall(c.serverCallId)).state).toBe('connected');
    const gone = { statusCode: 404, code: '8522' };
    await expect(c.connection.getCallConnectionProperties()).rejects.toMatchObject(gone);
    await expect(c.connection.listParticipants()).rejects.toMatchObject(gone);
    await expect(c.connection.hangUp(false)).rejects.toMatchObject(gone);
    await expect(
      c.connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'hello?' }]),
    ).rejects.toMatchObject(gone);
  });

  it('an unknown participants action is a 404, like any unknown action', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    const res = await signedRequest(
      h.emulator,
      'POST',
      `/calling/callConnections/${c.id}/participants:teleport`,
      {},
    );
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body!)).toMatchObject({ error: { code: 'NotFound' } });
  });
});
