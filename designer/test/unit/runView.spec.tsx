import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { act, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunDetail } from '../../src/api/client.js';
import {
  createPathOverlayStore,
  PathOverlayProvider,
  useDecoratedElements,
} from '../../src/calls/pathOverlay.js';
import { RunPage } from '../../src/calls/RunPage.js';
import { computePath } from '../../src/calls/runPath.js';
import { createEditorStore, type DesignerEdge, type DesignerNode } from '../../src/editor/store.js';
import { mainIvr, runDetail, simulate, supportCall, TUESDAY_10_LA } from './support/runs.js';
import { renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';

/** The engine's answers for one run (unit tests only; the browser tests talk to the real engine). */
function serve(detail: RunDetail) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    const body = url.endsWith('/document') ? mainIvr : detail;
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe('the run view', () => {
  it('shows the path, the steps, and the variables after a selected step', async () => {
    const { steps, state } = simulate(mainIvr, TUESDAY_10_LA, supportCall);
    serve(runDetail(steps, state));
    render(
      <FluentProvider theme={webLightTheme}>
        <RunPage runId="run-1" />
      </FluentProvider>,
    );
    const list = await screen.findByRole('listbox', { name: 'Steps' });
    const rows = within(list).getAllByRole('option');
    expect(rows).toHaveLength(5);
    expect(rows[2]!.textContent).toContain('RecognizeCompleted');
    expect(rows[2]!.textContent).toContain('Main menu');
    expect(rows[2]!.textContent).toContain('2 · Support');
    expect(rows[0]!.textContent).toContain('Incoming call');
    expect(rows[2]!.textContent).toContain('addParticipant');
    await act(async () => rows[2]!.click());
    expect(screen.getByRole('region', { name: 'Variables after step 2' })).toBeTruthy();
    expect(screen.getAllByText('Ended: Completed').length).toBeGreaterThan(0);
  });

  it('renders a run of 1,000 steps, mounting only the rows in view', async () => {
    const { steps, state } = simulate(mainIvr, TUESDAY_10_LA, supportCall);
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...steps[i % steps.length]!, seq: i }));
    serve(runDetail(many, state));
    const t0 = performance.now();
    render(
      <FluentProvider theme={webLightTheme}>
        <RunPage runId="run-1" />
      </FluentProvider>,
    );
    const list = await screen.findByRole('listbox', { name: 'Steps' });
    await screen.findByText('Steps (1000)');
    console.log(`run view of 1,000 steps in jsdom: ${Math.round(performance.now() - t0)} ms`);
    const mounted = within(list).getAllByRole('option');
    expect(mounted.length).toBeLessThan(100);
    expect(mounted[0]!.getAttribute('aria-setsize')).toBe('1000');
  });
});

describe('path decorations on canvas elements', () => {
  it('copies only the marked nodes and edges, and reuses a copy while its mark stays', () => {
    const store = createEditorStore(mainIvr, { readOnly: true });
    const overlay = createPathOverlayStore();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <PathOverlayProvider value={overlay}>{children}</PathOverlayProvider>
    );
    const { nodes, edges } = store.getState();
    const { result } = renderHook(
      ({ n, e }: { n: DesignerNode[]; e: DesignerEdge[] }) => useDecoratedElements(n, e),
      { wrapper, initialProps: { n: nodes, e: edges } },
    );
    expect(result.current.nodes).toBe(nodes);

    const two = simulate(mainIvr, TUESDAY_10_LA, supportCall.slice(0, 1));
    act(() => overlay.getState().setPath(computePath(two.steps, mainIvr.edges)));
    const first = result.current;
    const hours = first.nodes.find((n) => n.id === 'hours')!;
    expect(hours.className).toContain('sb-path-node--visited');
    expect(first.nodes.find((n) => n.id === 'sales')).toBe(nodes.find((n) => n.id === 'sales'));
    expect(first.edges.find((e) => e.id === 'hours.open')!.label).toBe('2 · IncomingCall');
    // The store's objects are left alone.
    expect(nodes.find((n) => n.id === 'hours')!.className).toBeUndefined();

    const three = simulate(mainIvr, TUESDAY_10_LA, supportCall.slice(0, 2));
    act(() => overlay.getState().setPath(computePath(three.steps, mainIvr.edges)));
    const second = result.current;
    // hours kept its mark: the same copy, so React Flow does not re-render it
    expect(second.nodes.find((n) => n.id === 'hours')).toBe(hours);
    expect(second.nodes.find((n) => n.id === 'menu')).not.toBe(
      first.nodes.find((n) => n.id === 'menu'),
    );
    expect(second.nodes.find((n) => n.id === 'support')!.className).toContain(
      'sb-path-node--current',
    );

    act(() => overlay.getState().setPath(null));
    expect(result.current.nodes).toBe(nodes);
    expect(result.current.edges).toBe(edges);
  });
});
