import { describe, expect, it } from 'vitest';
import { useEngine } from './engine.js';
import { validFlow } from './fixtures.js';

describe('presence: who has a flow open in an editor', () => {
  const t = useEngine();

  it('answers the other tabs, marks the caller’s own as self, forgets a tab that left, and names bad input', async () => {
    const flow = await t.json('POST', '/api/flows', {
      as: 'editor',
      body: { name: 'Presence', document: validFlow() },
    });
    const id = flow.body.id as string;
    const beat = (as: 'editor' | 'publisher', tabId: string) =>
      t.json('PUT', `/api/flows/${id}/presence`, { as, body: { tabId } });

    const first = await beat('editor', 'tab-editor-1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ items: [], nextCursor: null });

    await beat('publisher', 'tab-publisher-1');
    const second = await beat('editor', 'tab-editor-2');
    expect(
      second.body.items.map((p: { userName: string; tabId: string; self: boolean }) => [
        p.userName,
        p.tabId,
        p.self,
      ]),
    ).toEqual([
      ['publisher', 'tab-publisher-1', false],
      ['editor', 'tab-editor-1', true],
    ]);

    // A tab id is its first user's: another user's beat with it does not take it over.
    await beat('publisher', 'tab-editor-1');
    const again = await beat('editor', 'tab-editor-2');
    expect(
      again.body.items.find((p: { tabId: string }) => p.tabId === 'tab-editor-1').userName,
    ).toBe('editor');

    const left = await t.json('DELETE', `/api/flows/${id}/presence/tab-editor-1`, {
      as: 'editor',
    });
    expect(left.status).toBe(204);
    const after = await beat('publisher', 'tab-publisher-1');
    expect(after.body.items.map((p: { tabId: string }) => p.tabId)).toEqual(['tab-editor-2']);

    const bad = await t.json('PUT', `/api/flows/${id}/presence`, {
      as: 'editor',
      body: { tabId: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('tabId');
    const missing = await t.json('PUT', '/api/flows/no-such-flow/presence', {
      as: 'editor',
      body: { tabId: 'tab-editor-1' },
    });
    expect(missing.status).toBe(404);
    const viewer = await t.json('PUT', `/api/flows/${id}/presence`, {
      as: 'viewer',
      body: { tabId: 'tab-viewer-1' },
    });
    expect(viewer.status).toBe(403);
  });
});
