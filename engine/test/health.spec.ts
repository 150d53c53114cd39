import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';

const designerDir = mkdtempSync(join(tmpdir(), 'switchboard-designer-'));
writeFileSync(join(designerDir, 'index.html'), '<!doctype html><title>designer</title>');
mkdirSync(join(designerDir, 'assets'));
writeFileSync(join(designerDir, 'assets', 'app.js'), 'console.log(1)');

describe('health, docs and the designer', () => {
  const t = useEngine({ SWITCHBOARD_DESIGNER_DIR: designerDir });

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

  it('serves the built designer at / with index.html for client-side routes', async () => {
    const html = { accept: 'text/html' };
    for (const path of ['/', '/flows/123/edit']) {
      const res = await t.request('GET', path, { as: 'anonymous', headers: html });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>designer</title>');
    }
    const asset = await t.request('GET', '/assets/app.js', { as: 'anonymous' });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    const api = await t.request('GET', '/api/unknown', { as: 'anonymous', headers: html });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });

  it('documents request and response schemas from the zod schemas', async () => {
    const doc = await t.json('GET', '/api/docs/openapi.json', { as: 'anonymous' });
    const put = doc.body.paths['/api/flows/{id}/draft'].put;
    const body = put.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'name', 'nodes', 'edges']),
    );
    expect(body.additionalProperties).toBe(false);
    expect(put.responses['409'].content['application/problem+json']).toBeDefined();
    expect(put['x-roles']).toEqual(['editor']);
    const list = doc.body.paths['/api/flows'].get;
    expect(list.responses['200'].content['application/json'].schema.properties).toHaveProperty(
      'nextCursor',
    );
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor']),
    );
  });
});
