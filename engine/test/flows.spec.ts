import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';
import { invalidFlow, validFlow } from './fixtures.js';

describe('flows: draft → publish → immutable versions → rollback', () => {
  const t = useEngine();
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
  });

  let flowId: string;

  it('creates a flow with a starter draft at revision 1', async () => {
    const res = await t.json('POST', '/api/flows', {
      as: 'editor',
      body: { name: 'Main line', description: 'Front door' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Main line',
      description: 'Front door',
      revision: 1,
      latestVersion: null,
      createdBy: 'editor',
    });
    expect(res.body.draft.nodes[0].type).toBe('trigger.incomingCall');
    flowId = res.body.id;

    const got = await t.json('GET', `/api/flows/${flowId}`, { as: 'viewer' });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body.versions).toEqual([]);
  });

  it('saves the draft with If-Match and bumps the revision', async () => {
    const res = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'editor',
      headers: { 'if-match': '"1"' },
      body: validFlow('Main line v1'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: flowId, revision: 2, updatedBy: 'editor' });
    expect(res.headers.get('etag')).toBe('"2"');
    const got = await t.json('GET', `/api/flows/${flowId}`);
    expect(got.body.name).toBe('Main line v1');
    expect(got.body.draft).toEqual(validFlow('Main line v1'));
  });

  it('refuses a save based on an old revision with 409, naming who changed it', async () => {
    const res = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'publisher',
      headers: { 'if-match': '1' },
      body: validFlow('Lost update'),
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 409, currentRevision: 2, updatedBy: 'editor' });
    expect(res.body.detail).toContain('editor');
    expect(typeof res.body.updatedAt).toBe('string');
    const got = await t.json('GET', `/api/flows/${flowId}`);
    expect(got.body.name).toBe('Main line v1');
    expect(got.body.revision).toBe(2);
  });

  it('needs If-Match to save (428)', async () => {
    const res = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'editor',
      body: validFlow(),
    });
    expect(res.status).toBe(428);
    const bad = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'editor',
      headers: { 'if-match': 'abc' },
      body: validFlow(),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('If-Match');
  });

  it('lets exactly one of two concurrent saves of the same revision win', async () => {
    const save = (name: string) =>
      t.json('PUT', `/api/flows/${flowId}/draft`, {
        as: 'editor',
        headers: { 'if-match': '2' },
        body: validFlow(name),
      });
    const results = await Promise.all([save('A'), save('B'), save('C')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const got = await t.json('GET', `/api/flows/${flowId}`);
    expect(got.body.revision).toBe(3);
    // Back to the reviewed content for the publish below.
    const reset = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'editor',
      headers: { 'if-match': '3' },
      body: validFlow('Main line v1'),
    });
    expect(reset.status).toBe(200);
  });

  it('publishes the draft as version 1 (201)', async () => {
    const res = await t.json('POST', `/api/flows/${flowId}/publish`, {
      as: 'publisher',
      body: { comment: 'first' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      flowId,
      version: 1,
      publishedBy: 'publisher',
      comment: 'first',
      copiedFrom: null,
    });
    expect(res.body.checksum).toMatch(/^[0-9a-f]{64}$/);
    const list = await t.json('GET', '/api/flows', { as: 'viewer' });
    expect(list.body.items.find((f: { id: string }) => f.id === flowId)).toMatchObject({
      latestVersion: 1,
      updatedBy: 'editor',
    });
  });

  it('refuses publish when the draft moved past the reviewed revision', async () => {
    const res = await t.json('POST', `/api/flows/${flowId}/publish`, {
      as: 'publisher',
      body: { revision: 1 },
    });
    expect(res.status).toBe(409);
    expect(res.body.currentRevision).toBe(4);
  });

  it('numbers concurrent publishes without gaps or duplicates', async () => {
    const other = await t.json('POST', '/api/flows', {
      as: 'editor',
      body: { name: 'Busy', document: validFlow() },
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        t.json('POST', `/api/flows/${other.body.id}/publish`, { as: 'publisher', body: {} }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(results.map((r) => r.body.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('keeps versions immutable: direct UPDATE, DELETE and TRUNCATE fail in the database', async () => {
    await expect(
      db.query(`UPDATE "FlowVersion" SET "comment" = 'hacked' WHERE "flowId" = $1`, [flowId]),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(`DELETE FROM "FlowVersion" WHERE "flowId" = $1`, [flowId]),
    ).rejects.toThrow(/immutable/);
    await expect(db.query(`TRUNCATE "FlowVersion" CASCADE`)).rejects.toThrow(/immutable/);
    const v = await t.json('GET', `/api/flows/${flowId}/versions/1`);
    expect(v.body).toMatchObject({ version: 1, comment: 'first' });
    expect(v.body.document).toEqual(validFlow('Main line v1'));
  });

  it('publishes a second version and rolls back by publishing a copy of the first', async () => {
    const save = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'editor',
      headers: { 'if-match': '4' },
      body: validFlow('Main line v2'),
    });
    expect(save.status).toBe(200);
    const v2 = await t.json('POST', `/api/flows/${flowId}/publish`, {
      as: 'publisher',
      body: { comment: 'second', revision: 5 },
    });
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);

    // The draft moved since the caller looked: refused, nothing published or replaced.
    const stale = await t.json('POST', `/api/flows/${flowId}/rollback`, {
      as: 'publisher',
      body: { version: 1, revision: 4 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.currentRevision).toBe(5);

    const rb = await t.json('POST', `/api/flows/${flowId}/rollback`, {
      as: 'publisher',
      body: { version: 1, comment: 'v2 was wrong', revision: 5 },
    });
    expect(rb.status).toBe(201);
    expect(rb.body).toMatchObject({
      version: 3,
      copiedFrom: 1,
      comment: 'v2 was wrong',
      draftRevision: 6,
    });
    const v1 = await t.json('GET', `/api/flows/${flowId}/versions/1`);
    const v3 = await t.json('GET', `/api/flows/${flowId}/versions/3`);
    expect(v3.body.document).toEqual(v1.body.document);
    expect(v3.body.checksum).toBe(v1.body.checksum);
    // The draft is replaced by the rolled-back content: the next publish brings nothing back.
    const got = await t.json('GET', `/api/flows/${flowId}`);
    expect(got.body.draft).toEqual(v1.body.document);
    expect(got.body.revision ?? got.body.draftRevision).toBe(6);
    expect(got.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);

    const missing = await t.json('POST', `/api/flows/${flowId}/rollback`, {
      as: 'publisher',
      body: { version: 99 },
    });
    expect(missing.status).toBe(404);
  });

  it('pages the versions with a cursor', async () => {
    const first = await t.json('GET', `/api/flows/${flowId}/versions?limit=2`);
    expect(first.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.json(
      'GET',
      `/api/flows/${flowId}/versions?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body).toEqual({
      items: [expect.objectContaining({ version: 1 })],
      nextCursor: null,
    });
    const bad = await t.json('GET', `/api/flows/${flowId}/versions?cursor=nonsense`);
    expect(bad.status).toBe(400);
  });

  it('refuses to publish an invalid draft with 422 and the validator issues', async () => {
    const created = await t.json('POST', '/api/flows', {
      as: 'editor',
      body: { name: 'Broken', document: invalidFlow() },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const res = await t.json('POST', `/api/flows/${id}/publish`, { as: 'publisher', body: {} });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(
      res.body.issues.some(
        (i: { severity: string; nodeId?: string }) =>
          i.severity === 'error' && i.nodeId === 'transfer',
      ),
    ).toBe(true);
    expect(res.body.errors[0].path).toMatch(/^nodes\[\d+\]/);
    const versions = await t.json('GET', `/api/flows/${id}/versions`);
    expect(versions.body.items).toEqual([]);
    const validated = await t.json('POST', `/api/flows/${id}/validate`, { as: 'viewer' });
    expect(validated.status).toBe(200);
    expect(validated.body.issues.length).toBeGreaterThan(0);
    const validatedBody = await t.json('POST', `/api/flows/${id}/validate`, {
      as: 'viewer',
      body: { document: validFlow() },
    });
    expect(validatedBody.body).toEqual({ issues: [] });
  });

  it('exports a document as a download and imports it as a new flow with its ids', async () => {
    const exp = await t.request('GET', `/api/flows/${flowId}/export?version=1`, { as: 'viewer' });
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-disposition')).toBe(
      // The flow is named after its draft, which the rollback replaced with version 1.
      'attachment; filename="Main-line-v1-v1.json"',
    );
    const doc = (await exp.json()) as { nodes: { id: string }[] };
    expect(doc).toEqual(validFlow('Main line v1'));
    const imported = await t.json('POST', '/api/flows/import', { as: 'editor', body: doc });
    expect(imported.status).toBe(201);
    expect(imported.body.issues).toEqual([]);
    expect(imported.body.flow.id).not.toBe(flowId);
    expect(imported.body.flow.draft.nodes.map((n: { id: string }) => n.id)).toEqual(
      doc.nodes.map((n: { id: string }) => n.id),
    );
  });

  it('binds entry points and refuses to archive a flow while one uses it', async () => {
    const bind = await t.json('PUT', `/api/entry-points/${encodeURIComponent('+14255550100')}`, {
      as: 'publisher',
      body: { flowId },
    });
    expect(bind.status).toBe(200);
    expect(bind.body).toMatchObject({
      address: '+14255550100',
      flowId,
      version: null,
      effectiveVersion: 3,
    });
    const pinned = await t.json('PUT', '/api/entry-points/8:acs:resource_user-1', {
      as: 'publisher',
      body: { flowId, version: 2 },
    });
    expect(pinned.body).toMatchObject({ version: 2, effectiveVersion: 2 });

    const refused = await t.json('DELETE', `/api/flows/${flowId}`, { as: 'admin' });
    expect(refused.status).toBe(409);
    expect(refused.body.entryPoints).toEqual(['+14255550100', '8:acs:resource_user-1']);
    // Said as an analyst knows them: the flow by name, the number as dialled, no ids.
    expect(refused.body.detail).toMatch(/^“[^”]+” answers \+1 425 555 0100, user /);
    expect(refused.body.detail).not.toContain(flowId);

    const list = await t.json('GET', '/api/entry-points?limit=1', { as: 'viewer' });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toEqual(expect.any(String));

    for (const address of ['+14255550100', '8:acs:resource_user-1']) {
      const del = await t.request('DELETE', `/api/entry-points/${encodeURIComponent(address)}`, {
        as: 'publisher',
      });
      expect(del.status).toBe(204);
    }
    const again = await t.json('DELETE', '/api/entry-points/%2B14255550100', { as: 'publisher' });
    expect(again.status).toBe(404);

    const archived = await t.request('DELETE', `/api/flows/${flowId}`, { as: 'admin' });
    expect(archived.status).toBe(204);
    const flows = await t.json('GET', '/api/flows');
    expect(flows.body.items.map((f: { id: string }) => f.id)).not.toContain(flowId);
    const all = await t.json('GET', '/api/flows?includeArchived=true');
    expect(all.body.items.find((f: { id: string }) => f.id === flowId).archivedAt).toEqual(
      expect.any(String),
    );
    const save = await t.json('PUT', `/api/flows/${flowId}/draft`, {
      as: 'editor',
      headers: { 'if-match': '5' },
      body: validFlow(),
    });
    expect(save.status).toBe(409);
    const rebind = await t.json('PUT', '/api/entry-points/+14255550100', {
      as: 'publisher',
      body: { flowId },
    });
    expect(rebind.status).toBe(409);
  });

  it('records publish, rollback, bind, unbind and archive in the audit log', async () => {
    const res = await t.json('GET', `/api/audit?target=flow:${flowId}&limit=200`);
    expect(res.body.items.map((e: { action: string }) => e.action).sort()).toEqual(
      ['flow.archive', 'flow.create', 'flow.publish', 'flow.publish', 'flow.rollback'].sort(),
    );
    const { rows } = await db.query(
      `SELECT "action", "actor", "target" FROM "AuditLog" WHERE "action" LIKE 'entryPoint.%' ORDER BY "at"`,
    );
    expect(rows.map((r) => r.action)).toEqual([
      'entryPoint.bind',
      'entryPoint.bind',
      'entryPoint.unbind',
      'entryPoint.unbind',
    ]);
    expect(rows[0]).toMatchObject({ actor: 'publisher', target: 'entryPoint:+14255550100' });
  });
});
