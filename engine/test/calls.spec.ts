import { describe, expect, it } from 'vitest';
import {
  acsRequests,
  bind,
  ownedNumber,
  ivrFlow,
  publish,
  redirectFlow,
  runFor,
  useCallHarness,
  waitFor,
} from './calls.js';

const CALLER = '+15551234567';

describe('incoming calls walk the published flow', () => {
  const h = useCallHarness();

  async function call(doc = ivrFlow(), script?: unknown[]) {
    const number = await ownedNumber(h.emulator);
    const { flowId } = await publish(h.t, doc);
    await bind(h.t, number, flowId);
    const placed = await h.emulator.control.placeCall({
      from: CALLER,
      to: number,
      ...(script ? { script: script as never } : {}),
    });
    return { number, placed, flowId };
  }

  it('answer → menu → 1 → transfer', async () => {
    const { number, placed } = await call(ivrFlow(), [{ on: 'recognize', dtmf: '1' }]);
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('transferred');
    const paths = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
    expect(paths).toEqual([':answer', '{id}:recognize', '{id}:transferToParticipant']);
    expect(run.steps[0].eventType).toBe('IncomingCall');
  });

  it('answer → menu → 3 → play → hang up', async () => {
    const { number, placed } = await call(ivrFlow(), [{ on: 'recognize', dtmf: '3' }]);
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('completed');
    const paths = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
    expect(paths).toEqual([':answer', '{id}:recognize', '{id}:play', '{id}:terminate']);
  });

  it('no input → goodbye → hang up', async () => {
    const { number, placed } = await call();
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('completed');
    const outcomes = run.steps.flatMap((s: { outcomes: { outcome: string }[] }) =>
      s.outcomes.map((o) => o.outcome),
    );
    expect(outcomes).toContain('noInput');
    const paths = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
    expect(paths).toEqual([':answer', '{id}:recognize', '{id}:play', '{id}:terminate']);
  });

  it('redirect ends the run without answering', async () => {
    const { number, placed } = await call(redirectFlow());
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('redirected');
    expect(run.steps[0].actions.map((a: { kind: string }) => a.kind)).toEqual([
      'redirectCall',
      'end',
    ]);
    // The run ends with the commit; the redirect is sent right after it.
    await waitFor(
      async () => (await h.emulator.control.getCall(placed.serverCallId)).state !== 'ringing',
      'call redirected',
    );
    expect(await acsRequests(h.emulator, placed.serverCallId)).toEqual([
      { path: ':redirect', status: 204, operationContext: undefined },
    ]);
  });
});
