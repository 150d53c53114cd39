import { parseCallAutomationEvent } from '@azure/communication-call-automation';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README, renderReadme } from '../scripts/readme.js';
import { CALLBACK_EVENTS, IMPLEMENTED_OPERATIONS } from '../src/api-registry.js';
import { specNames } from '../src/readme-tables.js';
import { answeredCall, harness, signedRequest, type Harness } from './helpers.js';

const spec = specNames();

describe('emulator/README.md', () => {
  it('has the generated tables as the code renders them (run `npm run docs -w emulator`)', async () => {
    const current = await readFile(README, 'utf8');
    expect(await renderReadme(current), 'README.md is stale: run npm run docs -w emulator').toBe(
      current,
    );
  });
});

describe('the coverage registry', () => {
  it('names only what the spec has, as the SDK parses it', () => {
    expect(spec.operations).toHaveLength(34);
    expect(spec.callbackEvents).toHaveLength(38);
    const ops = spec.operations.map((o) => o.operationId);
    expect(ops).toEqual(expect.arrayContaining([...IMPLEMENTED_OPERATIONS]));
    expect(spec.callbackEvents).toEqual(expect.arrayContaining([...CALLBACK_EVENTS]));
    for (const type of CALLBACK_EVENTS) {
      const participant = { rawId: '4:+15551230001', phoneNumber: { value: '+15551230001' } };
      const data = { participant, participants: [] };
      const event = { type: `Microsoft.Communication.${type}`, data, id: 'x', source: 'x' };
      expect(parseCallAutomationEvent([event] as never).kind).toBe(type);
    }
  });

  // Each spec operation against a running emulator, on a call of its own: a route the registry
  // does not list, or a listed one the router does not know, fails here.
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  /** The emulator has no route for it: an unknown path or action, or a refusal. */
  const unrouted = (status: number, body: string | undefined) => {
    const error = (
      body ? (JSON.parse(body) as { error?: { code?: string; message?: string } }) : {}
    ).error;
    return (
      (status === 404 && error?.code === 'NotFound') ||
      status === 501 ||
      /not (yet )?(implemented|supported)/i.test(error?.message ?? '')
    );
  };

  it.each(spec.operations)('$operationId is answered exactly when it is listed', async (op) => {
    const c = await answeredCall(h);
    const path = op.path
      .replace('{callConnectionId}', c.id)
      .replace('{participantRawId}', encodeURIComponent('4:+15551230001'))
      .replace('{recordingId}', 'recording-1');
    const res = await signedRequest(
      h.emulator,
      op.method,
      path,
      op.method === 'POST' ? {} : undefined,
    );
    const implemented = (IMPLEMENTED_OPERATIONS as readonly string[]).includes(op.operationId);
    expect({ status: res.status, routed: !unrouted(res.status, res.body) }).toEqual({
      status: res.status,
      routed: implemented,
    });
  });
});
