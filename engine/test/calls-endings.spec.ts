import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import {
  acsRequests,
  bind,
  edge,
  ownedNumber,
  node,
  publish,
  runFor,
  SUPPORT,
  useCallHarness,
  waitFor,
} from './calls.js';

const CALLER = '+15551234567';

/** What the emulator says each person in the call is doing, by raw id. */
async function legs(
  h: ReturnType<typeof useCallHarness>,
  serverCallId: string,
): Promise<Record<string, string>> {
  const detail = await h.emulator.control.getCall(serverCallId);
  return Object.fromEntries(
    detail.participants.filter((p) => !p.isApp).map((p) => [p.rawId, p.state]),
  );
}

/**
 * What the caller and the other parties live through when a flow reaches an outcome with no
 * edge, as the emulator's call timeline shows it.
 */
describe('the end of a flow does what the caller would expect', () => {
  const h = useCallHarness();

  it('Add participant (version 2) → "Added" unconnected: the app leaves, caller and agent stay connected', async () => {
    const doc: FlowDocument = {
      schemaVersion: 1,
      name: 'Hand to an agent',
      nodes: [
        node('start', 'trigger.incomingCall'),
        node('answer', 'call.answer'),
        node('agent', 'call.addParticipant', { target: SUPPORT, invitationTimeoutSeconds: 20 }, 2),
        node('sorry', 'media.play', { text: 'Sorry.' }),
      ],
      edges: [
        edge('start', 'next', 'answer'),
        edge('answer', 'connected', 'agent'),
        edge('agent', 'failed', 'sorry'),
      ],
    };
    const number = await ownedNumber(h.emulator);
    const { flowId } = await publish(h.t, doc);
    await bind(h.t, number, flowId);
    const placed = await h.emulator.control.placeCall({ from: CALLER, to: number });
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('appLeft');
    const requests = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
    expect(requests).toEqual([':answer', '{id}/participants:add', '{id}']);
    expect(requests).not.toContain('{id}:terminate');
    // Both legs are still up well after the app left.
    await new Promise((r) => setTimeout(r, 200));
    expect(await legs(h, placed.serverCallId)).toEqual({
      [`4:${CALLER}`]: 'connected',
      [SUPPORT]: 'connected',
    });
    const call = await h.emulator.control.getCall(placed.serverCallId);
    expect(call.state).not.toBe('disconnected');
    await h.emulator.control.hangup(placed.serverCallId);
  });

  it('Business hours → "Closed" unconnected before Answer: the call is rejected at once, not left ringing', async () => {
    const doc: FlowDocument = {
      schemaVersion: 1,
      name: 'Closed, never answered',
      nodes: [
        node('start', 'trigger.incomingCall'),
        // Closed all week: every call takes "Closed".
        node('hours', 'logic.businessHours', {
          timezone: 'UTC',
          weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
        }),
        node('answer', 'call.answer'),
      ],
      edges: [edge('start', 'next', 'hours'), edge('hours', 'open', 'answer')],
    };
    const number = await ownedNumber(h.emulator);
    const { flowId } = await publish(h.t, doc);
    await bind(h.t, number, flowId);
    const placed = await h.emulator.control.placeCall({ from: CALLER, to: number });
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('rejected');
    const call = await waitFor(
      async () => {
        const c = await h.emulator.control.getCall(placed.serverCallId);
        return c.state === 'disconnected' ? c : undefined;
      },
      'the call gone',
      1000,
    );
    expect(Date.parse(call.endedAt!) - Date.parse(run.endedAt)).toBeLessThan(1000);
    expect((await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path)).toEqual([
      ':reject',
    ]);
  });

  it('a published version runs with the node type versions it was published with', async () => {
    const handOver = (typeVersion?: number): FlowDocument => ({
      schemaVersion: 1,
      name: 'Hand over, versioned',
      nodes: [
        node('start', 'trigger.incomingCall'),
        node('answer', 'call.answer'),
        node('agent', 'call.addParticipant', { target: SUPPORT }, typeVersion),
      ],
      edges: [edge('start', 'next', 'answer'), edge('answer', 'connected', 'agent')],
    });
    // Version 1 of the flow was published before node type versions: its node records none.
    const first = await publish(h.t, handOver());
    const second = await publish(h.t, handOver(2), first.flowId);
    expect([first.version, second.version]).toEqual([1, 2]);
    const stored = await h.t.json('GET', `/api/flows/${first.flowId}/versions/1`);
    expect(stored.body.document.nodes[2]).not.toHaveProperty('typeVersion');
    const upgraded = await h.t.json('GET', `/api/flows/${first.flowId}/versions/2`);
    expect(upgraded.body.document.nodes[2].typeVersion).toBe(2);

    const ends: Record<number, { endReason: string; requests: string[] }> = {};
    for (const version of [1, 2]) {
      const number = await ownedNumber(h.emulator);
      await bind(h.t, number, first.flowId, version);
      const placed = await h.emulator.control.placeCall({ from: CALLER, to: number });
      const run = await runFor(h.t, number);
      const requests = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
      ends[version] = { endReason: run.endReason, requests };
      if (version === 2) await h.emulator.control.hangup(placed.serverCallId);
    }
    // Version 1 (addParticipant v1): "Added" unconnected hangs up for everyone, as it always did.
    expect(ends[1]).toEqual({
      endReason: 'completed',
      requests: [':answer', '{id}/participants:add', '{id}:terminate'],
    });
    // Version 2 (addParticipant v2): the app leaves, the caller and the agent stay connected.
    expect(ends[2]).toEqual({
      endReason: 'appLeft',
      requests: [':answer', '{id}/participants:add', '{id}'],
    });
  });
});
