import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, decide } from '../src/auth/login-throttle.js';
import { passwordWeakness } from '../src/auth/password-policy.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { migrate } from '../src/database/migrator.js';
import { useTestDatabase } from './database.js';
import { useEngine } from './engine.js';

// Small numbers so back-off and lockout pass in seconds: 2 free failures, then 1 s between
// attempts, locked for 3 s at the 4th failure.
const RULES = {
  SWITCHBOARD_LOGIN_FREE_ATTEMPTS: '2',
  SWITCHBOARD_LOGIN_MAX_DELAY_SECONDS: '1',
  SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS: '4',
  SWITCHBOARD_LOGIN_LOCKOUT_MINUTES: '0.05',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  retryAfter: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

describe('login protection', () => {
  const t = useEngine(RULES);
  let db: pg.Client;
  let nextAddress = 10;
  /** Each test its own client addresses (127.0.0.x), so their counters do not meet. */
  const address = () => `127.0.0.${nextAddress++}`;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
  });

  /** POST /api/auth/login from a chosen loopback address (Linux routes all of 127/8 locally). */
  function login(username: string, password: string, from: string): Promise<Answer> {
    const url = new URL(t.url);
    const body = JSON.stringify({ username, password });
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/api/auth/login',
          method: 'POST',
          localAddress: from,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: res.headers['retry-after'],
              body: text ? JSON.parse(text) : undefined,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function createUser(username: string, password: string) {
    const res = await t.json('POST', '/api/users', {
      body: { username, role: 'viewer', password },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  const auditOf = async (target: string) =>
    (await t.json('GET', `/api/audit?target=${encodeURIComponent(target)}&limit=200`)).body
      .items as { action: string; actor: string; details: Record<string, unknown> }[];

  it('throttles a username with an exponential wait, then refuses even the right password', async () => {
    await createUser('alice', 'alice-long-password');
    // A new address each time: only the username's counter grows.
    expect((await login('alice', 'wrong-password-1', address())).status).toBe(401);
    expect((await login('alice', 'wrong-password-2', address())).status).toBe(401);
    const throttled = await login('alice', 'alice-long-password', address());
    expect(throttled.status).toBe(429);
    expect(throttled.retryAfter).toBe('1');
    expect(throttled.body).toMatchObject({
      type: '/problems/too-many-logins',
      status: 429,
      detail: expect.stringMatching(/try again in 1 s/),
    });
    await sleep(1100);
    expect((await login('alice', 'wrong-password-3', address())).status).toBe(401);
    expect((await login('ALICE', 'alice-long-password', address())).status).toBe(429);
    await sleep(1100);
    // The 4th failure locks the username for SWITCHBOARD_LOGIN_LOCKOUT_MINUTES (3 s here).
    expect((await login('alice', 'wrong-password-4', address())).status).toBe(401);
    const locked = await login('alice', 'alice-long-password', address());
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(2);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(3);
    await sleep(1100);
    expect((await login('alice', 'alice-long-password', address())).status).toBe(429);
    await sleep(2100);
    // The lockout is over: the right password works again.
    expect((await login('alice', 'alice-long-password', address())).status).toBe(200);
  });

  it('throttles a client address across usernames, and only that address', async () => {
    await createUser('bob', 'bob-long-password');
    const from = address();
    expect((await login('someone', 'wrong-password', from)).status).toBe(401);
    expect((await login('someone-else', 'wrong-password', from)).status).toBe(401);
    const throttled = await login('bob', 'bob-long-password', from);
    expect(throttled.status).toBe(429);
    expect(throttled.retryAfter).toBe('1');
    expect((await login('bob', 'bob-long-password', address())).status).toBe(200);
  });

  it('counts unknown usernames like known ones', async () => {
    const from = () => address();
    expect((await login('ghost', 'wrong-password', from())).status).toBe(401);
    expect((await login('ghost', 'wrong-password', from())).status).toBe(401);
    expect((await login('ghost', 'wrong-password', from())).status).toBe(429);
  });

  it('lets a success clear the username’s counter, but not what an address tried', async () => {
    await createUser('carla', 'carla-long-password');
    expect((await login('carla', 'wrong-password', address())).status).toBe(401);
    expect((await login('carla', 'carla-long-password', address())).status).toBe(200);
    expect((await login('carla', 'wrong-password', address())).status).toBe(401);
    expect((await login('carla', 'wrong-password', address())).status).toBe(401);
    expect((await login('carla', 'wrong-password', address())).status).toBe(429);

    const from = address();
    await createUser('dave', 'dave-long-password');
    expect((await login('nobody-1', 'wrong-password', from)).status).toBe(401);
    expect((await login('dave', 'dave-long-password', from)).status).toBe(200);
    expect((await login('nobody-2', 'wrong-password', from)).status).toBe(401);
    // Two failures from this address, whatever succeeded in between.
    expect((await login('nobody-3', 'wrong-password', from)).status).toBe(429);
  });

  it('counts attempts sent at once before any of them is checked', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => login('eve', 'wrong-password', address())),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429, 429, 429]);
  });

  it('audits failed and throttled sign-ins with the username and address, never the password', async () => {
    const from = address();
    await login('frank', 'frank-secret-guess-1', from);
    await login('frank', 'frank-secret-guess-2', from);
    await login('frank', 'frank-secret-guess-3', from);
    await login('frank', 'frank-secret-guess-4', from);
    const entries = await auditOf('user:frank');
    expect(JSON.stringify(entries)).not.toContain('frank-secret-guess');
    const failed = entries.filter((e) => e.action === 'auth.login.failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      actor: 'anonymous',
      details: { username: 'frank', address: from },
    });
    // One entry per blocked interval, not one per refused request.
    const throttled = entries.filter((e) => e.action === 'auth.login.throttled');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!.details).toMatchObject({
      username: 'frank',
      address: from,
      blocked: ['username', 'address'],
      reason: 'back-off',
      retryAfterSeconds: 1,
    });
  });

  it('keeps usernames unique regardless of case, and signs in regardless of case', async () => {
    await createUser('Dora', 'dora-long-password');
    const dup = await t.json('POST', '/api/users', {
      body: { username: 'dORA', role: 'viewer', password: 'dora-long-password' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toBe(
      'A user named "Dora" already exists (usernames do not differ by case alone)',
    );
    expect((await login('dora', 'dora-long-password', address())).status).toBe(200);
    const ok = await login('DORA', 'dora-long-password', address());
    expect(ok.body).toMatchObject({ name: 'Dora' });
    // The database refuses it too, whoever writes.
    await expect(
      db.query(
        `INSERT INTO "User" ("id", "username", "role", "passwordHash", "createdBy")
         VALUES ('x', 'DORA', 'viewer', 'x', 'test')`,
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('refuses short and common passwords, naming the field and the reason', async () => {
    const short = await t.json('POST', '/api/users', {
      body: { username: 'gina', role: 'viewer', password: 'short-pass' },
    });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([
      { path: 'password', message: 'must be at least 12 characters' },
    ]);
    const common = await t.json('POST', '/api/users', {
      body: { username: 'gina', role: 'viewer', password: 'Password1234' },
    });
    expect(common.status).toBe(400);
    expect(common.body.errors).toEqual([
      {
        path: 'password',
        message: 'is one of the most common passwords, which are guessed first; choose another',
      },
    ]);
    expect(common.body.detail).toMatch(/^The request body is invalid: password: /);
    expect(passwordWeakness('correct horse battery staple')).toBeUndefined();
    // Twelve characters as people count them, not UTF-16 units.
    expect(passwordWeakness('🔑🔑🔑🔑🔑🔑')).toMatch(/at least 12/);
  });

  it('takes as long for an unknown username as for a wrong password', async () => {
    const known = Array.from({ length: 5 }, (_, i) => `timing-${i}`);
    for (const name of known) await createUser(name, `${name}-long-password`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const time = async (username: string) => {
      const started = performance.now();
      const res = await login(username, 'wrong-password', address());
      expect(res.status).toBe(401);
      return performance.now() - started;
    };
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < known.length; i++) {
      knownTimes.push(await time(known[i]!));
      unknownTimes.push(await time(`no-such-user-${i}`));
    }
    const ratio = median(knownTimes) / median(unknownTimes);
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });
});

describe('login protection rules', () => {
  const rules = {
    freeAttempts: 2,
    maxDelaySeconds: 60,
    lockoutAttempts: 10,
    lockoutMinutes: 15,
    windowMinutes: 15,
  };
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
  const row = (failures: number, lastAttempt: number, lockedUntil: number | null = null) => ({
    key: 'k',
    failures,
    lastAttemptAt: at(lastAttempt),
    lockedUntil: lockedUntil === null ? null : at(lockedUntil),
    throttledAt: null,
  });

  it('doubles the wait after each failure past the free ones, up to the cap', () => {
    const waits = [2, 3, 4, 5, 6, 7, 8, 9].map((failures) => {
      const d = decide('k', row(failures, 0), at(0), rules);
      return 'blockedUntil' in d ? (d.blockedUntil.getTime() - at(0).getTime()) / 1000 : 0;
    });
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('locks at the lockout count, and forgets after the lockout or an idle window', () => {
    const d = decide('k', row(9, 0), at(61), rules);
    expect('next' in d && d.next).toMatchObject({ failures: 10, lockedUntil: at(61 + 900) });
    expect(decide('k', row(10, 0, 900), at(899), rules)).toMatchObject({ reason: 'lockout' });
    expect(decide('k', row(10, 0, 900), at(900), rules)).toMatchObject({
      next: { failures: 1, lockedUntil: null },
    });
    expect(decide('k', row(5, 0), at(15 * 60 + 1), rules)).toMatchObject({
      next: { failures: 1 },
    });
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('ip:2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe(addressKey('2001:0db8:0001:0002:ffff::1'));
    expect(addressKey('fe80::1%eth0')).toBe('ip:fe80:0:0:0::/64');
    expect(addressKey('::ffff:10.1.2.3')).toBe('ip:10.1.2.3');
    expect(addressKey('10.1.2.3')).toBe('ip:10.1.2.3');
  });

  it('checks the settings when the engine starts', () => {
    expect(() => loadConfig({ SWITCHBOARD_ADMIN_PASSWORD: 'password1234' })).toThrow(
      /SWITCHBOARD_ADMIN_PASSWORD: is one of the most common passwords/,
    );
    expect(() => loadConfig({ SWITCHBOARD_ADMIN_PASSWORD: 'eleven-char' })).toThrow(
      /SWITCHBOARD_ADMIN_PASSWORD: must be at least 12 characters/,
    );
    expect(() =>
      loadConfig({ SWITCHBOARD_LOGIN_FREE_ATTEMPTS: '5', SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS: '5' }),
    ).toThrow(ConfigError);
    expect(loadConfig({}).login).toEqual({
      freeAttempts: 5,
      maxDelaySeconds: 60,
      lockoutAttempts: 20,
      lockoutMinutes: 15,
      windowMinutes: 15,
    });
  });
});

describe('the login-protection migration on a database with users differing only by case', () => {
  const url = useTestDatabase({ migrate: false });
  const all = loadConfig({}).migrationsDir;
  let before: string;
  beforeAll(() => {
    before = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(all, before, {
      recursive: true,
      filter: (src) => !src.includes('20261201120000_login_protection'),
    });
  });
  afterAll(() => rmSync(before, { recursive: true, force: true }));

  it('renames the younger ones (audited) rather than failing to start', async () => {
    await migrate(url(), before);
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO "User" ("id", "username", "role", "passwordHash", "createdBy", "createdAt")
         VALUES ('11111111-a', 'admin', 'admin', 'x', 'system', '2026-01-01'),
                ('22222222-b', 'ADMIN', 'viewer', 'x', 'admin', '2026-01-02')`,
      );
      await migrate(url(), all);
      const users = await client.query(`SELECT "username" FROM "User" ORDER BY "createdAt"`);
      expect(users.rows.map((r) => r.username)).toEqual(['admin', 'ADMIN-dup-22222222']);
      const audit = await client.query(`SELECT "action", "target", "details" FROM "AuditLog"`);
      expect(audit.rows).toEqual([
        {
          action: 'user.rename',
          target: 'user:ADMIN-dup-22222222',
          details: { from: 'ADMIN', reason: 'usernames are unique regardless of case' },
        },
      ]);
    } finally {
      await client.end();
    }
  });
});
