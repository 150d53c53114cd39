import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlError, defaultPhoneNumbers, startEmulator } from '../src/index.js';
import { BUSINESS_NUMBER, answeredCall, httpsHarness, type Harness } from './helpers.js';

/** The numbers the resource owns: its caller ids, and the only numbers a caller can dial into it. */
let h: Harness;
beforeAll(async () => {
  h = await httpsHarness();
});
afterAll(() => h.close());

const NOT_OURS = '+14255550111';
const run = promisify(execFile);
const emulatorDir = fileURLToPath(new URL('..', import.meta.url));

describe('the numbers the resource owns', () => {
  it('are +18005550100…+18005550109 unless told otherwise, and can be bought and released', async () => {
    expect(defaultPhoneNumbers).toEqual(Array.from({ length: 10 }, (_, i) => `+1800555010${i}`));
    expect(await h.emulator.control.phoneNumbers()).toEqual([...defaultPhoneNumbers]);

    const bought = '+12065550123';
    expect(await h.emulator.control.addPhoneNumber(bought)).toEqual({ phoneNumber: bought });
    expect(await h.emulator.control.phoneNumbers()).toContain(bought);
    const placed = await h.emulator.control.placeCall({ from: '+15550001111', to: bought });
    expect(placed.serverCallId).toBeTruthy();

    await h.emulator.control.removePhoneNumber(bought);
    expect(await h.emulator.control.phoneNumbers()).not.toContain(bought);
    await expect(h.emulator.control.removePhoneNumber(bought)).rejects.toMatchObject({
      status: 404,
    });
    await expect(h.emulator.control.addPhoneNumber('555-0123')).rejects.toMatchObject({
      status: 400,
    });
  });

  it('a caller cannot dial a number the resource does not own', async () => {
    const err = await h.emulator.control
      .placeCall({ from: '+15550001111', to: NOT_OURS })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).status).toBe(400);
    const message = ((err as ControlError).body as { error: { message: string } }).error.message;
    expect(message).toContain(`${NOT_OURS} is not a number of this resource`);
    expect(message).toContain('PUT /emulator/phone-numbers/');
  });

  it('phoneNumbers replaces the list; unlistedNumbers: allow accepts any number', async () => {
    const own = await startEmulator({ phoneNumbers: ['+12065550100'], logLevel: 'silent' });
    const any = await startEmulator({ unlistedNumbers: 'allow', logLevel: 'silent' });
    try {
      expect(await own.control.phoneNumbers()).toEqual(['+12065550100']);
      await expect(
        own.control.placeCall({ from: '+15550001111', to: BUSINESS_NUMBER }),
      ).rejects.toMatchObject({ status: 400 });
      expect(
        (await any.control.placeCall({ from: '+15550001111', to: NOT_OURS })).serverCallId,
      ).toBeTruthy();
    } finally {
      await own.close();
      await any.close();
    }
  });
});

describe('the CLI', () => {
  it('buys, lists and releases numbers through the control API', async () => {
    const cli = (...args: string[]) =>
      run(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', ...args, '--emulator', h.emulator.url],
        { cwd: emulatorDir },
      );
    await cli('add-number', '+12065550177');
    expect(await h.emulator.control.phoneNumbers()).toContain('+12065550177');
    const listed = JSON.parse((await cli('numbers')).stdout) as string[];
    expect(listed).toContain('+12065550177');
    await cli('remove-number', '+12065550177');
    expect(await h.emulator.control.phoneNumbers()).not.toContain('+12065550177');
  });
});

describe('caller ids', () => {
  it('createCall from a number the resource does not own is a 400 naming the field', async () => {
    const err: { statusCode?: number; message?: string } = await h.client
      .createCall(
        {
          targetParticipant: { phoneNumber: '+15557001234' },
          sourceCallIdNumber: { phoneNumber: NOT_OURS },
        },
        h.callbackUri,
      )
      .then(
        () => ({}),
        (e: unknown) => e as { statusCode?: number; message?: string },
      );
    expect(err).toMatchObject({ statusCode: 400 });
    expect(err.message).toContain(
      `'sourceCallerIdNumber' ${NOT_OURS} is not a phone number of this resource`,
    );
    // Nothing was created: no call carries that caller id.
    const calls = await h.emulator.control.listCalls();
    expect(calls.filter((c) => c.direction === 'outbound')).toEqual([]);
  });

  it('addParticipant and transfer with a caller id the resource does not own are 400s', async () => {
    const c = await answeredCall(h);
    await expect(
      c.connection.addParticipant({
        targetParticipant: { phoneNumber: '+15557001235' },
        sourceCallIdNumber: { phoneNumber: NOT_OURS },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      c.connection.transferCallToParticipant(
        { phoneNumber: '+15557001236' },
        { sourceCallIdNumber: { phoneNumber: NOT_OURS } },
      ),
    ).rejects.toMatchObject({ statusCode: 400 });
    // Refused before any effect: the call goes on with nobody invited.
    const call = await h.emulator.control.getCall(c.serverCallId);
    expect(call.timeline.filter((e) => e.kind === 'participant' && e.state === 'ringing')).toEqual(
      [],
    );
    expect((await c.connection.getCallConnectionProperties()).callConnectionState).toBe(
      'connected',
    );
  });

  it('calling or adding a phone number still needs a caller id at all', async () => {
    await expect(
      h.client.createCall({ targetParticipant: { phoneNumber: '+15557001237' } }, h.callbackUri),
    ).rejects.toMatchObject({ statusCode: 400 });
    const c = await answeredCall(h);
    await expect(
      c.connection.addParticipant({ targetParticipant: { phoneNumber: '+15557001238' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
