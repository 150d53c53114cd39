import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowDocument } from '@switchboard/flow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge, freshNumber, node, TIME_SCALE, waitFor } from './calls.js';
import { type TestEngine, useEngine } from './engine.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON
type Json = any;

const SECRET = 'tok-3f9a1c27-very-secret';
const KEY = 'a'.repeat(64);

/** A CRM on loopback: allowed through SWITCHBOARD_HTTP_ALLOW_HOSTS=127.0.0.1 only. */
interface Crm {
  url: string;
  requests: { path: string; headers: IncomingMessage['headers']; body: string }[];
}

function startCrm(tier: string): Promise<Crm & { server: Server }> {
  const requests: Crm['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({ path, headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (path.startsWith('/customers/')) {
        return json(200, { customer: { tier, auth: req.headers.authorization } });
      }
      if (path === '/missing') return json(404, { error: 'no such customer' });
      if (path === '/slow') {
        setTimeout(() => json(200, { customer: { tier } }), 3000);
        return;
      }
      if (path === '/big') return json(200, { pad: 'x'.repeat(300 * 1024) });
      if (path === '/to-private') {
        res.writeHead(302, { location: 'http://10.0.0.1/customers/x' });
        return res.end();
      }
      if (path === '/to-loopback') {
        const port = (server.address() as AddressInfo).port;
        res.writeHead(307, { location: `http://127.0.0.2:${port}/customers/x` });
        return res.end();
      }
      json(500, { error: 'unknown' });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        requests,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      }),
    ),
  );
}

/** Incoming call → HTTP request → a play per outcome (what was heard says where it went). */
function lookupFlow(url: string, timeoutSeconds = 1): FlowDocument {
  const say = (id: string, text: string) => node(id, 'media.play', { text });
  return {
    schemaVersion: 1,
    name: 'Caller lookup',
    nodes: [
      node('incoming', 'trigger.incomingCall'),
      node('answer', 'call.answer'),
      node('lookup', 'data.httpRequest', {
        url,
        headers: [{ name: 'Authorization', value: 'Bearer {{ secret.CRM_TOKEN }}' }],
        timeoutSeconds,
        responseMapping: [
          { variable: 'tier', path: '$.customer.tier' },
          { variable: 'echo', path: '$.customer.auth' },
        ],
      }),
      say('ok', 'Welcome, {{ vars.tier }} customer'),
      say('failed', 'Lookup failed'),
      say('slow', 'Lookup timed out'),
    ],
    edges: [
      edge('incoming', 'next', 'answer'),
      edge('answer', 'connected', 'lookup'),
      edge('lookup', 'success', 'ok'),
      edge('lookup', 'failed', 'failed'),
      edge('lookup', 'timeout', 'slow'),
    ],
  };
}

const ENGINE_ENV = {
  SWITCHBOARD_TIME_SCALE: String(TIME_SCALE),
  SWITCHBOARD_WAIT_MARGIN_MS: '3000',
  SWITCHBOARD_RECONCILE_INTERVAL_MS: '100',
  SWITCHBOARD_OUTBOX_INTERVAL_MS: '200',
  SWITCHBOARD_OUTBOX_GRACE_MS: '1000',
  SWITCHBOARD_HTTP_ALLOW_HOSTS: '127.0.0.1',
  SWITCHBOARD_SECRETS_KEY: KEY,
  SWITCHBOARD_MAX_TEST_CALLS_PER_USER: '20',
};

