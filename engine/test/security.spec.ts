import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { freshNumber, ivrFlow, publish, reminderFlow, waitFor } from './calls.js';
import { useEngine } from './engine.js';
import { type KeyServer, startKeyServer } from './support/key-server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
type Json = any;

/** A forged IncomingCall: what an attacker on the network would post. */
const forgedIncomingCall = (to: string) =>
  JSON.stringify([
    {
      id: `forged-${to}`,
      eventType: 'Microsoft.Communication.IncomingCall',
      subject: `/caller/4:+15550000666/recipient/4:${to}`,
      dataVersion: '1.0',
      eventTime: new Date().toISOString(),
      data: {
        to: { kind: 'phoneNumber', rawId: `4:${to}`, phoneNumber: { value: to } },
        from: {
          kind: 'phoneNumber',
          rawId: '4:+15550000666',
          phoneNumber: { value: '+15550000666' },
        },
        incomingCallContext: 'forged-context',
        correlationId: 'forged',
        serverCallId: 'forged',
        callerDisplayName: 'Mallory',
      },
    },
  ]);

describe('Event Grid deliveries are authenticated', () => {
  it('a real ACS resource without Event Grid authentication refuses to start, naming the settings', () => {
    const acs = {
      ACS_CONNECTION_STRING: `endpoint=https://contoso.communication.azure.com/;accesskey=${Buffer.from('k').toString('base64')}`,
      ACS_JWKS_URL: 'https://keys.example/k',
      ACS_CALLBACK_AUDIENCE: 'resource',
    };
    expect(() => loadConfig(acs)).toThrow(ConfigError);
    expect(() => loadConfig(acs)).toThrow(
      /set ACS_EVENTGRID_SECRET, or ACS_EVENTGRID_ENTRA_TENANT_ID/,
    );
    expect(
      loadConfig({ ...acs, ACS_EVENTGRID_SECRET: 'a-secret-of-sixteen+' }).acs.eventGridAuth,
    ).toBe('secret');
    expect(loadConfig({ ...acs, ACS_EVENTGRID_AUTH: 'none' }).acs.eventGridAuth).toBe('none');
    expect(() => loadConfig({ ...acs, ACS_EVENTGRID_AUTH: 'entra' })).toThrow(
      /ACS_EVENTGRID_AUTH is entra: set ACS_EVENTGRID_ENTRA_TENANT_ID/,
    );
  });

  describe('with the shared secret', () => {
    const t = useEngine({ ACS_EVENTGRID_SECRET: 'the-subscription-secret' });

    it('refuses a forged IncomingCall without the secret (401) and starts no run; metrics labels stay bounded', async () => {
      const number = freshNumber();
      const { flowId } = await publish(t, ivrFlow());
      await t.json('PUT', `/api/entry-points/${encodeURIComponent(number)}`, { body: { flowId } });
      for (const q of ['', '?secret=wrong', '?secret=the-subscription-secre']) {
        const res = await fetch(`${t.url}/api/acs/events${q}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: forgedIncomingCall(number),
        });
        expect(res.status, q).toBe(401);
      }
      const runs = await t.json('GET', `/api/runs?number=${encodeURIComponent(number)}`);
      expect(runs.body.items).toEqual([]);
      // Made-up event types (with the secret) are counted as "other", not one label each.
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${t.url}/api/acs/events?secret=the-subscription-secret`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ id: `x${i}`, eventType: `Made.Up.Type${i}`, data: {} }]),
        });
        expect(res.status).toBe(200);
      }
      const metrics = await (await t.request('GET', '/metrics', { as: 'anonymous' })).text();
      expect(metrics).not.toMatch(/Type1/);
      expect(metrics).toMatch(/switchboard_events_received_total\{type="other"\} 20/);
    });
  });

  describe('with Microsoft Entra ID tokens', () => {
    const tenant = 'tenant-1';
    const audience = 'api://switchboard-events';
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const env: Record<string, string> = {};
    let keys: KeyServer;
    beforeAll(async () => {
      keys = await startKeyServer('e1');
      Object.assign(env, {
        ACS_EVENTGRID_AUTH: 'entra',
        ACS_EVENTGRID_ENTRA_TENANT_ID: tenant,
        ACS_EVENTGRID_ENTRA_AUDIENCE: audience,
        ACS_EVENTGRID_ENTRA_JWKS_URL: keys.url,
      });
    });
    afterAll(() => keys.close());
    const t = useEngine(env);

    const token = (claims: Record<string, unknown>, signer?: KeyObject) =>
      keys.sign(claims, signer);
    const deliver = (authorization?: string) =>
      fetch(`${t.url}/api/acs/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify([
          {
            id: 'v',
            eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
            data: { validationCode: 'c0de' },
          },
        ]),
      });

    it('accepts the tenant’s token for this application, refuses anything else', async () => {
      const iss = `https://login.microsoftonline.com/${tenant}/v2.0`;
      const ok = await deliver(`Bearer ${await token({ iss, aud: audience })}`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ validationResponse: 'c0de' });
      const v1 = await deliver(
        `Bearer ${await token({ iss: `https://sts.windows.net/${tenant}/`, aud: audience })}`,
      );
      expect(v1.status).toBe(200);
      for (const bad of [
        undefined,
        `Bearer ${await token({ iss, aud: 'api://someone-else' })}`,
        `Bearer ${await token({ iss: 'https://login.microsoftonline.com/other/v2.0', aud: audience })}`,
        `Bearer ${await token({ iss, aud: audience }, stranger.privateKey)}`,
      ]) {
        expect((await deliver(bad)).status).toBe(401);
      }
    });
  });
});

