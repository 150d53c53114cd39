import {
  type CallMedia,
  type CallMediaRecognizeDtmfOptions,
  DtmfTone,
} from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../src/index.js';
import {
  APP_USER,
  BUSINESS_NUMBER,
  CALLER,
  answeredCall,
  httpsHarness,
  incomingCall,
  type Harness,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await httpsHarness();
});
afterAll(() => h.close());

const text = { kind: 'textSource' as const, text: 'Welcome to Contoso.' };
const ssml = { kind: 'ssmlSource' as const, ssmlText: '<speak>Welcome</speak>' };
const file = { kind: 'fileSource' as const, url: 'https://media.example/hello.wav?duration=200' };
const caller = { phoneNumber: CALLER };

const notConfigured = {
  statusCode: 405,
  code: '8522',
  message: 'Request not allowed when Cognitive Service Configuration not set during call setup.',
};

/** Answers with no callIntelligenceOptions: no Cognitive Services resource for this call. */
async function answeredWithoutSpeech(harness = h) {
  const incoming = await incomingCall(harness);
  const answer = await harness.client.answerCall(
    incoming.data.incomingCallContext,
    harness.callbackUri,
  );
  const id = answer.callConnectionProperties.callConnectionId!;
  await harness.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
  return { ...incoming, id, connection: answer.callConnection };
}

const dtmf = (
  more: Partial<CallMediaRecognizeDtmfOptions> = {},
): CallMediaRecognizeDtmfOptions => ({
  kind: 'callMediaRecognizeDtmfOptions',
  maxTonesToCollect: 1,
  ...more,
});

async function mediaActions(serverCallId: string) {
  const call = await h.emulator.control.getCall(serverCallId);
  return call.timeline.filter((e) => e.kind === 'media' && e.action !== undefined);
}

