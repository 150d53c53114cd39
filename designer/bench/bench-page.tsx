import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ReactFlowProvider, useReactFlow, type Viewport } from '@xyflow/react';
import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import '../src/designer.css';
import { useSession } from '../src/app/session.js';
import { EditorStoreProvider } from '../src/editor/context.js';
import { Editor } from '../src/editor/EditorPage.js';
import { createEditorStore } from '../src/editor/store.js';
import { generateFlow } from './generate.js';

declare global {
  interface Window {
    benchResult?: {
      openMs: number;
      renderMs: number;
      nodes: number;
      edges: number;
      rendered: number;
    };
    /** Animates the viewport through `frames` steps, one per animation frame; resolves with the frame times (ms). */
    benchAnimate?: (from: Viewport, to: Viewport, frames: number) => Promise<number[]>;
    benchFit?: () => Promise<Viewport>;
  }
}

/** The real editor (palette, canvas, problems, properties) on a generated flow, with no engine. */
const renderStart = performance.now();
const params = new URLSearchParams(location.search);
const document_ = generateFlow(
  Number(params.get('nodes') ?? 1000),
  Number(params.get('edges') ?? 1500),
);
const store = createEditorStore(document_);
useSession.setState({ status: 'authenticated', me: { name: 'bench', role: 'viewer' } });

function Ready() {
  const flow = useReactFlow();
  useEffect(() => {
    window.benchFit = async () => {
      await flow.fitView();
      return flow.getViewport();
    };
    window.benchAnimate = (from, to, frames) =>
      new Promise((resolve) => {
        const times: number[] = [];
        let i = 0;
        let last = 0;
        const tick = (t: number) => {
          if (last) times.push(t - last);
          last = t;
          if (i > frames) return resolve(times);
          const k = i / frames;
          void flow.setViewport({
            x: from.x + (to.x - from.x) * k,
            y: from.y + (to.y - from.y) * k,
            zoom: from.zoom * Math.pow(to.zoom / from.zoom, k),
          });
          i++;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
  }, [flow]);
  useEffect(() => {
    // Ready when the nodes in view are on screen and measured (React Flow hides a node until it
    // has measured it); nodes outside the view are not rendered at all.
    const check = () => {
      const rendered = document.querySelectorAll<HTMLElement>('.react-flow__node');
      const hidden = [...rendered].some((n) => n.style.visibility === 'hidden');
      if (rendered.length === 0 || hidden) {
        requestAnimationFrame(check);
        return;
      }
      requestAnimationFrame(() => {
        const now = performance.now();
        window.benchResult = {
          openMs: now,
          renderMs: now - renderStart,
          nodes: document_.nodes.length,
          edges: document_.edges.length,
          rendered: rendered.length,
        };
      });
    };
    requestAnimationFrame(check);
  }, []);
  return null;
}

createRoot(document.getElementById('root')!).render(
  <FluentProvider theme={webLightTheme}>
    <div className="sb-root">
      <EditorStoreProvider store={store}>
        <ReactFlowProvider>
          <Editor
            flow={{
              id: 'bench',
              name: document_.name,
              description: '',
              draft: document_,
              revision: 1,
              latestVersion: null,
              versions: [],
              createdAt: new Date(0).toISOString(),
              createdBy: 'bench',
              updatedAt: new Date(0).toISOString(),
              updatedBy: 'bench',
              archivedAt: null,
            }}
            store={store}
            version={undefined}
          />
          <Ready />
        </ReactFlowProvider>
      </EditorStoreProvider>
    </div>
  </FluentProvider>,
);
