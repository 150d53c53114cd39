import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, useEngine } from './engine.js';

describe('sessions, users and API tokens', () => {
  const t = useEngine();
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
  });

  it('signs in with an HTTP-only SameSite cookie and signs out', async () => {
    const res = await t.request('POST', '/api/auth/login', {
      as: 'anonymous',
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^switchboard_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = setCookie.split(';')[0]!;
    const me = await t.json('GET', '/api/auth/me', { as: { cookie } });
    expect(me.body).toMatchObject({ kind: 'user', name: 'admin', role: 'admin' });
    // Only the hash of the cookie is stored.
    const { rows } = await db.query('SELECT "id" FROM "Session"');
    const value = cookie.split('=')[1]!;
    expect(rows.map((r) => r.id)).toContain(createHash('sha256').update(value).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(value);

    const out = await t.request('POST', '/api/auth/logout', { as: { cookie } });
    expect(out.status).toBe(204);
    expect((await t.request('GET', '/api/auth/me', { as: { cookie } })).status).toBe(401);
  });

  it('refuses a wrong password with 401 and no cookie', async () => {
    const res = await t.json('POST', '/api/auth/login', {
      as: 'anonymous',
      body: { username: 'admin', password: 'wrong-password' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    const nobody = await t.json('POST', '/api/auth/login', {
      as: 'anonymous',
      body: { username: 'nobody', password: 'wrong-password' },
    });
    expect(nobody.status).toBe(401);
    expect(nobody.body.detail).toBe(res.body.detail);
  });

  it('stores passwords as scrypt hashes', async () => {
    const { rows } = await db.query(`SELECT "passwordHash" FROM "User" WHERE "username" = 'admin'`);
    expect(rows[0].passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0].passwordHash).not.toContain(ADMIN_PASSWORD);
  });

  it('creates a user with a generated password shown once', async () => {
    const res = await t.json('POST', '/api/users', { body: { username: 'carol', role: 'editor' } });
    expect(res.status).toBe(201);
    expect(res.body.password).toEqual(expect.any(String));
    const cookie = await t.login('carol', res.body.password);
    expect((await t.json('GET', '/api/auth/me', { as: { cookie } })).body.role).toBe('editor');
    const list = await t.json('GET', '/api/users');
    expect(JSON.stringify(list.body)).not.toContain(res.body.password);
    expect(list.body.items.map((u: { username: string }) => u.username)).toEqual([
      'admin',
      'carol',
      'editor',
      'publisher',
      'viewer',
    ]);
    const dup = await t.json('POST', '/api/users', { body: { username: 'carol', role: 'viewer' } });
    expect(dup.status).toBe(409);

    const del = await t.request('DELETE', `/api/users/${res.body.id}`);
    expect(del.status).toBe(204);
    expect((await t.request('GET', '/api/auth/me', { as: { cookie } })).status).toBe(401);
  });

  it('does not let the last admin be deleted', async () => {
    const admin = (await t.json('GET', '/api/users')).body.items.find(
      (u: { username: string }) => u.username === 'admin',
    );
    const self = await t.json('DELETE', `/api/users/${admin.id}`);
    expect(self.status).toBe(409);
  });

  it('shows a token once, stores only its hash, and honours revocation immediately', async () => {
    const created = await t.json('POST', '/api/tokens', { body: { name: 'ci', role: 'viewer' } });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^sbt_/);
    expect(created.body.prefix).toBe(token.slice(0, 12));

    const list = await t.json('GET', '/api/tokens');
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(
      list.body.items.find((i: { id: string }) => i.id === created.body.id).token,
    ).toBeUndefined();

    const { rows } = await db.query('SELECT * FROM "ApiToken" WHERE "id" = $1', [created.body.id]);
    expect(rows[0].tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);

    const ok = await t.json('GET', '/api/flows', { as: { token } });
    expect(ok.status).toBe(200);
    const me = await t.json('GET', '/api/auth/me', { as: { token } });
    expect(me.body).toMatchObject({ kind: 'token', name: 'ci', role: 'viewer' });
    const used = await db.query('SELECT "lastUsedAt" FROM "ApiToken" WHERE "id" = $1', [
      created.body.id,
    ]);
    expect(used.rows[0].lastUsedAt).not.toBeNull();

    const revoke = await t.request('DELETE', `/api/tokens/${created.body.id}`);
    expect(revoke.status).toBe(204);
    const after = await t.json('GET', '/api/flows', { as: { token } });
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/revoked/);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const audit = await t.json('GET', `/api/audit?target=token:${created.body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'token.create',
      'token.revoke',
    ]);
  });

  it('refuses malformed and unknown bearer tokens', async () => {
    expect(
      (
        await t.request('GET', '/api/flows', {
          as: 'anonymous',
          headers: { authorization: 'Basic abc' },
        })
      ).status,
    ).toBe(401);
    expect((await t.request('GET', '/api/flows', { as: { token: 'sbt_unknown' } })).status).toBe(
      401,
    );
  });

  it('audits user changes', async () => {
    const { rows } = await db.query(
      `SELECT "action", "target" FROM "AuditLog" WHERE "action" LIKE 'user.%' ORDER BY "at"`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { action: 'user.create', target: 'user:admin' },
        { action: 'user.create', target: 'user:carol' },
        { action: 'user.delete', target: 'user:carol' },
      ]),
    );
  });
});
