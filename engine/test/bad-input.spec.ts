import { beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';
import { bigFlow, validFlow } from './fixtures.js';
import { snapshot } from './snapshot.js';

const MAX_NODES = 50;
const MAX_BYTES = 20_000;

describe('bad input → 4xx problem naming the field, and no change in the database', () => {
  const t = useEngine({
    SWITCHBOARD_MAX_DOCUMENT_NODES: String(MAX_NODES),
    SWITCHBOARD_MAX_DOCUMENT_BYTES: String(MAX_BYTES),
  });
  let flowId: string;
  beforeAll(async () => {
    const created = await t.json('POST', '/api/flows', {
      as: 'editor',
      body: { name: 'Target', document: validFlow() },
    });
    flowId = created.body.id;
    await t.json('POST', `/api/flows/${flowId}/publish`, { as: 'publisher', body: {} });
  });

  interface Case {
    name: string;
    method: string;
    path: () => string;
    body: unknown;
    headers?: Record<string, string>;
    status: number;
    /** Expected field path in errors[] (if any) and text in detail. */
    field?: string;
    detail: RegExp;
  }

  const doc = validFlow();
  const cases: Case[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      path: () => '/api/flows',
      body: '{"name": "x",',
      status: 400,
      detail: /not valid JSON/,
    },
    {
      name: 'wrong type',
      method: 'POST',
      path: () => '/api/flows',
      body: { name: 42 },
      status: 400,
      field: 'name',
      detail: /name/,
    },
    {
      name: 'missing field',
      method: 'POST',
      path: () => '/api/flows',
      body: {},
      status: 400,
      field: 'name',
      detail: /name/,
    },
    {
      name: 'unknown field',
      method: 'POST',
      path: () => '/api/flows',
      body: { name: 'x', colour: 'red' },
      status: 400,
      field: '(root)',
      detail: /unknown property "colour"/,
    },
    {
      name: 'unknown field deep in a document',
      method: 'PUT',
      path: () => `/api/flows/${flowId}/draft`,
      headers: { 'if-match': '1' },
      body: { ...doc, nodes: [{ ...doc.nodes[0], colour: 'red' }, ...doc.nodes.slice(1)] },
      status: 400,
      field: 'nodes[0]',
      detail: /nodes\[0\]: unknown property "colour"/,
    },
    {
      name: 'wrong type deep in a document',
      method: 'PUT',
      path: () => `/api/flows/${flowId}/draft`,
      headers: { 'if-match': '1' },
      body: { ...doc, edges: [{ ...doc.edges[0], target: 7 }] },
      status: 400,
      field: 'edges[0].target',
      detail: /edges\[0\]\.target/,
    },
    {
      name: 'wrong schema version',
      method: 'POST',
      path: () => '/api/flows/import',
      body: { ...doc, schemaVersion: 2 },
      status: 400,
      field: 'schemaVersion',
      detail: /schemaVersion/,
    },
    {
      name: 'too many nodes',
      method: 'POST',
      path: () => '/api/flows/import',
      body: bigFlow(MAX_NODES),
      status: 413,
      detail: /limit is 50/,
    },
    {
      name: 'too many bytes in a draft',
      method: 'PUT',
      path: () => `/api/flows/${flowId}/draft`,
      headers: { 'if-match': '1' },
      body: bigFlow(10, 2_000),
      status: 413,
      detail: /bytes; the limit is 20000/,
    },
    {
      name: 'body over the request limit',
      method: 'POST',
      path: () => '/api/flows/import',
      body: bigFlow(10, 10_000),
      status: 413,
      detail: /larger than the limit/,
    },
    {
      name: 'invalid address',
      method: 'PUT',
      path: () => '/api/entry-points/0425%20555',
      body: { flowId: 'x' },
      status: 400,
      field: 'address',
      detail: /E\.164/,
    },
    {
      name: 'Teams id as an address',
      method: 'PUT',
      path: () => '/api/entry-points/8:orgid:abc',
      body: { flowId: 'x' },
      status: 400,
      field: 'address',
      detail: /E\.164/,
    },
    {
      name: 'unknown flow in a binding',
      method: 'PUT',
      path: () => '/api/entry-points/+14255550199',
      body: { flowId: 'nope' },
      status: 422,
      field: 'flowId',
      detail: /does not exist/,
    },
    {
      name: 'unknown version in a binding',
      method: 'PUT',
      path: () => '/api/entry-points/+14255550199',
      body: { flowId: '@flow', version: 9 },
      status: 422,
      field: 'version',
      detail: /no version 9/,
    },
    {
      name: 'binding with a string version',
      method: 'PUT',
      path: () => '/api/entry-points/+14255550199',
      body: { flowId: '@flow', version: '1' },
      status: 400,
      field: 'version',
      detail: /version/,
    },
    {
      name: 'publish with unknown field',
      method: 'POST',
      path: () => `/api/flows/${flowId}/publish`,
      body: { comment: 'x', force: true },
      status: 400,
      detail: /unknown property "force"/,
    },
    {
      name: 'rollback without version',
      method: 'POST',
      path: () => `/api/flows/${flowId}/rollback`,
      body: {},
      status: 400,
      field: 'version',
      detail: /version/,
    },
    {
      name: 'bad list limit',
      method: 'GET',
      path: () => '/api/flows?limit=0',
      body: undefined,
      status: 400,
      field: 'limit',
      detail: /query string/,
    },
    {
      name: 'unknown query parameter',
      method: 'GET',
      path: () => '/api/flows?sort=name',
      body: undefined,
      status: 400,
      detail: /unknown property "sort"/,
    },
    {
      name: 'bad version number',
      method: 'GET',
      path: () => `/api/flows/${flowId}/versions/abc`,
      body: undefined,
      status: 400,
      field: 'version',
      detail: /version/,
    },
    {
      name: 'bad user role',
      method: 'POST',
      path: () => '/api/users',
      body: { username: 'x', role: 'root' },
      status: 400,
      field: 'role',
      detail: /role/,
    },
    {
      name: 'short password',
      method: 'POST',
      path: () => '/api/users',
      body: { username: 'x', role: 'viewer', password: 'short' },
      status: 400,
      field: 'password',
      detail: /at least 12/,
    },
    {
      name: 'bad token role',
      method: 'POST',
      path: () => '/api/tokens',
      body: { name: 'ci', role: 'superuser' },
      status: 400,
      field: 'role',
      detail: /role/,
    },
    {
      name: 'login with extra field',
      method: 'POST',
      path: () => '/api/auth/login',
      body: { username: 'a', password: 'b', remember: true },
      status: 400,
      detail: /remember/,
    },
  ];

  it.each(cases)('$name → $status', async (c) => {
    const before = await snapshot(t.databaseUrl);
    const body = JSON.stringify(c.body ?? null).replaceAll('"@flow"', JSON.stringify(flowId));
    const res = await t.json(c.method, c.path(), {
      as: 'admin',
      headers: c.headers,
      body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : body,
    });
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      status: c.status,
      type: expect.any(String),
      title: expect.any(String),
    });
    expect(res.body.detail).toMatch(c.detail);
    if (c.field) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(c.field);
    expect(await snapshot(t.databaseUrl)).toEqual(before);
  });
});
