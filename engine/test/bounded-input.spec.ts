import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { validFlow } from './fixtures.js';
import { useEngine } from './engine.js';

/** Input is bounded before work, and whatever cannot be stored is a 400 naming why — never a 500. */
describe('bounded input', () => {
  const t = useEngine();

  const post = async (path: string, body: string, as: 'admin' | 'anonymous' = 'admin') => {
    const res = await t.request('POST', path, { as, body });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: text ? JSON.parse(text) : undefined,
    };
  };

  const flowBody = (name: string) =>
    JSON.stringify({ name: 'x', document: validFlow('x') }).replace(
      '"name":"x"',
      `"name":"${name}"`,
    );

  it.each([
    ['a NUL character', '\\u0000', /NUL/],
    ['a lone high surrogate', '\\ud800', /lone surrogate/],
    ['a lone low surrogate', 'a\\udc00b', /lone surrogate/],
  ])('%s in a string: 400 naming it, nothing stored', async (_what, escape, message) => {
    const before = (await t.json('GET', '/api/flows')).body.items.length;
    const r = await post('/api/flows', flowBody(`bad${escape}name`));
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/problem\+json/);
    expect(r.body.detail).toMatch(message);
    expect((await t.json('GET', '/api/flows')).body.items.length).toBe(before);
  });

  it('a surrogate pair is Unicode text and fine', async () => {
    const r = await post('/api/flows', flowBody('call \\ud83d\\udcde'));
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('call 📞');
  });

  it('nesting deeper than the limit: 400', async () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    const r = await post('/api/flows', `{"name":"deep","document":${deep}}`);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/nested deeper than 64/);
  });

  it('invalid UTF-8: 400', async () => {
    const res = await fetch(`${t.url}/api/flows`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${(await t.json('POST', '/api/tokens', { body: { name: 'utf8', role: 'admin' } })).body.token}`,
      },
      body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/UTF-8/);
  });

  it('numbers beyond the stored range: 400 naming the field, never 500', async () => {
    const created = await t.json('POST', '/api/flows', {
      body: { name: 'big', document: validFlow('big') },
    });
    const id = created.body.id as string;
    const huge = 2 ** 40;
    const version = await t.json('GET', `/api/flows/${id}/versions/${huge}`);
    expect(version.status).toBe(400);
    const rollback = await t.json('POST', `/api/flows/${id}/rollback`, { body: { version: huge } });
    expect(rollback.status).toBe(400);
    expect(rollback.body.errors[0].path).toBe('version');
    const bind = await t.json('PUT', '/api/entry-points/%2B14255550123', {
      body: { flowId: id, version: huge },
    });
    expect(bind.status).toBe(400);
    const runs = await t.json('GET', `/api/runs?version=${huge}`);
    expect(runs.status).toBe(400);
  });

  it('a NUL or a lone surrogate in the URL: 400 naming where, not a 500', async () => {
    for (const path of ['/api/runs?flowId=%00', '/api/flows/a%00b']) {
      const r = await t.json('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.detail).toMatch(/NUL character or is not Unicode text/);
    }
  });

  it('login bodies are limited to 4 KB while read (413 problem)', async () => {
    const r = await post(
      '/api/auth/login',
      JSON.stringify({ username: 'admin', password: 'x'.repeat(5000) }),
      'anonymous',
    );
    expect(r.status).toBe(413);
    expect(r.type).toMatch(/problem\+json/);
  });

  it('an anonymous upload to the API is answered 401 before its body is read', async () => {
    const url = new URL(`${t.url}/api/flows`);
    const answer = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(5 * 1024 * 1024),
          },
        },
        (res) => {
          resolve({ status: res.statusCode ?? 0, sent: req.socket?.bytesWritten ?? 0 });
          res.resume();
          req.destroy();
        },
      );
      req.on('error', (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
      });
      // Only the first 64 KB of the promised 5 MB is ever sent: the answer must not wait for more.
      req.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(answer.status).toBe(401);
    expect(answer.sent).toBeLessThan(1024 * 1024);
  });
});
