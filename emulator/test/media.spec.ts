import type { CallMediaRecognizeDtmfOptions, DtmfTone } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER, answeredCall, harness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const caller = { phoneNumber: CALLER };
const prompt = { kind: 'textSource' as const, text: 'Press 1 for sales, 2 for support.' };

function dtmfOptions(
  o: Partial<CallMediaRecognizeDtmfOptions> = {},
): CallMediaRecognizeDtmfOptions {
  return {
    kind: 'callMediaRecognizeDtmfOptions',
    maxTonesToCollect: 4,
    initialSilenceTimeoutInSeconds: 5,
    interToneTimeoutInSeconds: 2,
    playPrompt: prompt,
    ...o,
  };
}

async function lastEvent(id: string, kind: string) {
  await h.receiver.waitForKinds(id, [kind], 5000);
  return h.receiver
    .callbacks(id)
    .filter((e) => e.kind === kind)
    .at(-1)!;
}

describe('play', () => {
  it('PlayCompleted after a duration proportional to the text', async () => {
    const long = await answeredCall(h);
    const short = await answeredCall(h);
    await long.connection
      .getCallMedia()
      .play([{ kind: 'textSource', text: 'x'.repeat(2000) }], [caller], {
        operationContext: 'long',
      });
    await short.connection
      .getCallMedia()
      .playToAll([{ kind: 'textSource', text: 'Hello' }], { operationContext: 'short' });
    const done = await lastEvent(short.id, 'PlayCompleted');
    expect(done.data).toMatchObject({
      operationContext: 'short',
      resultInformation: { code: 200, subCode: 0 },
    });
    // The long prompt, started first, is still playing when the short one has finished.
    expect(h.receiver.kinds(long.id)).not.toContain('PlayCompleted');
    const longDone = await lastEvent(long.id, 'PlayCompleted');
    expect(longDone.data.operationContext).toBe('long');
  });

  it('PlayFailed for an unsupported file and an undownloadable one', async () => {
    const c = await answeredCall(h);
    const media = c.connection.getCallMedia();
    await media.playToAll([{ kind: 'fileSource', url: 'https://example.com/a.ogg' }]);
    const bad = await lastEvent(c.id, 'PlayFailed');
    expect(bad.data).toMatchObject({
      failedPlaySourceIndex: 0,
      resultInformation: { code: 400, subCode: 8535 },
    });
    await media.playToAll([
      { kind: 'fileSource', url: 'https://example.com/ok.wav' },
      { kind: 'fileSource', url: 'https://notfound.example.com/x.wav' },
    ]);
    await h.receiver.waitFor(
      () => h.receiver.kinds(c.id).filter((k) => k === 'PlayFailed').length === 2,
    );
    const missing = h.receiver.callbacks(c.id).filter((e) => e.kind === 'PlayFailed')[1]!;
    expect(missing.data).toMatchObject({
      failedPlaySourceIndex: 1,
      resultInformation: { subCode: 8536 },
    });
  });

  it('cancelAllOperations cancels the running and the queued operations', async () => {
    const c = await answeredCall(h);
    const media = c.connection.getCallMedia();
    await media.playToAll([{ kind: 'textSource', text: 'x'.repeat(5000) }], {
      operationContext: 'p1',
    });
    await media.startRecognizing(caller, dtmfOptions({ operationContext: 'r1' }));
    await media.cancelAllOperations();
    await h.receiver.waitForKinds(c.id, ['PlayCanceled', 'RecognizeCanceled']);
    expect(h.receiver.kinds(c.id).slice(2)).toEqual([
      'PlayStarted',
      'PlayCanceled',
      'RecognizeCanceled',
    ]);
    expect(h.receiver.callbacks(c.id)[3]!.data.resultInformation).toMatchObject({
      code: 400,
      subCode: 8508,
    });
  });
});

