import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Emulator, startEmulator } from '@switchboard/emulator';
import type { FlowDocument } from '@switchboard/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/database/embedded-postgres.js';
import {
  bind,
  edge,
  emulatorEnv,
  eventsUrl,
  node,
  ownedNumber,
  publish,
  runFor,
  TIME_SCALE,
  waitFor,
} from './calls.js';
import { useTestDatabase } from './database.js';
import { apiClient, buildEngine, type ChildEngine, spawnEngine } from './processes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON
type Json = any;

const SECRET = 'crash-test-secret-9c1e';

/** Holds the first request for `holdMs` (the engine dies meanwhile), answers later ones at once. */
function slowCrm(holdMs: number) {
  const seen: { key: string | undefined; auth: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({
      key: req.headers['idempotency-key'] as string | undefined,
      auth: req.headers.authorization,
    });
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ customer: { tier: 'gold' } }));
    };
    if (seen.length === 1) setTimeout(answer, holdMs);
    else answer();
  });
  return new Promise<{ server: Server; url: string; seen: typeof seen }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

function flow(url: string): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'Lookup across a crash',
    nodes: [
      node('incoming', 'trigger.incomingCall'),
      node('answer', 'call.answer'),
      node('lookup', 'data.httpRequest', {
        url,
        headers: [{ name: 'Authorization', value: 'Bearer {{ secret.CRM_TOKEN }}' }],
        timeoutSeconds: 10,
        responseMapping: [{ variable: 'tier', path: '$.customer.tier' }],
      }),
      node('ok', 'media.play', { text: 'Welcome, {{ vars.tier }} customer' }),
    ],
    edges: [
      edge('incoming', 'next', 'answer'),
      edge('answer', 'connected', 'lookup'),
      edge('lookup', 'success', 'ok'),
    ],
  };
}

describe('an HTTP request in flight when the engine is killed', () => {
  const databaseUrl = useTestDatabase();
  let emulator: Emulator | undefined;
  let crm: Awaited<ReturnType<typeof slowCrm>> | undefined;
  const children: ChildEngine[] = [];

  beforeAll(async () => {
    const started = await Promise.all([
      buildEngine(),
      startEmulator({
        timeScale: TIME_SCALE,
        logLevel: 'error',
        callModel: { incomingRingTimeoutMs: 3_000_000 },
        callbackDelivery: { retryDelaysMs: Array<number>(40).fill(25_000), timeoutMs: 5000 },
      }),
      slowCrm(8000),
    ]);
    emulator = started[1];
    crm = started[2];
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop(3000)));
    await emulator?.close();
    crm?.server.close();
  });

  const spawn = async (name: string, port: number) => {
    const c = await spawnEngine(name, port, {
      ...emulatorEnv(emulator!),
      SWITCHBOARD_WAIT_MARGIN_MS: '20000',
      SWITCHBOARD_HTTP_ALLOW_HOSTS: '127.0.0.1',
      SWITCHBOARD_SECRETS_KEY: 'd'.repeat(64),
      LOG_LEVEL: 'debug',
      DATABASE_URL: databaseUrl(),
    });
    children.push(c);
    return c;
  };

  it('is sent again by the restarted engine with the same Idempotency-Key, and its answer applied once', async () => {
    const port = await freePort();
    const doomed = await spawn('doomed', port);
    const api = await apiClient(doomed.url);
    const secret = await api.json('PUT', '/api/environment/secrets/CRM_TOKEN', {
      body: { value: SECRET },
    });
    expect(secret.status).toBe(200);
    const number = await ownedNumber(emulator!);
    const { flowId } = await publish(api, flow(`${crm!.url}/customers/1`));
    await bind(api, number, flowId);
    await emulator!.control.addSubscription(eventsUrl(doomed.url));
    await waitFor(
      async () => (await emulator!.control.subscriptions()).every((s) => s.status === 'validated'),
      'subscription validated',
    );
    await emulator!.control.placeCall({ from: '+15551234567', to: number });
    await waitFor(() => crm!.seen.length === 1, 'the request reached the CRM', 30_000).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${doomed.logs.slice(-30).join('\n')}`);
      },
    );
    doomed.proc.kill('SIGKILL');
    await doomed.exited;

    const restarted = await spawn('restarted', port);
    const run: Json = await runFor(await apiClient(restarted.url), number);
    const path = run.steps.flatMap((s: Json) =>
      s.trace.filter((e: Json) => e.kind === 'enter').map((e: Json) => e.nodeId),
    );
    expect(path, restarted.logs.slice(-30).join('\n')).toEqual([
      'incoming',
      'answer',
      'lookup',
      'ok',
    ]);
    // Sent twice at most, never under two keys: the server can tell it is the same request.
    const keys = crm!.seen.map((s) => s.key);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.length).toBeLessThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(new RegExp(`^${run.id}:\\d+$`));
    const results = run.steps.filter((s: Json) => s.eventType === 'HttpResponse');
    expect(results).toHaveLength(1);
    expect(restarted.logs.some((l) => l.includes('outbox: resending action'))).toBe(true);
    // The secret went to the server each time, and into no log line of either engine.
    expect(crm!.seen.map((s) => s.auth)).toEqual(keys.map(() => `Bearer ${SECRET}`));
    expect(restarted.logs.some((l) => l.includes('"msg":"http request"'))).toBe(true);
    for (const line of [...doomed.logs, ...restarted.logs]) expect(line).not.toContain(SECRET);
  }, 120_000);
});