describe('text-to-speech and speech recognition need a Cognitive Services resource', () => {
  it('without one, ACS refuses them at the request (405/8522) and nothing is queued', async () => {
    const c = await answeredWithoutSpeech();
    const media: CallMedia = c.connection.getCallMedia();
    await expect(media.playToAll([text])).rejects.toMatchObject(notConfigured);
    await expect(media.play([file, ssml], [caller])).rejects.toMatchObject(notConfigured);
    await expect(
      media.startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOptions' }),
    ).rejects.toMatchObject(notConfigured);
    await expect(
      media.startRecognizing(caller, {
        kind: 'callMediaRecognizeSpeechOrDtmfOptions',
        maxTonesToCollect: 1,
      }),
    ).rejects.toMatchObject(notConfigured);
    await expect(
      media.startRecognizing(caller, {
        kind: 'callMediaRecognizeChoiceOptions',
        choices: [{ label: 'sales', phrases: ['sales'], tone: DtmfTone.One }],
      }),
    ).rejects.toMatchObject(notConfigured);
    await expect(media.startRecognizing(caller, dtmf({ playPrompt: text }))).rejects.toMatchObject(
      notConfigured,
    );
    expect(await mediaActions(c.serverCallId)).toEqual([]);
  });

  it('without one, audio files and DTMF still work', async () => {
    const c = await answeredWithoutSpeech();
    const media = c.connection.getCallMedia();
    await media.playToAll([file], { operationContext: 'file' });
    await h.receiver.waitForKinds(c.id, ['PlayCompleted']);
    await media.startRecognizing(
      caller,
      dtmf({ playPrompt: file, initialSilenceTimeoutInSeconds: 60, operationContext: 'menu' }),
    );
    await h.emulator.control.dtmf(c.serverCallId, '5');
    await h.receiver.waitForKinds(c.id, ['RecognizeCompleted']);
    expect(h.receiver.callbacks(c.id).at(-1)!.data.dtmfResult).toEqual({ tones: ['five'] });
  });

  it('linked on answerCall, createCall or connectCall, text prompts play', async () => {
    const linked = { cognitiveServicesEndpoint: h.emulator.cognitiveServicesEndpoint };
    const answered = await answeredCall(h); // the helper links it on answerCall
    await answered.connection.getCallMedia().playToAll([text], { operationContext: 'answered' });
    await h.receiver.waitForKinds(answered.id, ['PlayCompleted']);

    const created = await h.client.createCall(
      { targetParticipant: { communicationUserId: `${APP_USER}5` } },
      h.callbackUri,
      { callIntelligenceOptions: linked },
    );
    const createdId = created.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(createdId, ['CallConnected']);
    await created.callConnection.getCallMedia().playToAll([ssml]);
    await h.receiver.waitForKinds(createdId, ['PlayCompleted']);

    const joined = await h.client.connectCall(
      { kind: 'serverCallLocator', id: answered.serverCallId },
      h.callbackUri,
      { callIntelligenceOptions: linked },
    );
    const joinedId = joined.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(joinedId, ['CallConnected']);
    await joined.callConnection.getCallMedia().playToAll([text]);
    await h.receiver.waitForKinds(joinedId, ['PlayCompleted']);
  });

  it('refuses an endpoint that is not an https URL, naming the field', async () => {
    for (const cognitiveServicesEndpoint of ['http://speech.example/', 'not a url']) {
      const incoming = await incomingCall(h);
      await expect(
        h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri, {
          callIntelligenceOptions: { cognitiveServicesEndpoint },
        }),
      ).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining("'callIntelligenceOptions.cognitiveServicesEndpoint'"),
      });
    }
  });

  it('with an allow-list, an endpoint not linked to the resource fails the operation (401/8565)', async () => {
    const mine = 'https://contoso-speech.cognitiveservices.azure.com/';
    const strict = await httpsHarness({ cognitiveServicesEndpoints: [mine] });
    try {
      expect(strict.emulator.cognitiveServicesEndpoint).toBe(mine);
      const incoming = await incomingCall(strict);
      const answer = await strict.client.answerCall(
        incoming.data.incomingCallContext,
        strict.callbackUri,
        {
          callIntelligenceOptions: {
            cognitiveServicesEndpoint: 'https://someone-else.cognitiveservices.azure.com/',
          },
        },
      );
      const id = answer.callConnectionProperties.callConnectionId!;
      await strict.receiver.waitForKinds(id, ['CallConnected']);
      const media = answer.callConnection.getCallMedia();
      await media.playToAll([file, text], { operationContext: 'tts' });
      await strict.receiver.waitForKinds(id, ['PlayFailed']);
      await media.startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOptions' });
      await strict.receiver.waitForKinds(id, ['RecognizeFailed']);
      const failed = strict.receiver.callbacks(id).filter((e) => e.kind.endsWith('Failed'));
      const authFailed = { code: 401, subCode: 8565 };
      expect(failed[0]!.data).toMatchObject({
        failedPlaySourceIndex: 1,
        resultInformation: authFailed,
      });
      expect(failed[1]!.data).toMatchObject({ resultInformation: authFailed });

      // The linked one works.
      const again = await incomingCall(strict);
      const ok = await strict.client.answerCall(
        again.data.incomingCallContext,
        strict.callbackUri,
        { callIntelligenceOptions: { cognitiveServicesEndpoint: mine } },
      );
      const okId = ok.callConnectionProperties.callConnectionId!;
      await strict.receiver.waitForKinds(okId, ['CallConnected']);
      await ok.callConnection.getCallMedia().playToAll([text]);
      await strict.receiver.waitForKinds(okId, ['PlayCompleted']);
    } finally {
      await strict.close();
    }
  });
});

describe('mute', () => {
  it('refuses to mute a participant who is not a Communication Services user (400/8523)', async () => {
    const c = await answeredCall(h);
    await expect(c.connection.muteParticipant(caller)).rejects.toMatchObject({
      statusCode: 400,
      code: '8523',
      message: expect.stringContaining('only Communication Services users can be muted'),
    });
    const call = await h.emulator.control.getCall(c.serverCallId);
    expect(call.participants.find((p) => p.rawId === `4:${CALLER}`)?.isMuted).toBe(false);
  });
});

