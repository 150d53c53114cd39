import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/config/config.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type As, type TestEngine, useEngine } from './engine.js';
import { reminderFlow } from './calls.js';
import { validFlow } from './fixtures.js';

type Role = 'anonymous' | 'viewer' | 'editor' | 'publisher' | 'admin' | 'runner';
const ROLES: Role[] = ['anonymous', 'viewer', 'editor', 'publisher', 'admin', 'runner'];

interface Call {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Endpoint {
  method: string;
  /** As in the OpenAPI document. */
  route: string;
  /** Who may call it: a minimum human role, 'public', or an explicit list. */
  allowed: 'public' | Role[];
  /** Status when allowed. */
  ok: number;
  /** Builds a fresh call (fresh resources, so every role's attempt can succeed). */
  call: (t: TestEngine) => Promise<Call>;
}

const atLeast = (role: Role): Role[] => {
  const order: Role[] = ['viewer', 'editor', 'publisher', 'admin'];
  return order.slice(order.indexOf(role));
};

const unique = () => randomBytes(4).toString('hex');
/** Fresh numbers in order: no two calls of the matrix bind the same one. */
let phones = 0;
let envN = 0;
const phone = () =>
  `+1425${String(process.pid % 1000).padStart(3, '0')}${String(++phones).padStart(4, '0')}`;

async function newFlow(t: TestEngine, publish = false): Promise<string> {
  const res = await t.json('POST', '/api/flows', {
    body: { name: `m-${unique()}`, document: validFlow() },
  });
  if (publish) await t.json('POST', `/api/flows/${res.body.id}/publish`, { body: {} });
  return res.body.id;
}

/** A published outbound flow (no ACS configured here: its run ends failed, which is enough). */
async function newRun(t: TestEngine): Promise<string> {
  const flow = await t.json('POST', '/api/flows', {
    body: { name: `r-${unique()}`, document: reminderFlow() },
  });
  await t.json('POST', `/api/flows/${flow.body.id}/publish`, { body: {} });
  // Started by the runner: a runner sees its own runs, people see every run.
  const run = await t.json('POST', '/api/runs', {
    as: 'runner',
    body: { flowId: flow.body.id, targets: [phone()] },
  });
  return run.body.id;
}

/** An ended run (of a published outbound flow, failed for want of ACS) and its flow. */
async function newEndedRun(t: TestEngine): Promise<{ flowId: string; runId: string }> {
  const flow = await t.json('POST', '/api/flows', {
    body: { name: `s-${unique()}`, document: reminderFlow() },
  });
  await t.json('POST', `/api/flows/${flow.body.id}/publish`, { body: {} });
  const run = await t.json('POST', '/api/runs', {
    body: { flowId: flow.body.id, targets: [phone()] },
  });
  for (let i = 0; i < 200; i++) {
    const r = await t.json('GET', `/api/runs/${run.body.id}`);
    if (r.body.status === 'ended') return { flowId: flow.body.id, runId: run.body.id };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${run.body.id} did not end`);
}

/** A test call of the example IVR waiting at its menu (real time here: it waits for input). */
async function newTestCall(t: TestEngine): Promise<string> {
  const doc = JSON.parse(
    readFileSync(join(repoRoot(), 'flow', 'examples', 'main-ivr.json'), 'utf8'),
  ) as unknown;
  const flow = await t.json('POST', '/api/flows', {
    body: { name: `t-${unique()}`, document: doc },
  });
  const run = await t.json('POST', `/api/flows/${flow.body.id}/test-calls`, {
    body: { clock: '2026-12-08T10:00:00-08:00' },
  });
  if (run.status !== 201) throw new Error(JSON.stringify(run.body));
  return run.body.id;
}

const runRoles: Role[] = ['viewer', 'editor', 'publisher', 'admin', 'runner'];
const runStarters: Role[] = ['publisher', 'admin', 'runner'];

const endpoints: Endpoint[] = [
  {
    method: 'POST',
    route: '/api/runs',
    allowed: runStarters,
    ok: 201,
    call: async (t) => {
      const flow = await t.json('POST', '/api/flows', {
        body: { name: `r-${unique()}`, document: reminderFlow() },
      });
      await t.json('POST', `/api/flows/${flow.body.id}/publish`, { body: {} });
      return { path: '/api/runs', body: { flowId: flow.body.id, targets: [phone()] } };
    },
  },
  {
    method: 'GET',
    route: '/api/runs',
    allowed: runRoles,
    ok: 200,
    call: async () => ({ path: '/api/runs' }),
  },
  {
    method: 'GET',
    route: '/api/runs/{id}',
    allowed: runRoles,
    ok: 200,
    call: async (t) => ({ path: `/api/runs/${await newRun(t)}` }),
  },
  {
    method: 'GET',
    route: '/api/runs/{id}/document',
    allowed: runRoles,
    ok: 200,
    call: async (t) => ({ path: `/api/runs/${await newRun(t)}/document` }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/test-calls',
    allowed: atLeast('editor'),
    ok: 201,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/test-calls`, body: {} }),
  },
  {
    method: 'POST',
    route: '/api/runs/{id}/test-input',
    allowed: atLeast('editor'),
    ok: 202,
    call: async (t) => ({
      path: `/api/runs/${await newTestCall(t)}/test-input`,
      body: { dtmf: '9' },
    }),
  },
  {
    method: 'POST',
    route: '/api/runs/{id}/cancel',
    allowed: runStarters,
    ok: 200,
    call: async (t) => ({ path: `/api/runs/${await newRun(t)}/cancel` }),
  },
  {
    method: 'GET',
    route: '/api/runs/{id}/stream',
    allowed: runRoles,
    ok: 200,
    call: async (t) => ({ path: `/api/runs/${await newRun(t)}/stream` }),
  },
  {
    method: 'POST',
    route: '/api/flows',
    allowed: atLeast('editor'),
    ok: 201,
    call: async () => ({ path: '/api/flows', body: { name: 'x' } }),
  },
  {
    method: 'GET',
    route: '/api/flows',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async () => ({ path: '/api/flows' }),
  },
  {
    method: 'POST',
    route: '/api/flows/import',
    allowed: atLeast('editor'),
    ok: 201,
    call: async () => ({ path: '/api/flows/import', body: validFlow() }),
  },
  {
    method: 'GET',
    route: '/api/flows/{id}',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}` }),
  },
  {
    method: 'GET',
    route: '/api/flows/{id}/analytics',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/analytics` }),
  },
  {
    method: 'PUT',
    route: '/api/flows/{id}/draft',
    allowed: atLeast('editor'),
    ok: 200,
    call: async (t) => ({
      path: `/api/flows/${await newFlow(t)}/draft`,
      headers: { 'if-match': '1' },
      body: validFlow(),
    }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/validate',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/validate` }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/publish',
    allowed: atLeast('publisher'),
    ok: 201,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/publish`, body: {} }),
  },
  {
    method: 'GET',
    route: '/api/flows/{id}/versions',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t, true)}/versions` }),
  },
  {
    method: 'GET',
    route: '/api/flows/{id}/versions/{version}',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t, true)}/versions/1` }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/rollback',
    allowed: atLeast('publisher'),
    ok: 201,
    call: async (t) => ({
      path: `/api/flows/${await newFlow(t, true)}/rollback`,
      body: { version: 1 },
    }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/replay',
    allowed: atLeast('editor'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/replay`, body: {} }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/scenarios/run',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/scenarios/run`, body: {} }),
  },
  {
    method: 'POST',
    route: '/api/flows/{id}/scenarios',
    allowed: atLeast('editor'),
    ok: 201,
    call: async (t) => {
      const { flowId, runId } = await newEndedRun(t);
      return { path: `/api/flows/${flowId}/scenarios`, body: { runId } };
    },
  },
  {
    method: 'GET',
    route: '/api/flows/{id}/export',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/export` }),
  },
  {
    method: 'DELETE',
    route: '/api/flows/{id}',
    allowed: atLeast('admin'),
    ok: 204,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}` }),
  },
  {
    method: 'GET',
    route: '/api/environment/names',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async () => ({ path: '/api/environment/names' }),
  },
  {
    method: 'GET',
    route: '/api/environment/values',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/environment/values' }),
  },
  {
    method: 'PUT',
    route: '/api/environment/values/{name}',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/environment/values/MATRIX_VALUE', body: { value: 'x' } }),
  },
  {
    method: 'DELETE',
    route: '/api/environment/values/{name}',
    allowed: atLeast('admin'),
    ok: 204,
    call: async (t) => {
      const name = `MATRIX_${envN++}`;
      await t.json('PUT', `/api/environment/values/${name}`, { body: { value: 'x' } });
      return { path: `/api/environment/values/${name}` };
    },
  },
  {
    method: 'GET',
    route: '/api/environment/secrets',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/environment/secrets' }),
  },
  {
    method: 'PUT',
    route: '/api/environment/secrets/{name}',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/environment/secrets/MATRIX_SECRET', body: { value: 'x' } }),
  },
  {
    method: 'DELETE',
    route: '/api/environment/secrets/{name}',
    allowed: atLeast('admin'),
    ok: 204,
    call: async (t) => {
      const name = `MATRIX_${envN++}`;
      await t.json('PUT', `/api/environment/secrets/${name}`, { body: { value: 'x' } });
      return { path: `/api/environment/secrets/${name}` };
    },
  },
  {
    method: 'PUT',
    route: '/api/entry-points/{address}',
    allowed: atLeast('publisher'),
    ok: 200,
    call: async (t) => ({
      path: `/api/entry-points/${phone()}`,
      body: { flowId: await newFlow(t, true) },
    }),
  },
  {
    method: 'GET',
    route: '/api/entry-points',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async () => ({ path: '/api/entry-points' }),
  },
  {
    method: 'GET',
    route: '/api/entry-points/{address}',
    allowed: atLeast('viewer'),
    ok: 200,
    call: async (t) => {
      const address = phone();
      await t.json('PUT', `/api/entry-points/${address}`, {
        body: { flowId: await newFlow(t, true) },
      });
      return { path: `/api/entry-points/${address}` };
    },
  },
  {
    method: 'DELETE',
    route: '/api/entry-points/{address}',
    allowed: atLeast('publisher'),
    ok: 204,
    call: async (t) => {
      const address = phone();
      await t.json('PUT', `/api/entry-points/${address}`, {
        body: { flowId: await newFlow(t, true) },
      });
      return { path: `/api/entry-points/${address}` };
    },
  },
  {
    method: 'POST',
    route: '/api/auth/login',
    allowed: 'public',
    ok: 200,
    call: async () => ({
      path: '/api/auth/login',
      body: { username: 'viewer', password: 'viewer-password' },
    }),
  },
  {
    method: 'GET',
    route: '/api/auth/me',
    allowed: [...atLeast('viewer'), 'runner'],
    ok: 200,
    call: async () => ({ path: '/api/auth/me' }),
  },
  {
    method: 'GET',
    route: '/api/users',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/users' }),
  },
  {
    method: 'POST',
    route: '/api/users',
    allowed: atLeast('admin'),
    ok: 201,
    call: async () => ({ path: '/api/users', body: { username: `u-${unique()}`, role: 'viewer' } }),
  },
  {
    method: 'DELETE',
    route: '/api/users/{id}',
    allowed: atLeast('admin'),
    ok: 204,
    call: async (t) => {
      const user = await t.json('POST', '/api/users', {
        body: { username: `u-${unique()}`, role: 'viewer' },
      });
      return { path: `/api/users/${user.body.id}` };
    },
  },
  {
    method: 'GET',
    route: '/api/tokens',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/tokens' }),
  },
  {
    method: 'POST',
    route: '/api/tokens',
    allowed: atLeast('admin'),
    ok: 201,
    call: async () => ({ path: '/api/tokens', body: { name: 'x', role: 'runner' } }),
  },
  {
    method: 'DELETE',
    route: '/api/tokens/{id}',
    allowed: atLeast('admin'),
    ok: 204,
    call: async (t) => {
      const token = await t.json('POST', '/api/tokens', { body: { name: 'x', role: 'runner' } });
      return { path: `/api/tokens/${token.body.id}` };
    },
  },
  {
    method: 'PUT',
    route: '/api/flows/{id}/presence',
    allowed: atLeast('editor'),
    ok: 200,
    call: async (t) => ({
      path: `/api/flows/${await newFlow(t)}/presence`,
      body: { tabId: `tab-${unique()}` },
    }),
  },
  {
    method: 'DELETE',
    route: '/api/flows/{id}/presence/{tabId}',
    allowed: atLeast('editor'),
    ok: 204,
    call: async (t) => ({ path: `/api/flows/${await newFlow(t)}/presence/tab-${unique()}` }),
  },
  {
    method: 'GET',
    route: '/api/audit',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/audit' }),
  },
  {
    method: 'GET',
    route: '/api/dead-letters',
    allowed: atLeast('admin'),
    ok: 200,
    call: async () => ({ path: '/api/dead-letters' }),
  },
  {
    method: 'GET',
    route: '/health',
    allowed: 'public',
    ok: 200,
    call: async () => ({ path: '/health' }),
  },
  // Last: it ends the caller's session.
  {
    method: 'POST',
    route: '/api/auth/logout',
    allowed: 'public',
    ok: 204,
    call: async () => ({ path: '/api/auth/logout' }),
  },
];

