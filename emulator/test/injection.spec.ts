import type { CallConnection, DtmfTone } from '@azure/communication-call-automation';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InjectableOperation } from '../src/index.js';
import {
  BUSINESS_NUMBER,
  answeredCall,
  httpsHarness,
  incomingCall,
  type Harness,
} from './helpers.js';

const run = promisify(execFile);
const emulatorDir = fileURLToPath(new URL('..', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await httpsHarness();
});
afterEach(() => h.emulator.control.clearInjectedResults());
afterAll(() => h.close());

let n = 0;
const freshNumber = () => `+1555620${String(++n).padStart(4, '0')}`;

async function lastOf(id: string, kind: string) {
  await h.receiver.waitForKinds(id, [kind]);
  return h.receiver
    .callbacks(id)
    .filter((e) => e.kind === kind)
    .at(-1)!;
}

describe('result injection', () => {
  it('the next play on the call fails with 400/8536; the one after plays', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    const injected = await h.emulator.control.injectResult(
      { operation: 'play', code: 400, subCode: 8536 },
      c.serverCallId,
    );
    // The message comes from the result-code table.
    expect(injected).toEqual({
      operation: 'play',
      code: 400,
      subCode: 8536,
      message: 'Action failed, file could not be downloaded.',
      times: 1,
      serverCallId: c.serverCallId,
    });
    expect(await h.emulator.control.injectedResults()).toHaveLength(1);
    const media = c.connection.getCallMedia();
    const welcome = [{ kind: 'textSource' as const, text: 'Welcome' }];
    await media.playToAll(welcome, { operationContext: 'first' });
    expect((await lastOf(c.id, 'PlayFailed')).data).toMatchObject({
      operationContext: 'first',
      resultInformation: {
        code: 400,
        subCode: 8536,
        message: 'Action failed, file could not be downloaded.',
      },
    });
    await media.playToAll(welcome, { operationContext: 'second' });
    expect((await lastOf(c.id, 'PlayCompleted')).data.operationContext).toBe('second');
    expect(h.receiver.kinds(c.id).slice(2)).toEqual(['PlayFailed', 'PlayStarted', 'PlayCompleted']);

    expect(await h.emulator.control.injectedResults()).toEqual([]);
    const timeline = (await h.emulator.control.getCall(c.serverCallId)).timeline;
    expect(timeline.filter((e) => e.kind === 'injection')).toEqual([
      expect.objectContaining({ operation: 'play', code: 400, subCode: 8536, times: 1 }),
      expect.objectContaining({ operation: 'play', code: 400, subCode: 8536, applied: true }),
    ]);
  });

  const caller = freshNumber();
  const target = { phoneNumber: caller };
  const midCall: [InjectableOperation, string, (conn: CallConnection, id: string) => unknown][] = [
    [
      'recognize',
      'RecognizeFailed',
      (c) =>
        c.getCallMedia().startRecognizing(target, {
          kind: 'callMediaRecognizeDtmfOptions',
          maxTonesToCollect: 1,
        }),
    ],
    ['hold', 'HoldFailed', (c) => c.getCallMedia().hold(target)],
    [
      'sendDtmfTones',
      'SendDtmfTonesFailed',
      (c) => c.getCallMedia().sendDtmfTones(['one' as DtmfTone], target),
    ],
    [
      'continuousDtmfRecognition',
      'ContinuousDtmfRecognitionToneFailed',
      async (c, serverCallId) => {
        await c.getCallMedia().startContinuousDtmfRecognition(target);
        await h.emulator.control.dtmf(serverCallId, '1', caller);
      },
    ],
    [
      'transfer',
      'CallTransferFailed',
      (c) => c.transferCallToParticipant({ phoneNumber: freshNumber() }),
    ],
    [
      'addParticipant',
      'AddParticipantFailed',
      (c) =>
        c.addParticipant({
          targetParticipant: { phoneNumber: freshNumber() },
          sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
        }),
    ],
    ['removeParticipant', 'RemoveParticipantFailed', (c) => c.removeParticipant(target)],
    [
      'cancelAddParticipant',
      'CancelAddParticipantFailed',
      (c) => c.cancelAddParticipantOperation('00000000-0000-0000-0000-000000000000'),
    ],
    [
      'moveParticipants',
      'MoveParticipantFailed',
      (c) =>
        c.moveParticipants([{ phoneNumber: freshNumber() }], '00000000-0000-0000-0000-00000000000'),
    ],
  ];

  it.each(midCall)(
    'the next %s ends with %s carrying the injected result',
    async (op, kind, act) => {
      const c = await answeredCall(h, undefined, caller);
      await h.emulator.control.injectResult(
        { operation: op, code: 500, subCode: 9999, message: 'Injected by the test.' },
        c.serverCallId,
      );
      await act(c.connection, c.serverCallId);
      expect((await lastOf(c.id, kind)).data.resultInformation).toEqual({
        code: 500,
        subCode: 9999,
        message: 'Injected by the test.',
      });
      // The call is unharmed: the caller is still in it and the app still connected.
      expect((await c.connection.getCallConnectionProperties()).callConnectionState).toBe(
        'connected',
      );
      expect((await c.connection.getParticipant(target)).identifier).toMatchObject(target);
    },
  );

  it('the next answer, and the next createCall, fail for whichever call comes first', async () => {
    await h.emulator.control.injectResult({ operation: 'answer', code: 500, subCode: 8518 });
    const incoming = await incomingCall(h, freshNumber());
    const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri);
    const id = answer.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(id, ['CallDisconnected']);
    expect(h.receiver.kinds(id)).toEqual(['AnswerFailed', 'CallDisconnected']);
    expect((await lastOf(id, 'AnswerFailed')).data.resultInformation).toMatchObject({
      code: 500,
      subCode: 8518,
      message: 'Injected failure.',
    });

    await h.emulator.control.injectResult({ operation: 'createCall', code: 403, subCode: 7507 });
    const created = await h.client.createCall(
      { targetParticipant: { communicationUserId: '8:acs:someone_else' } },
      h.callbackUri,
    );
    const createdId = created.callConnectionProperties.callConnectionId!;
    await h.receiver.waitForKinds(createdId, ['CallDisconnected']);
    expect(h.receiver.kinds(createdId)).toEqual(['CreateCallFailed', 'CallDisconnected']);
    expect((await lastOf(createdId, 'CreateCallFailed')).data.resultInformation).toMatchObject({
      code: 403,
      subCode: 7507,
    });

    // Used up: the next call connects.
    const next = await answeredCall(h, undefined, freshNumber());
    expect(h.receiver.kinds(next.id)).toContain('CallConnected');
  });

  it('the next connect to a call fails with ConnectFailed', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    await h.emulator.control.injectResult(
      { operation: 'connect', code: 403, subCode: 7504 },
      c.serverCallId,
    );
    const other = await h.client.connectCall(
      { kind: 'serverCallLocator', id: c.serverCallId },
      h.callbackUri,
    );
    const id = other.callConnectionProperties.callConnectionId!;
    expect((await lastOf(id, 'ConnectFailed')).data.resultInformation).toMatchObject({
      code: 403,
      subCode: 7504,
    });
  });

  it('`times` fails that many operations', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    await h.emulator.control.injectResult(
      { operation: 'play', code: 400, subCode: 8535, times: 2 },
      c.serverCallId,
    );
    const media = c.connection.getCallMedia();
    for (const ctx of ['p1', 'p2', 'p3']) {
      await media.playToAll([{ kind: 'textSource', text: 'Hi' }], { operationContext: ctx });
    }
    await h.receiver.waitForKinds(c.id, ['PlayCompleted']);
    const outcome = (ctx: string) =>
      h.receiver
        .callbacks(c.id)
        .filter((e) => e.data.operationContext === ctx)
        .at(-1)!.kind;
    expect(['p1', 'p2', 'p3'].map(outcome)).toEqual(['PlayFailed', 'PlayFailed', 'PlayCompleted']);
  });

  it('answers 400 naming the field to a bad injection, 404 to an unknown call', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    const bad = async (body: unknown, message: string, id: string | undefined = c.serverCallId) =>
      expect(h.emulator.control.injectResult(body as never, id)).rejects.toMatchObject({
        status: 400,
        body: { error: { message: expect.stringContaining(message) } },
      });
    await bad({ operation: 'fly', code: 400, subCode: 1 }, "'operation' must be one of answer,");
    await bad({ operation: 'play', code: 200, subCode: 0 }, "'code' must be a failure code");
    await bad({ operation: 'play', code: 400.5, subCode: 0 }, "'code'");
    await bad({ operation: 'play', code: 400, subCode: -1 }, "'subCode'");
    await bad({ operation: 'play', code: 400, subCode: 1, times: 0 }, "'times'");
    await bad({ operation: 'play', code: 400, subCode: 1, message: 5 }, "'message'");
    await bad({ operation: 'createCall', code: 400, subCode: 1 }, "'createCall' starts a new call");
    await expect(
      h.emulator.control.injectResult({ operation: 'play', code: 400, subCode: 1 }, 'nope'),
    ).rejects.toMatchObject({ status: 404 });
    await c.connection.hangUp(true);
    await bad({ operation: 'play', code: 400, subCode: 1 }, 'The call has already ended.');
    expect(await h.emulator.control.injectedResults()).toEqual([]);
  });

  it('the CLI queues one: switchboard-emulator fail <serverCallId> play 400/8536', async () => {
    const c = await answeredCall(h, undefined, freshNumber());
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'fail',
        c.serverCallId,
        'play',
        '400/8536',
        '--emulator',
        h.emulator.url,
      ],
      { cwd: emulatorDir },
    );
    expect(JSON.parse(stdout)).toMatchObject({ operation: 'play', code: 400, subCode: 8536 });
    await c.connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'Hi' }]);
    expect((await lastOf(c.id, 'PlayFailed')).data.resultInformation).toMatchObject({
      code: 400,
      subCode: 8536,
    });
  });
});
