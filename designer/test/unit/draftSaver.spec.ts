import type { FlowDocument, Scenario } from '@switchboard/flow';
import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEditorStore } from '../../src/editor/store.js';
import { useDraftSaver } from '../../src/editor/useDraftSaver.js';
import { mainIvr } from './support/runs.js';

const fromCall: Scenario = {
  name: 'Call from +15551230000',
  inputs: [{ node: 'menu', digits: '2' }],
  expect: { endNode: 'leave', endReason: 'completed' },
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A server holding the draft at revision 1, then (Save as test on a call) revision 2 with a
 * scenario appended — or, with `otherChange`, someone's other edit. Records every draft saved.
 */
function server(options: { otherChange?: boolean; sameField?: boolean } = {}) {
  let revision = 2;
  let draft: FlowDocument = {
    ...mainIvr,
    ...(options.otherChange ? { name: 'Renamed elsewhere' } : {}),
    ...(options.sameField
      ? { nodes: mainIvr.nodes.map((n) => (n.id === 'menu' ? { ...n, label: 'Their menu' } : n)) }
      : {}),
    scenarios: [...mainIvr.scenarios!, fromCall],
  };
  const saves: FlowDocument[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (init?.method === 'PUT' && url.endsWith('/draft')) {
        const ifMatch = (init.headers as Record<string, string>)['if-match'];
        if (Number(ifMatch) !== revision) {
          return json({ title: 'Conflict', status: 409, revision, updatedBy: 'sam' }, 409);
        }
        draft = JSON.parse(String(init.body)) as FlowDocument;
        saves.push(draft);
        return json({ revision: ++revision });
      }
      if (url.endsWith('/api/flows/f1')) return json({ id: 'f1', draft, revision, versions: [] });
      return json({ title: 'Not found', status: 404 }, 404);
    }),
  );
  return { saves, revision: () => revision };
}

afterEach(() => vi.unstubAllGlobals());

function open() {
  const store = createEditorStore(mainIvr);
  const merged = vi.fn();
  const draftMerged = vi.fn();
  const hook = renderHook(() =>
    useDraftSaver(store, 'f1', { revision: 1, document: mainIvr }, true, merged, draftMerged),
  );
  return { store, merged, draftMerged, hook };
}

describe('the autosaver and scenarios added on the server', () => {
  it('takes in a scenario saved from a call instead of calling the refused save a conflict', async () => {
    const { saves } = server();
    const { store, merged, hook } = open();
    store.getState().updateLabel('menu', 'Menu');
    let ok = false;
    await act(async () => {
      ok = await hook.result.current.save();
    });
    expect(ok).toBe(true);
    expect(hook.result.current.conflict).toBeNull();
    expect(hook.result.current.status).toBe('saved');
    expect(merged).toHaveBeenCalledWith([fromCall]);
    // Saved at the new revision: my edit and their scenario, neither lost.
    expect(saves).toHaveLength(1);
    expect(saves[0]!.nodes.find((n) => n.id === 'menu')!.label).toBe('Menu');
    expect(saves[0]!.scenarios!.at(-1)).toEqual(fromCall);
    // Undoing my edit keeps their scenario.
    act(() => store.getState().undo());
    expect(store.getState().toDocument().scenarios!.at(-1)).toEqual(fromCall);
  });

  it('picks the new revision up on sync, with nothing to save when nothing was edited', async () => {
    const { saves } = server();
    const { store, hook } = open();
    await act(async () => hook.result.current.sync());
    expect(store.getState().toDocument().scenarios!.at(-1)).toEqual(fromCall);
    expect(hook.result.current.status).toBe('saved');
    expect(hook.result.current.currentRevision()).toBe(2);
    expect(hook.result.current.dirty()).toBe(false);
    expect(saves).toHaveLength(0);
  });

  it('merges someone else’s change to another field and saves both, without a conflict', async () => {
    const { saves } = server({ otherChange: true });
    const { store, draftMerged, hook } = open();
    store.getState().updateLabel('menu', 'Menu');
    await act(async () => {
      await hook.result.current.save();
    });
    expect(hook.result.current.conflict).toBeNull();
    expect(hook.result.current.status).toBe('saved');
    expect(draftMerged).toHaveBeenCalledTimes(1);
    expect(saves).toHaveLength(1);
    expect(saves[0]!.name).toBe('Renamed elsewhere');
    expect(saves[0]!.nodes.find((n) => n.id === 'menu')!.label).toBe('Menu');
    expect(saves[0]!.scenarios!.at(-1)).toEqual(fromCall);
  });

  it('reports a conflict, with both values, when the same field changed; the choice is saved', async () => {
    const { saves } = server({ sameField: true });
    const { store, merged, hook } = open();
    store.getState().updateLabel('menu', 'Menu');
    await act(async () => {
      await hook.result.current.save();
    });
    expect(hook.result.current.status).toBe('conflict');
    const conflict = hook.result.current.conflict!;
    expect(conflict).toMatchObject({ revision: 2 });
    expect(conflict.conflicts).toEqual([
      expect.objectContaining({ field: 'Label', mine: 'Menu', theirs: 'Their menu' }),
    ]);
    expect(merged).not.toHaveBeenCalled();
    expect(saves).toHaveLength(0);
    await act(async () => {
      await hook.result.current.resolve({ [conflict.conflicts[0]!.key]: 'theirs' });
    });
    expect(hook.result.current.status).toBe('saved');
    expect(saves).toHaveLength(1);
    expect(saves[0]!.nodes.find((n) => n.id === 'menu')!.label).toBe('Their menu');
  });
});