async function setEnvironment(t: TestEngine, values: Record<string, string>, secret?: string) {
  for (const [name, value] of Object.entries(values)) {
    const r = await t.json('PUT', `/api/environment/values/${name}`, { body: { value } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  if (secret) {
    const r = await t.json('PUT', '/api/environment/secrets/CRM_TOKEN', {
      body: { value: secret },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(secret);
  }
}

async function publishFlow(t: TestEngine, doc: FlowDocument): Promise<string> {
  const created = await t.json('POST', '/api/flows', { body: { name: doc.name, document: doc } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await t.json('POST', `/api/flows/${created.body.id}/publish`, { body: {} });
  expect(published.status, JSON.stringify(published.body)).toBe(201);
  return created.body.id as string;
}

/** A test call of the flow's version 1, until it ended. */
async function call(t: TestEngine, flowId: string): Promise<Json> {
  const placed = await t.json('POST', `/api/flows/${flowId}/test-calls`, {
    body: { version: 1, from: '+15551230001', to: freshNumber() },
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return waitFor(
    async () => {
      const r = await t.json('GET', `/api/runs/${placed.body.id}`);
      return r.body.status === 'ended' ? (r.body as Json) : undefined;
    },
    'test call ended',
    30_000,
  );
}

const path = (run: Json): string[] =>
  run.steps.flatMap((s: Json) =>
    s.trace.filter((e: Json) => e.kind === 'enter').map((e: Json) => e.nodeId),
  );
const notes = (run: Json): string[] =>
  run.steps.flatMap((s: Json) =>
    s.trace.flatMap((e: Json) => (e.note ? [e.note] : e.message ? [e.message] : [])),
  );
const lastVars = (run: Json): Json =>
  [...run.steps].reverse().find((s: Json) => s.variables)?.variables ?? {};

describe('HTTP request nodes and environment values', () => {
  let crm: Crm & { server: Server };
  let otherCrm: Crm & { server: Server };
  beforeAll(async () => {
    crm = await startCrm('gold');
    otherCrm = await startCrm('silver');
  });
  afterAll(async () => {
    crm?.server.close();
    otherCrm?.server.close();
  });
  const a = useEngine(ENGINE_ENV);
  const b = useEngine(ENGINE_ENV);

  it('success: the environment URL and secret are resolved at run time, the answer mapped; no secret in the run, its steps, the outbox or the audit', async () => {
    await setEnvironment(a, { CRM_URL: crm.url }, SECRET);
    const flowId = await publishFlow(
      a,
      lookupFlow('{{ env.CRM_URL }}/customers/{{ call.from | url_encode }}'),
    );
    const run = await call(a, flowId);
    expect(path(run)).toEqual(['incoming', 'answer', 'lookup', 'ok']);
    expect(lastVars(run).tier).toBe('gold');
    // The server echoed the header: masked before it became a variable.
    expect(lastVars(run).echo).toBe('Bearer ***');
    const request = crm.requests.find((r) => r.path.startsWith('/customers/'))!;
    expect(request.path).toBe('/customers/%2B15551230001');
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request.headers['idempotency-key']).toMatch(new RegExp(`^${run.id}:\\d+$`));
    expect(JSON.stringify(run)).not.toContain(SECRET);
    // The runs API shows where the secret goes, by name.
    const sent = run.steps
      .flatMap((s: Json) => s.actions)
      .find((a: Json) => a.kind === 'httpRequest');
    expect(sent.headers).toEqual([
      { name: 'Authorization', value: 'Bearer {{ secret.CRM_TOKEN }}' },
    ]);
    const db = new pg.Client({ connectionString: a.databaseUrl });
    await db.connect();
    try {
      for (const table of ['Run', 'RunStep', 'OutboxAction', 'AuditLog', 'FlowVersion']) {
        const rows = await db.query(`SELECT * FROM "${table}"`);
        expect(JSON.stringify(rows.rows), table).not.toContain(SECRET);
      }
      const sealed = await db.query(`SELECT ciphertext FROM "EnvironmentSecret"`);
      expect(Buffer.from(sealed.rows[0].ciphertext).toString('utf8')).not.toContain(SECRET);
      const audit = await db.query(
        `SELECT action FROM "AuditLog" WHERE action LIKE 'environment.%'`,
      );
      expect(audit.rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['environment.value.set', 'environment.secret.set']),
      );
    } finally {
      await db.end();
    }
    const secrets = await a.json('GET', '/api/environment/secrets');
    expect(secrets.body.items).toEqual([
      expect.objectContaining({ name: 'CRM_TOKEN', updatedBy: 'admin', readable: true }),
    ]);
    expect(JSON.stringify(secrets.body)).not.toContain(SECRET);
  });

  it('a failure status takes "failed", and the trace says what the server answered', async () => {
    const run = await call(a, await publishFlow(a, lookupFlow(`${crm.url}/missing`)));
    expect(path(run)).toEqual(['incoming', 'answer', 'lookup', 'failed']);
    expect(notes(run)).toContain('the server answered 404');
  });

  it('a slow server takes "timeout"', async () => {
    const run = await call(a, await publishFlow(a, lookupFlow(`${crm.url}/slow`, 1)));
    expect(path(run)).toEqual(['incoming', 'answer', 'lookup', 'slow']);
    expect(notes(run).join()).toMatch(/no answer from 127\.0\.0\.1:\d+ within 1 s/);
  });

  it('an oversized answer, a redirect to a refused address and the metadata address take "failed", saying why', async () => {
    const big = await call(a, await publishFlow(a, lookupFlow(`${crm.url}/big`)));
    expect(path(big).at(-1)).toBe('failed');
    expect(notes(big).join()).toContain('larger than 256 KB');

    const toPrivate = await call(a, await publishFlow(a, lookupFlow(`${crm.url}/to-private`)));
    expect(path(toPrivate).at(-1)).toBe('failed');
    expect(notes(toPrivate).join()).toContain('10.0.0.1 is a private address');

    const before = crm.requests.length;
    const toLoopback = await call(a, await publishFlow(a, lookupFlow(`${crm.url}/to-loopback`)));
    expect(notes(toLoopback).join()).toContain('127.0.0.2 is a loopback address');
    // Only the redirecting request reached the server: never the refused hop.
    expect(crm.requests.slice(before).map((r) => r.path)).toEqual(['/to-loopback']);

    const metadata = await call(
      a,
      await publishFlow(a, lookupFlow('http://169.254.169.254/latest/meta-data/')),
    );
    expect(path(metadata).at(-1)).toBe('failed');
    expect(notes(metadata).join()).toContain('169.254.169.254 is a cloud metadata address');
  });

  it('an exported version imports into another database unchanged and resolves that one’s values; undefined names are flagged', async () => {
    await setEnvironment(a, { CRM_URL: crm.url }, SECRET);
    const flowId = await publishFlow(a, lookupFlow('{{ env.CRM_URL }}/customers/1'));
    const exported = await a.json('GET', `/api/flows/${flowId}/export?version=1`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain('{{ env.CRM_URL }}');
    expect(JSON.stringify(exported.body)).not.toContain(crm.url);

    // B defines nothing yet: importing works, its issues name the missing names, publishing is refused.
    const imported = await b.json('POST', '/api/flows/import', { body: exported.body });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const messages = imported.body.issues.map((i: Json) => i.message).join('\n');
    expect(messages).toContain('no environment value “CRM_URL”');
    expect(messages).toContain('no secret “CRM_TOKEN”');
    const importedId = imported.body.flow.id as string;
    const refused = await b.json('POST', `/api/flows/${importedId}/publish`, { body: {} });
    expect(refused.status).toBe(422);

    await setEnvironment(b, { CRM_URL: otherCrm.url }, 'another-secret-value');
    const published = await b.json('POST', `/api/flows/${importedId}/publish`, { body: {} });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const run = await call(b, importedId);
    expect(lastVars(run).tier).toBe('silver');
    expect(otherCrm.requests.at(-1)?.headers.authorization).toBe('Bearer another-secret-value');
  });

  it('the environment API: admins only, names for viewers, a bad name is a 400 naming it, unknown ones 404', async () => {
    expect((await a.json('GET', '/api/environment/values', { as: 'editor' })).status).toBe(403);
    expect((await a.json('GET', '/api/environment/secrets', { as: 'publisher' })).status).toBe(403);
    const names = await a.json('GET', '/api/environment/names', { as: 'viewer' });
    expect(names.body).toEqual({ values: ['CRM_URL'], secrets: ['CRM_TOKEN'] });
    const bad = await a.json('PUT', '/api/environment/values/crm-url', { body: { value: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('name');
    expect(bad.body.errors[0].message).toContain('capital letters');
    const missing = await a.json('DELETE', '/api/environment/secrets/NOPE');
    expect(missing.status).toBe(404);
  });
});

describe('secrets without SWITCHBOARD_SECRETS_KEY', () => {
  const t = useEngine({});
  it('are refused with a 409 naming the setting', async () => {
    const r = await t.json('PUT', '/api/environment/secrets/CRM_TOKEN', { body: { value: 'x' } });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('SWITCHBOARD_SECRETS_KEY');
    const list = await t.json('GET', '/api/environment/secrets');
    expect(list.body).toEqual({ items: [], keyConfigured: false });
  });
});