describe('hold music', () => {
  it('plays the hold music to the held participant, on a loop, until unhold', async () => {
    const c = await answeredCall(h);
    const media = c.connection.getCallMedia();
    await media.hold(caller, { playSource: file, operationContext: 'hold' });
    await media.unhold(caller);
    const call = await h.emulator.control.getCall(c.serverCallId);
    const music = call.timeline.filter((e) => e.kind === 'media' && e.by === 'hold');
    expect(music).toEqual([
      expect.objectContaining({
        heard: [{ kind: 'file', uri: file.url }],
        to: [`4:${CALLER}`],
        loop: true,
        operationContext: 'hold',
      }),
    ]);
    const stopped = call.timeline.filter((e) => e.kind === 'media' && e.heardStopped === 'hold');
    expect(stopped).toEqual([expect.objectContaining({ to: [`4:${CALLER}`] })]);
    const order = call.timeline.indexOf(music[0]!) < call.timeline.indexOf(stopped[0]!);
    expect(order).toBe(true);
  });

  it('refuses text hold music without a Cognitive Services resource, leaving the participant off hold', async () => {
    const c = await answeredWithoutSpeech();
    const media = c.connection.getCallMedia();
    await expect(media.hold(caller, { playSource: text })).rejects.toMatchObject(notConfigured);
    const call = await h.emulator.control.getCall(c.serverCallId);
    expect(call.participants.find((p) => p.rawId === `4:${CALLER}`)?.isOnHold).toBe(false);
    // A file needs none.
    await media.hold(caller, { playSource: file });
    expect((await c.connection.getParticipant(caller)).isOnHold).toBe(true);
  });
});

describe('what the emulator does not implement', () => {
  const streaming = { transportType: 'websocket' as const, audioChannelType: 'mixed' as const };
  const transcription = { transportType: 'websocket' as const, locale: 'en-US' };

  it('refuses media streaming and transcription options on answer, create and connect', async () => {
    const incoming = await incomingCall(h);
    const notImplemented = (field: string) => ({
      statusCode: 400,
      message: `'${field}' is not implemented by the emulator.`,
    });
    await expect(
      h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri, {
        mediaStreamingOptions: streaming,
      }),
    ).rejects.toMatchObject(notImplemented('mediaStreamingOptions'));
    // The refusal had no effect: the call can still be answered.
    const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
    expect(answer.callConnectionProperties.callConnectionId).toBeTruthy();

    await expect(
      h.client.createCall(
        {
          targetParticipant: { phoneNumber: '+15550001234' },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        },
        h.callbackUri,
        {
          transcriptionOptions: transcription,
        },
      ),
    ).rejects.toMatchObject(notImplemented('transcriptionOptions'));
    await expect(
      h.client.connectCall(
        { kind: 'serverCallLocator', id: incoming.serverCallId },
        h.callbackUri,
        {
          mediaStreamingOptions: streaming,
        },
      ),
    ).rejects.toMatchObject(notImplemented('mediaStreamingOptions'));
  });

  it('refuses the transcription and media streaming actions; an unknown action is still a 404', async () => {
    const c = await answeredCall(h);
    const media = c.connection.getCallMedia();
    const refused = (action: string) => ({
      statusCode: 400,
      message: `'${action}' is not implemented by the emulator.`,
    });
    await expect(media.startTranscription()).rejects.toMatchObject(refused('startTranscription'));
    await expect(media.stopTranscription()).rejects.toMatchObject(refused('stopTranscription'));
    await expect(media.updateTranscription('en-GB')).rejects.toMatchObject(
      refused('updateTranscription'),
    );
    await expect(media.startMediaStreaming()).rejects.toMatchObject(refused('startMediaStreaming'));
    await expect(media.stopMediaStreaming()).rejects.toMatchObject(refused('stopMediaStreaming'));

    const url = new URL(
      `${h.emulator.url}/calling/callConnections/${c.id}:startRecording?api-version=2026-03-12`,
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        ...signRequest('POST', url, '{}', h.emulator.accessKey),
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });
});
