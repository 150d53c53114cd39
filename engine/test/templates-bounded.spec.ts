import { describe, expect, it } from 'vitest';
import { validFlow } from './fixtures.js';
import { useEngine } from './engine.js';

/** A draft the validator refuses never makes the API answer 500 (it used to throw in validateFlow). */
describe('drafts with templates that would read files', () => {
  const t = useEngine();

  it.each(['include', 'render', 'layout'])(
    '{%% %s %%}: saved and loaded, validate lists it, publish and test calls answer 422',
    async (tag) => {
      const doc = validFlow(`uses ${tag}`);
      doc.nodes.push({
        id: 'hello',
        type: 'media.play',
        position: { x: 0, y: 400 },
        config: { text: `Hello {% ${tag} 'greeting' %}` },
      });
      doc.edges[1] = { id: 'e2', source: 'answer', sourceOutcome: 'connected', target: 'hello' };
      const created = await t.json('POST', '/api/flows', {
        body: { name: doc.name, document: doc },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect((await t.json('GET', `/api/flows/${id}`)).status).toBe(200);
      const validated = await t.json('POST', `/api/flows/${id}/validate`, { body: {} });
      expect(validated.status).toBe(200);
      expect(validated.body.issues).toContainEqual(
        expect.objectContaining({
          severity: 'error',
          nodeId: 'hello',
          message: expect.stringContaining(`{% ${tag} %} is not available`),
        }),
      );
      const published = await t.json('POST', `/api/flows/${id}/publish`, { body: {} });
      expect(published.status).toBe(422);
      expect(published.body.errors[0].path).toBe('nodes[4].config.text');
      const tested = await t.json('POST', `/api/flows/${id}/test-calls`, { body: {} });
      expect(tested.status).toBe(422);
    },
  );
});
