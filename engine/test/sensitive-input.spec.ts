import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { edge, node, TIME_SCALE, waitFor } from './calls.js';
import { useEngine } from './engine.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
type Json = any;

const pinFlow = (sensitive: boolean): FlowDocument => ({
  schemaVersion: 1,
  name: `PIN ${sensitive}`,
  nodes: [
    node('start', 'trigger.incomingCall'),
    node('answer', 'call.answer'),
    node('pin', 'media.collectDigits', { variable: 'pin', maxDigits: 4, sensitive }),
    node('bye', 'call.hangUp'),
  ],
  edges: [
    edge('start', 'next', 'answer'),
    edge('answer', 'connected', 'pin'),
    edge('pin', 'collected', 'bye'),
  ],
});

/** Collect digits set to sensitive: the digits are masked wherever the runs API shows them. */
describe('sensitive input', () => {
  const t = useEngine({
    SWITCHBOARD_TIME_SCALE: String(TIME_SCALE),
    SWITCHBOARD_WAIT_MARGIN_MS: '300',
  });

  const run = async (sensitive: boolean) => {
    const created = await t.json('POST', '/api/flows', {
      body: { name: `pin-${sensitive}`, document: pinFlow(sensitive) },
    });
    const placed = await t.json('POST', `/api/flows/${created.body.id}/test-calls`, {
      body: { callerScript: [{ on: 'recognize', dtmf: '4711' }] },
    });
    expect(placed.status).toBe(201);
    return waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${placed.body.id}`, { as: 'viewer' });
      return r.body.status === 'ended' ? (r.body as Json) : undefined;
    }, 'run ended');
  };

  it('masks the variable and the tones in the run, its steps and its live stream', async () => {
    const masked = await run(true);
    expect(masked.endReason).toBe('completed');
    const text = JSON.stringify(masked.steps) + JSON.stringify(masked.variables);
    expect(text).not.toContain('4711');
    expect(masked.steps.at(-1).variables.pin).toBe('••••');
    const recognized = masked.steps.find((s: Json) => s.eventType === 'RecognizeCompleted');
    expect(recognized.event.tones.every((x: string) => x === '•')).toBe(true);
    const stream = await (
      await t.request('GET', `/api/runs/${masked.id}/stream`, { as: 'viewer' })
    ).text();
    expect(stream).toContain('event: end');
    expect(stream).not.toContain('4711');
    // Resumed after the step that issued the recognize: still masked.
    const resumed = await (
      await t.request('GET', `/api/runs/${masked.id}/stream?after=${recognized.seq - 1}`, {
        as: 'viewer',
      })
    ).text();
    expect(resumed).not.toContain('4711');
  });

  it('leaves digits that are not sensitive as they are', async () => {
    const plain = await run(false);
    expect(plain.steps.at(-1).variables.pin).toBe('4711');
  });
});
