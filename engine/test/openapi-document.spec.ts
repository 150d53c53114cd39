import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';

/**
 * The designer's API types are generated from engine/openapi.json, so the committed document has
 * to be what the engine serves; `npm run api -w designer` rewrites it (and the types).
 */
describe('engine/openapi.json', () => {
  const t = useEngine();

  it('is the document the engine serves', async () => {
    const served = await t.json('GET', '/api/docs/openapi.json', { as: 'anonymous' });
    expect(served.status).toBe(200);
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'),
    );
    const stale = 'engine/openapi.json is out of date: run `npm run api -w designer`';
    expect(committed, stale).toEqual(served.body);
    // Key order too: it decides the order of the generated types.
    expect(JSON.stringify(committed), stale).toBe(JSON.stringify(served.body));
  });
});
