import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { validFlow } from './fixtures.js';
import { useEngine } from './engine.js';
import { type KeyServer, startKeyServer } from './support/key-server.js';

/**
 * Seeded, bounded fuzzing of what outsiders send: flow drafts, list filters and cursors, Event
 * Grid batches, and callbacks with valid tokens. Whatever arrives, the answer is never a 5xx
 * (there is no database outage here), and a refused request changes nothing. FUZZ_RUNS raises
 * the count (`npm run test:fuzz`).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const ISSUER = 'https://acscallautomation.communication.azure.com';
const AUDIENCE = 'fuzz-resource';
const SECRET = 'the-fuzzing-event-grid-secret';
const env: Record<string, string> = {};
let keys: KeyServer;

beforeAll(async () => {
  console.log(`fuzz: seed ${SEED}, ${RUNS} runs per property (FUZZ_SEED, FUZZ_RUNS)`);
  keys = await startKeyServer();
  Object.assign(env, {
    ACS_JWKS_URL: keys.url,
    ACS_CALLBACK_ISSUER: ISSUER,
    ACS_CALLBACK_AUDIENCE: AUDIENCE,
    ACS_EVENTGRID_SECRET: SECRET,
  });
});
afterAll(() => keys.close());

/** Any JSON value, with the strings that break naive code (NUL, lone surrogates, huge numbers). */
const nasty = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', 'a\udc00', '💥', '', ' ', '../..', '%00', '{{ x', "'; --"),
  fc.string({ maxLength: 20 }),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.constantFrom(2 ** 31, 2 ** 53, -1, 0, 1e308, 0.5),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(nasty, fc.constantFrom('id', 'type', 'nodes', 'edges', 'data')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

describe('fuzz: what outsiders send never gives a 5xx, and a refused request changes nothing', () => {
  const t = useEngine(env);
  const params = { seed: SEED, numRuns: RUNS };
  const raw = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    t.request(method, path, { body, headers });

  it('flow drafts: mutated documents, any JSON', async () => {
    const created = await t.json('POST', '/api/flows', {
      body: { name: 'fuzz', document: validFlow('fuzz') },
    });
    const id = created.body.id as string;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          json,
          fc.record({ name: nasty, nodes: json, edges: json }),
          fc.record({
            schemaVersion: fc.constant(1),
            name: nasty,
            nodes: fc.array(json, { maxLength: 3 }),
            edges: fc.array(json, { maxLength: 3 }),
          }),
        ),
        async (doc) => {
          const before = await t.json('GET', `/api/flows/${id}`);
          const res = await raw('PUT', `/api/flows/${id}/draft`, JSON.stringify(doc), {
            'if-match': String(before.body.revision),
          });
          expect(res.status, await res.text()).toBeLessThan(500);
          if (res.status >= 400) {
            const after = await t.json('GET', `/api/flows/${id}`);
            expect(after.body.revision).toBe(before.body.revision);
          }
          const v = await raw(
            'POST',
            `/api/flows/${id}/validate`,
            JSON.stringify({ document: doc }),
          );
          expect(v.status).toBeLessThan(500);
          const c = await raw('POST', '/api/flows', JSON.stringify({ name: 'f', document: doc }));
          expect(c.status).toBeLessThan(500);
        },
      ),
      params,
    );
  });

  it('list filters and cursors', async () => {
    const key = fc.constantFrom(
      'flowId',
      'version',
      'status',
      'test',
      'from',
      'to',
      'number',
      'endReason',
      'nodeId',
      'cursor',
      'limit',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, nasty, { maxKeys: 5 }), async (q) => {
        const qs = new URLSearchParams(q as Record<string, string>).toString();
        for (const path of ['/api/runs', '/api/flows', '/api/audit', '/api/dead-letters']) {
          const res = await t.request('GET', `${path}?${qs}`);
          expect(res.status, `${path}?${qs}`).toBeLessThan(500);
        }
      }),
      params,
    );
  });

  it('Event Grid batches (with the secret)', async () => {
    const event = fc.record({
      id: fc.oneof(nasty, fc.uuid()),
      eventType: fc.oneof(fc.constant('Microsoft.Communication.IncomingCall'), nasty),
      data: fc.oneof(json, fc.record({ to: json, from: json, incomingCallContext: nasty })),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, fc.array(event, { maxLength: 3 })), async (batch) => {
        const res = await fetch(`${t.url}/api/acs/events?secret=${SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        expect(res.status, await res.text()).toBeLessThan(500);
      }),
      params,
    );
  });

  it('callbacks with valid tokens', async () => {
    const token = await keys.sign({ iss: ISSUER, aud: AUDIENCE });
    const cloudEvent = fc.record({
      id: fc.oneof(nasty, fc.uuid()),
      type: fc.oneof(
        fc.constantFrom(
          'Microsoft.Communication.PlayCompleted',
          'Microsoft.Communication.RecognizeCompleted',
          'Microsoft.Communication.CallConnected',
        ),
        nasty,
      ),
      source: nasty,
      specversion: fc.constant('1.0'),
      data: fc.oneof(
        json,
        fc.record({
          callConnectionId: fc.oneof(nasty, fc.constant(randomUUID())),
          operationContext: fc.oneof(nasty, fc.constant(`${randomUUID()}:1`)),
          resultInformation: json,
          dtmfResult: json,
        }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(json, fc.array(cloudEvent, { minLength: 1, maxLength: 2 })),
        async (body) => {
          const res = await fetch(`${t.url}/api/acs/callbacks`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
          });
          expect(res.status, await res.text()).toBeLessThan(500);
        },
      ),
      params,
    );
  });
});
