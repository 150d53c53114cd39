import { describe, expect, it } from 'vitest';
import {
  acsRequests,
  bind,
  freshNumber,
  ownedNumber,
  ivrFlow,
  publish,
  reminderFlow,
  runFor,
  SUPPORT,
  useCallHarness,
  waitFor,
} from './calls.js';

const CALLER = '+15551234567';

describe('more paths: add participant, outbound reminder, version pinning', () => {
  const h = useCallHarness();

  it('answer → menu → 2 → add participant → play → app leaves', async () => {
    const number = await ownedNumber(h.emulator);
    const { flowId } = await publish(h.t, ivrFlow());
    await bind(h.t, number, flowId);
    const placed = await h.emulator.control.placeCall({
      from: CALLER,
      to: number,
      script: [{ on: 'recognize', dtmf: '2' }],
    });
    const run = await runFor(h.t, number);
    expect(run.endReason).toBe('completed');
    const requests = await acsRequests(h.emulator, placed.serverCallId);
    expect(requests.map((r) => r.path)).toEqual([
      ':answer',
      '{id}:recognize',
      '{id}/participants:add',
      '{id}:play',
      '{id}',
    ]);
    const detail = await h.emulator.control.getCall(placed.serverCallId);
    expect(detail.participants.some((p) => p.rawId === SUPPORT)).toBe(true);
  });

  it('an outbound reminder started through POST /api/runs', async () => {
    const { flowId } = await publish(h.t, reminderFlow());
    const patient = freshNumber();
    await h.emulator.control.setEndpoint(patient, {
      onInvite: 'accept',
      ringMs: 100,
      script: [{ on: 'recognize', dtmf: '1' }],
    });
    const started = await h.t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [patient], variables: { patientName: 'Ada' } },
    });
    expect(started.status).toBe(201);
    expect(started.body.direction).toBe('outbound');
    const run = await waitFor(async () => {
      const r = await h.t.json('GET', `/api/runs/${started.body.id}`, { as: 'runner' });
      return r.body.status === 'ended' ? r.body : undefined;
    }, 'reminder run ended');
    expect(run.endReason).toBe('completed');
    expect(run.variables.patientName).toBe('Ada');
    const plays = run.steps.flatMap(
      (s: { actions: { kind: string; sources?: { text: string }[] }[] }) =>
        s.actions.filter((a) => a.kind === 'play').map((a) => a.sources?.[0]?.text),
    );
    expect(plays).toEqual(['Confirmed, Ada.']);
    const calls = await h.emulator.control.listCalls();
    const call = calls.find((c) =>
      c.connections.some((x) => x.callConnectionId === run.callConnectionId),
    );
    expect(call).toBeDefined();
    const paths = (await acsRequests(h.emulator, call!.serverCallId)).map((r) => r.path);
    expect(paths).toEqual(['', '{id}:recognize', '{id}:play', '{id}:terminate']);
  });

  it('a running call stays on its version when a new one is published', async () => {
    const number = await ownedNumber(h.emulator);
    // The menu waits up to 60 s (600 ms real); the caller presses 3 after 40 s (400 ms real).
    const slow = (greeting: string) => {
      const doc = ivrFlow(greeting);
      const menu = doc.nodes.find((n) => n.id === 'menu')!;
      menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 60 };
      return doc;
    };
    const v1 = await publish(h.t, slow('Version one'));
    await bind(h.t, number, v1.flowId);
    const placed = await h.emulator.control.placeCall({
      from: CALLER,
      to: number,
      script: [{ on: 'recognize', afterMs: 40_000, dtmf: '3' }],
    });
    const waiting = await runFor(h.t, number, (r) => r.currentNodeId === 'menu');
    expect(waiting.version).toBe(v1.version);
    const v2 = await publish(h.t, slow('Version two'), v1.flowId);
    expect(v2.version).toBe(v1.version + 1);
    const run = await runFor(h.t, number);
    expect(run.version).toBe(v1.version);
    const prompts = run.steps.flatMap(
      (s: { actions: { kind: string; prompts?: { text: string }[] }[] }) =>
        s.actions.filter((a) => a.kind === 'recognizeDtmf').map((a) => a.prompts?.[0]?.text),
    );
    expect(prompts.every((p: string) => p.startsWith('Version one'))).toBe(true);
    expect((await acsRequests(h.emulator, placed.serverCallId)).length).toBe(4);
    // The next call runs the new version.
    await h.emulator.control.placeCall({
      from: CALLER,
      to: number,
      script: [{ on: 'recognize', dtmf: '3' }],
    });
    const next = await runFor(h.t, number, (r) => r.id !== run.id && r.status === 'ended');
    expect(next.version).toBe(v2.version);
  });

  it('cancel hangs up and ends the run; the stream shows every step', async () => {
    const number = await ownedNumber(h.emulator);
    const doc = ivrFlow();
    // The caller stays silent while the test cancels (60 s emulated = 0.6 s real).
    const menu = doc.nodes.find((n) => n.id === 'menu')!;
    menu.config = { ...menu.config, initialSilenceTimeoutSeconds: 60 };
    const { flowId } = await publish(h.t, doc);
    await bind(h.t, number, flowId);
    const placed = await h.emulator.control.placeCall({
      from: CALLER,
      to: number,
      script: [{ on: 'recognize', afterMs: 100_000, dtmf: '3' }],
    });
    const waiting = await runFor(h.t, number, (r) => r.currentNodeId === 'menu');
    const stream = await h.t.request('GET', `/api/runs/${waiting.id}/stream`, { as: 'viewer' });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    // (A publisher: a runner token may only cancel runs it started itself.)
    const cancelled = await h.t.json('POST', `/api/runs/${waiting.id}/cancel`, {
      as: 'publisher',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.endReason).toBe('cancelled');
    const text = await stream.text();
    expect(text.match(/event: step/g)?.length).toBe(cancelled.body.steps.length);
    expect(text).toContain('event: end');
    const paths = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
    await waitFor(
      async () => (await h.emulator.control.getCall(placed.serverCallId)).state === 'disconnected',
      'hung up',
    );
    expect(paths.at(-1)).toBe('{id}:terminate');
  });

  it('an unknown number is rejected (busy) and starts no run', async () => {
    const number = await ownedNumber(h.emulator);
    const placed = await h.emulator.control.placeCall({ from: CALLER, to: number });
    await waitFor(
      async () => (await h.emulator.control.getCall(placed.serverCallId)).state === 'disconnected',
      'rejected',
    );
    const list = await h.t.json('GET', `/api/runs?number=${encodeURIComponent(number)}`);
    expect(list.body.items).toEqual([]);
  });

  it('reports metrics', async () => {
    const res = await h.t.request('GET', '/metrics', { as: 'anonymous' });
    const text = await res.text();
    expect(text).toContain('switchboard_events_received_total{type="CallConnected"}');
    expect(text).toContain('switchboard_step_latency_seconds_bucket');
  });
});
