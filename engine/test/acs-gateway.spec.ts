import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcsAction } from '@switchboard/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcsGateway, repeatabilityId } from '../src/acs/acs.gateway.js';
import { loadConfig } from '../src/config/config.js';

/**
 * The gateway through the real SDK against a raw HTTP server that records what arrives: which
 * request each action becomes, the Repeatability headers it carries, and what a silent or
 * failing ACS turns into.
 */
interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}
const seen: Seen[] = [];
/** Paths (substring) the server never answers. */
const silent = new Set<string>();
let server: http.Server;
let endpoint = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const text = Buffer.concat(chunks).toString();
      seen.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      });
      if ([...silent].some((s) => path.includes(s))) return;
      if (path.includes('cc-refused')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: '8523', message: 'Invalid request.' } }));
        return;
      }
      if (path.endsWith(':terminate')) {
        res.writeHead(204);
        res.end();
        return;
      }
      const body = path.endsWith(':answer')
        ? { callConnectionId: 'cc-new', callConnectionState: 'connecting' }
        : path.endsWith(':add')
          ? { invitationId: 'inv-1', operationContext: 'x' }
          : {};
      res.writeHead(path.endsWith(':answer') ? 200 : 202, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const gateway = (env: Record<string, string> = {}) =>
  new AcsGateway(
    loadConfig({
      ACS_CONNECTION_STRING: `endpoint=${endpoint};accesskey=${Buffer.from('k').toString('base64')}`,
      ACS_CALLBACK_BASE_URL: 'https://engine.example',
      ACS_JWKS_URL: 'https://engine.example/keys',
      ACS_CALLBACK_AUDIENCE: 'test',
      ACS_EVENTGRID_SECRET: 'event-grid-secret-for-tests',
      ...env,
    }),
  );

const base = (id: string) => ({ id, operationContext: id, nodeId: 'n' });
const actions: AcsAction[] = [
  { ...base('r:1'), kind: 'answerCall', incomingCallContext: 'ctx' },
  { ...base('r:2'), kind: 'transferCall', target: '+14255550100' },
  { ...base('r:3'), kind: 'addParticipant', target: '+14255550101', invitationTimeoutSeconds: 30 },
  { ...base('r:4'), kind: 'removeParticipant', target: '+14255550101' },
  { ...base('r:5'), kind: 'play', sources: [{ kind: 'text', text: 'Hi' }], playTo: [] },
  {
    ...base('r:6'),
    kind: 'recognizeDtmf',
    targetParticipant: '+14255550102',
    prompts: [],
    maxTones: 1,
    initialSilenceTimeoutSeconds: 5,
    interToneTimeoutSeconds: 2,
    stopTones: [],
    interruptPrompt: true,
  },
  { ...base('r:7'), kind: 'hangUp', forEveryone: true },
];

describe('ACS gateway (real SDK, raw HTTP)', () => {
  it('sends each action with its own stable Repeatability-Request-ID where ACS takes one', async () => {
    const g = gateway();
    const createdAt = Date.UTC(2026, 10, 21, 9, 30, 0);
    for (const round of [1, 2]) {
      seen.length = 0;
      for (const a of actions)
        expect(await g.send(a, 'cc-1', createdAt), a.kind).toMatchObject({ ok: true });
      const byPath = (suffix: string) => seen.find((s) => s.path.endsWith(suffix))!;
      // Operations ACS makes repeatable carry the action's id, the same on every resend.
      for (const [suffix, id] of [
        [':answer', 'r:1'],
        [':transferToParticipant', 'r:2'],
        ['participants:add', 'r:3'],
        ['participants:remove', 'r:4'],
        [':terminate', 'r:7'],
      ] as const) {
        const s = byPath(suffix);
        expect(s.headers['repeatability-request-id'], `${suffix} round ${round}`).toBe(
          repeatabilityId(id),
        );
        expect(s.headers['repeatability-first-sent']).toBe('Sat, 21 Nov 2026 09:30:00 GMT');
      }
      // Media operations take none (the SDK sends none), and our carrier header never leaks.
      expect(byPath(':play').headers['repeatability-request-id']).toBeUndefined();
      expect(byPath(':recognize').headers['repeatability-request-id']).toBeUndefined();
      expect(seen).toHaveLength(actions.length);
      for (const s of seen) expect(s.headers['x-switchboard-repeatability']).toBeUndefined();
      expect(byPath(':play').body).toMatchObject({ operationContext: 'r:5' });
      expect(byPath(':recognize').path).toBe('/calling/callConnections/cc-1:recognize');
    }
    expect(repeatabilityId('r:1')).not.toBe(repeatabilityId('r:2'));
  });

  it('reports what a response revealed: the call connection, the invitation', async () => {
    const g = gateway();
    expect(await g.send(actions[0]!, '', Date.now())).toEqual({
      ok: true,
      result: { callConnectionId: 'cc-new' },
    });
    expect(await g.send(actions[2]!, 'cc-1', Date.now())).toEqual({
      ok: true,
      result: { invitationId: 'inv-1' },
    });
  });

  it('turns an ACS error into data with its code, not retryable', async () => {
    const out = await gateway().send(actions[1]!, 'cc-refused', Date.now());
    expect(out).toMatchObject({ ok: false, status: 400, code: '8523', retryable: false });
  });

  it('gives up on a silent ACS after ACS_REQUEST_TIMEOUT_MS, for every operation', async () => {
    const g = gateway({ ACS_REQUEST_TIMEOUT_MS: '300', ACS_MAX_RETRIES: '0' });
    silent.add('cc-silent');
    try {
      for (const a of [actions[4]!, actions[5]!, actions[1]!]) {
        const t0 = Date.now();
        const out = await g.send(a, 'cc-silent', Date.now());
        const ms = Date.now() - t0;
        expect(out, a.kind).toMatchObject({ ok: false, code: 'Timeout', retryable: true });
        expect(ms, a.kind).toBeGreaterThanOrEqual(250);
        expect(ms, a.kind).toBeLessThan(5000);
      }
    } finally {
      silent.delete('cc-silent');
    }
  });

  it('ends a media send by its deadline, retries included, and sends nothing once it has passed', async () => {
    // Long timeout, retries on: without the deadline the send would take seconds.
    const g = gateway({ ACS_REQUEST_TIMEOUT_MS: '10000', ACS_MAX_RETRIES: '3' });
    silent.add('cc-late');
    try {
      for (const a of [actions[4]!, actions[5]!]) {
        seen.length = 0;
        const t0 = Date.now();
        const out = await g.send(a, 'cc-late', t0, t0 + 400);
        const ms = Date.now() - t0;
        expect(out, a.kind).toMatchObject({ ok: false, retryable: true });
        expect((out as { status?: number }).status, a.kind).toBeUndefined();
        expect(ms, a.kind).toBeGreaterThanOrEqual(350);
        expect(ms, a.kind).toBeLessThan(2000);
        expect(seen, a.kind).toHaveLength(1);
        // Past its deadline: not even tried (the outbox dispatcher may be sending it).
        seen.length = 0;
        const late = await g.send(a, 'cc-late', t0, Date.now() - 1);
        expect(late, a.kind).toMatchObject({ ok: false, code: 'NoAnswerInTime', retryable: true });
        expect(seen, a.kind).toHaveLength(0);
      }
    } finally {
      silent.delete('cc-late');
    }
  });

  it('goes through the proxy HTTP_PROXY names (the SDK picks it; the default client carries it)', async () => {
    const proxied: string[] = [];
    const proxy = http.createServer((req, res) => {
      // A forward proxy is sent the absolute URL; this one answers as ACS would.
      proxied.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    delete process.env.NO_PROXY;
    try {
      seen.length = 0;
      expect(await gateway().send(actions[4]!, 'cc-1', Date.now())).toMatchObject({ ok: true });
      expect(proxied).toHaveLength(1);
      expect(proxied[0]).toMatch(
        /^POST http:\/\/127\.0\.0\.1:\d+\/calling\/callConnections\/cc-1:play\?/,
      );
      expect(seen).toEqual([]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      proxy.close();
    }
  });

  it('refuses an action that needs a call before the call is connected', async () => {
    expect(await gateway().send(actions[4]!, '', Date.now())).toMatchObject({
      ok: false,
      code: 'NoCallConnection',
      retryable: false,
    });
  });
});