const expected = (e: Endpoint, role: Role) => {
  if (e.allowed === 'public') return e.ok;
  if (role === 'anonymous') return 401;
  return e.allowed.includes(role) ? e.ok : 403;
};

describe('authorization matrix: every endpoint × every role × cookie and token', () => {
  const t = useEngine({
    SWITCHBOARD_MAX_TEST_CALLS_PER_USER: '100',
    SWITCHBOARD_SECRETS_KEY: 'c'.repeat(64),
  });

  it('covers every endpoint in the OpenAPI document', async () => {
    const doc = await t.json('GET', '/api/docs/openapi.json', { as: 'anonymous' });
    const documented = Object.entries(
      doc.body.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(endpoints.map((e) => `${e.method} ${e.route}`).sort());
  });

  /** The same human roles again, by API token instead of a session cookie. */
  const tokens = new Map<Role, string>();
  beforeAll(async () => {
    for (const role of ['viewer', 'editor', 'publisher', 'admin'] as const) {
      const made = await t.json('POST', '/api/tokens', { body: { name: `matrix-${role}`, role } });
      tokens.set(role, made.body.token as string);
    }
  });

  describe.each(endpoints)('$method $route', (e) => {
    it.each(['viewer', 'editor', 'publisher', 'admin'] as const)(
      'as %s, by token',
      async (role) => {
        const call = await e.call(t);
        const res = await t.request(e.method, call.path, {
          as: { token: tokens.get(role)! },
          body: call.body,
          headers: call.headers,
        });
        expect(res.status, await res.text()).toBe(expected(e, role)); // a token has its role's rights, as a session does
      },
    );

    it.each(ROLES)('as %s', async (role) => {
      const call = await e.call(t);
      const res = await t.request(e.method, call.path, {
        as: role as As,
        body: call.body,
        headers: call.headers,
      });
      const text = await res.text();
      expect(res.status, text).toBe(expected(e, role));
      if (res.status === 401 || res.status === 403) {
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    });
  });
});