describe('recognize DTMF', () => {
  it('200/8531 when max tones are collected', async () => {
    const c = await answeredCall(h, [{ on: 'recognize', afterMs: 100, dtmf: '1234' }]);
    await c.connection
      .getCallMedia()
      .startRecognizing(caller, dtmfOptions({ operationContext: 'pin' }));
    const ev = await lastEvent(c.id, 'RecognizeCompleted');
    expect(ev.data).toMatchObject({
      operationContext: 'pin',
      recognitionType: 'dtmf',
      dtmfResult: { tones: ['one', 'two', 'three', 'four'] },
      resultInformation: { code: 200, subCode: 8531 },
    });
  });

  it('200/8514 on a stop tone, without the stop tone', async () => {
    const c = await answeredCall(h);
    await c.connection
      .getCallMedia()
      .startRecognizing(
        caller,
        dtmfOptions({ stopDtmfTones: ['pound' as DtmfTone], interruptPrompt: true }),
      );
    await h.emulator.control.dtmf(c.serverCallId, '42#');
    const ev = await lastEvent(c.id, 'RecognizeCompleted');
    expect(ev.data).toMatchObject({
      dtmfResult: { tones: ['four', 'two'] },
      resultInformation: { subCode: 8514 },
    });
  });

  it('400/8510 when nothing is pressed before the initial silence timeout', async () => {
    const c = await answeredCall(h);
    await c.connection
      .getCallMedia()
      .startRecognizing(caller, dtmfOptions({ initialSilenceTimeoutInSeconds: 3 }));
    const ev = await lastEvent(c.id, 'RecognizeFailed');
    expect(ev.data.resultInformation).toMatchObject({ code: 400, subCode: 8510 });
  });

  it('400/8532 when the caller stops between digits', async () => {
    const c = await answeredCall(h, [{ on: 'recognize', afterMs: 0, dtmf: '12' }]);
    await c.connection
      .getCallMedia()
      .startRecognizing(caller, dtmfOptions({ interToneTimeoutInSeconds: 2 }));
    const ev = await lastEvent(c.id, 'RecognizeFailed');
    expect(ev.data.resultInformation).toMatchObject({ code: 400, subCode: 8532 });
  });

  it('walks a DTMF menu: silence, wrong length, then a valid choice', async () => {
    const c = await answeredCall(h, [
      { on: 'recognize', afterMs: 200, dtmf: '9' },
      { on: 'recognize', afterMs: 100, dtmf: '2' },
    ]);
    const media = c.connection.getCallMedia();
    const menu = (ctx: string) =>
      media.startRecognizing(caller, dtmfOptions({ maxTonesToCollect: 1, operationContext: ctx }));
    await menu('menu-1');
    const first = await lastEvent(c.id, 'RecognizeCompleted');
    expect(first.data).toMatchObject({
      operationContext: 'menu-1',
      dtmfResult: { tones: ['nine'] },
    });
    await menu('menu-2');
    await h.receiver.waitFor(
      () => h.receiver.kinds(c.id).filter((k) => k === 'RecognizeCompleted').length === 2,
    );
    expect(h.receiver.callbacks(c.id).at(-1)!.data).toMatchObject({
      operationContext: 'menu-2',
      dtmfResult: { tones: ['two'] },
    });
    await menu('menu-3');
    const timedOut = await lastEvent(c.id, 'RecognizeFailed');
    expect(timedOut.data).toMatchObject({
      operationContext: 'menu-3',
      resultInformation: { subCode: 8510 },
    });
  });
});

describe('recognize choices and speech', () => {
  const choices = [
    { label: 'sales', phrases: ['sales', 'buy something'], tone: 'one' as DtmfTone },
    { label: 'support', phrases: ['support', 'help'], tone: 'two' as DtmfTone },
  ];

  it('matches a choice by tone (8533) and by phrase (8545), and fails on no match (8547)', async () => {
    const c = await answeredCall(h, [
      { on: 'recognize', dtmf: '2' },
      { on: 'recognize', say: 'Buy something!' },
      { on: 'recognize', say: 'pizza' },
    ]);
    const media = c.connection.getCallMedia();
    const ask = (ctx: string) =>
      media.startRecognizing(caller, {
        kind: 'callMediaRecognizeChoiceOptions',
        choices,
        playPrompt: prompt,
        operationContext: ctx,
      });
    await ask('c1');
    await h.receiver.waitFor(() =>
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'c1'),
    );
    await ask('c2');
    await h.receiver.waitFor(() =>
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'c2'),
    );
    await ask('c3');
    await h.receiver.waitFor(() =>
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === 'c3'),
    );
    const byCtx = (ctx: string) =>
      h.receiver.callbacks(c.id).find((e) => e.data.operationContext === ctx)!;
    expect(byCtx('c1')).toMatchObject({
      kind: 'RecognizeCompleted',
      data: {
        recognitionType: 'choices',
        choiceResult: { label: 'support' },
        resultInformation: { code: 200, subCode: 8533 },
      },
    });
    expect(byCtx('c2')).toMatchObject({
      kind: 'RecognizeCompleted',
      data: {
        choiceResult: { label: 'sales', recognizedPhrase: 'Buy something!' },
        resultInformation: { subCode: 8545 },
      },
    });
    expect(byCtx('c3')).toMatchObject({
      kind: 'RecognizeFailed',
      data: { resultInformation: { subCode: 8547 } },
    });
  });

  it('returns free speech', async () => {
    const c = await answeredCall(h);
    await c.connection.getCallMedia().startRecognizing(caller, {
      kind: 'callMediaRecognizeSpeechOptions',
      operationContext: 'speech',
    });
    await h.emulator.control.say(c.serverCallId, 'I would like to pay my bill');
    const ev = await lastEvent(c.id, 'RecognizeCompleted');
    expect(ev.data).toMatchObject({
      recognitionType: 'speech',
      speechResult: { speech: 'I would like to pay my bill' },
    });
  });
});

describe('other media actions', () => {
  it('sendDtmfTones completes; continuous DTMF reports each tone', async () => {
    const c = await answeredCall(h);
    const media = c.connection.getCallMedia();
    const r = await media.sendDtmfTones(['one' as DtmfTone, 'pound' as DtmfTone], caller, {
      operationContext: 'send',
    });
    expect(r.operationContext).toBe('send');
    await h.receiver.waitForKinds(c.id, ['SendDtmfTonesCompleted']);
    await media.startContinuousDtmfRecognition(caller);
    await h.emulator.control.dtmf(c.serverCallId, '5');
    await h.receiver.waitForKinds(c.id, ['ContinuousDtmfRecognitionToneReceived']);
    await media.stopContinuousDtmfRecognition(caller);
    await h.receiver.waitForKinds(c.id, ['ContinuousDtmfRecognitionStopped']);
  });

  it('rejects a recognize aimed at someone not in the call', async () => {
    const c = await answeredCall(h);
    await expect(
      c.connection.getCallMedia().startRecognizing({ phoneNumber: '+15550000000' }, dtmfOptions()),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