describe('the browser and the API', () => {
  const t = useEngine();

  it('every answer carries security headers; the API never allows other origins', async () => {
    for (const path of ['/health', '/api/flows', '/api/docs']) {
      const res = await t.request('GET', path, { as: 'viewer' });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
    const api = await t.request('GET', '/api/flows', { as: 'viewer' });
    expect(api.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    const preflight = await t.request('OPTIONS', '/api/flows', {
      as: 'anonymous',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a cookie-authenticated change must be JSON (415) from this site (403); a bearer token is not asked', async () => {
    const { flowId } = await publish(t, ivrFlow());
    const publishAs = (headers: Record<string, string>, as: 'publisher' | 'runner' = 'publisher') =>
      t.request('POST', `/api/flows/${flowId}/publish`, { as, body: '{}', headers });
    expect((await publishAs({ 'content-type': 'text/plain' })).status).toBe(415);
    expect((await publishAs({ 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
      415,
    );
    expect((await publishAs({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await publishAs({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const refused = await publishAs({ origin: 'https://evil.example' });
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    // Nothing was published by the refused requests.
    const versions = await t.json('GET', `/api/flows/${flowId}/versions`);
    expect(versions.body.items).toHaveLength(1);
    expect((await publishAs({ origin: t.url, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    const logout = await t.request('POST', '/api/auth/logout', {
      as: 'viewer',
      headers: { 'content-type': 'text/plain' },
    });
    expect(logout.status).toBe(415);
  });

  it('a runner token sees and cancels only the runs it started', async () => {
    const { flowId } = await publish(t, reminderFlow());
    const mine = await t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [freshNumber()] },
    });
    const theirs = await t.json('POST', '/api/runs', {
      as: 'publisher',
      body: { flowId, targets: [freshNumber()] },
    });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const listed = await t.json('GET', `/api/runs?flowId=${flowId}`, { as: 'runner' });
    expect(listed.body.items.map((r: Json) => r.id)).toEqual([mine.body.id]);
    expect((await t.json('GET', `/api/runs/${theirs.body.id}`, { as: 'runner' })).status).toBe(404);
    expect(
      (await t.json('POST', `/api/runs/${theirs.body.id}/cancel`, { as: 'runner' })).status,
    ).toBe(404);
    expect(
      (await t.request('GET', `/api/runs/${theirs.body.id}/stream`, { as: 'runner' })).status,
    ).toBe(404);
    expect((await t.json('GET', `/api/runs/${mine.body.id}`, { as: 'runner' })).status).toBe(200);
    const all = await t.json('GET', `/api/runs?flowId=${flowId}`, { as: 'viewer' });
    expect(all.body.items).toHaveLength(2);
  });

  it('the live stream of an ended run ends and closes, also when opened after its last step', async () => {
    const { flowId } = await publish(t, reminderFlow());
    const started = await t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [freshNumber()] },
    });
    const run = await waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${started.body.id}`, { as: 'runner' });
      return r.body.status === 'ended' ? r.body : undefined;
    }, 'run ended');
    const last = run.steps.at(-1).seq as number;
    for (const headers of [{}, { 'last-event-id': String(last) }] as Record<string, string>[]) {
      const res = await t.request('GET', `/api/runs/${run.id}/stream`, { as: 'runner', headers });
      const text = await res.text(); // resolves only because the server closes the stream
      expect(text).toContain('event: end');
    }
  });
});
