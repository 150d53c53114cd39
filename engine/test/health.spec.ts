import { describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';

describe('health and docs', () => {
  const t = useEngine();

  it('answers /health with the database state', async () => {
    const res = await t.json('GET', '/health', { as: 'anonymous' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await t.json('GET', '/api/docs/openapi.json', { as: 'anonymous' });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/health', '/api/auth/login', '/api/users', '/api/tokens']),
    );
    const ui = await t.request('GET', '/api/docs', { as: 'anonymous' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('answers unknown API routes with a problem', async () => {
    const res = await t.request('GET', '/api/nope', { as: 'anonymous' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
