import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';
import { type KeyServer, startKeyServer } from './support/key-server.js';

/**
 * The callback route at the edge: one implementation whatever the spelling of its path, and
 * errors classified there — an event that can never be applied is parked with its raw body and
 * answered so that ACS stops retrying (a 503 is only for what a retry can fix).
 */
const ISSUER = 'https://acscallautomation.communication.azure.com';
const AUDIENCE = 'acs-resource-id';
let keys: KeyServer;
/** The engine's settings, complete once the key server listens (before the engine starts). */
const env: Record<string, string> = {};

beforeAll(async () => {
  keys = await startKeyServer();
  Object.assign(env, {
    ACS_JWKS_URL: keys.url,
    ACS_CALLBACK_ISSUER: ISSUER,
    ACS_CALLBACK_AUDIENCE: AUDIENCE,
  });
});
afterAll(() => keys.close());

const token = () => keys.sign({ iss: ISSUER, aud: AUDIENCE });

/** A Call Automation CloudEvent as ACS posts it. */
const cloudEvent = (type: string, data: Record<string, unknown>) => [
  {
    id: randomUUID(),
    source: `calling/callConnections/${String(data.callConnectionId)}`,
    type: `Microsoft.Communication.${type}`,
    data: { resultInformation: { code: 200, subCode: 0, message: 'ok' }, ...data },
    time: new Date().toISOString(),
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: `calling/callConnections/${String(data.callConnectionId)}`,
  },
];

describe('the callback route at the edge', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  type Json = any;
  const t = useEngine(env);
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(() => db?.end());

  const post = async (path: string, body: unknown, auth = true) => {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth ? { authorization: `Bearer ${await token()}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : undefined };
  };

  it('every spelling of the path reaches the one implementation', async () => {
    const canonical = await post('/api/acs/callbacks', [], false);
    expect(canonical.status).toBe(401);
    for (const path of ['/api/acs/callbacks/', '/API/ACS/Callbacks', '/api/acs/callbacks?x=1']) {
      const r = await post(path, [], false);
      expect(r, path).toEqual(canonical);
    }
  });

  it('an event that can never be applied is parked with its raw body, answered 200, counted and listed', async () => {
    // A run whose flow version no longer exists: no retry can ever apply an event to it.
    const runId = randomUUID();
    const state = {
      runId,
      status: 'running',
      currentNodeId: 'play',
      awaiting: { nodeId: 'play', operationContext: `${runId}:1`, since: 0, deadline: 1 },
      seq: 1,
      stepCount: 2,
      call: {
        direction: 'incoming',
        from: '+15551230000',
        to: '+15550100000',
        callerDisplayName: '',
        correlationId: '',
        serverCallId: '',
        callConnectionId: 'cc-1',
        connected: true,
      },
      vars: {},
      results: {},
      participants: [],
      attempts: {},
      recentEventIds: [],
    };
    await db.query(
      `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, state, "stepCount", "callConnectionId")
       VALUES ($1, 'f', 'a-version-that-is-gone', 1, 'incoming', 'running', $2, 2, 'cc-1')`,
      [runId, JSON.stringify(state)],
    );
    const body = cloudEvent('PlayCompleted', {
      callConnectionId: 'cc-1',
      serverCallId: 'sc-1',
      correlationId: 'co-1',
      operationContext: `${runId}:1`,
    });
    const r = await post('/api/acs/callbacks', body);
    expect(r.status).toBe(200);
    const letters = await t.json('GET', '/api/dead-letters', { as: 'admin' });
    expect(letters.status).toBe(200);
    expect(letters.body.items[0]).toMatchObject({
      source: 'callback',
      eventType: 'PlayCompleted',
      eventId: body[0]!.id,
      raw: body,
      error: expect.stringContaining('a-version-that-is-gone'),
    });
    // The run did not move.
    const run = await db.query('SELECT "stepCount" FROM "Run" WHERE id = $1', [runId]);
    expect(run.rows[0].stepCount).toBe(2);
    const metrics = await (await t.request('GET', '/metrics', { as: 'anonymous' })).text();
    expect(metrics).toMatch(/switchboard_dead_letters_total\{source="callback"\} 1/);
    expect((await t.json('GET', '/api/dead-letters', { as: 'viewer' })).status).toBe(403);
  });

  it('an authenticated body that is not a callback is refused (400) and kept', async () => {
    const body = [{ id: 'not-a-callback', type: 'Microsoft.Communication.PlayCompleted' }];
    const r = await post('/api/acs/callbacks', body);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/data/);
    const letters = await t.json('GET', '/api/dead-letters', { as: 'admin' });
    expect(letters.body.items[0]).toMatchObject({ eventId: 'not-a-callback', raw: body });
  });

  it('a callback that could never be stored (a NUL character) is a 400 — ACS stops — not a 503', async () => {
    const res = await fetch(`${t.url}/api/acs/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
      body: JSON.stringify(
        cloudEvent('PlayCompleted', { callConnectionId: 'cc-9', operationContext: 'x' }),
      ).replace('"x"', '"x\\u0000"'),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/NUL/);
  });
});
