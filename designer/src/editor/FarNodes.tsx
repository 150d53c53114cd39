import { useStoreApi } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { nodeTitle } from './accessible-names.js';
import { useEditorStore } from './context.js';
import { NODE_WIDTH } from './node-geometry.js';
import type { DesignerEdge, DesignerNode } from './store.js';

/** Below this size on screen a label cannot be read: the box is drawn without it. */
const MIN_LABEL_PX = 4;

/**
 * A large flow zoomed far out: its nodes drawn on one canvas, the far-out look of FlowNodeView
 * (the box, and the label in the zoom band's large type, on two lines at most) without a React
 * Flow node, its handles and their store subscriptions per node. At the whole of a 5,000-node
 * flow, React Flow kept about 2,000 nodes mounted and repainted them all on every pan frame.
 * Each frame draws only the boxes in view. The nodes React Flow still renders (selected, on a
 * run's path) are left out here. Clicking a box selects its node (FlowCanvas, `farNodeAt`).
 */
function FarNodesInner({ nodes, band }: { nodes: DesignerNode[]; band: number }) {
  const flow = useStoreApi<DesignerNode, DesignerEdge>();
  const editor = useEditorStore();
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const style = bandStyle(el, band);
    const lines = new Map<string, string[]>();
    let frame = 0;
    const draw = () => {
      frame = 0;
      const { transform, width, height } = flow.getState();
      const [tx, ty, zoom] = transform;
      const ratio = window.devicePixelRatio || 1;
      if (el.width !== Math.round(width * ratio) || el.height !== Math.round(height * ratio)) {
        el.width = Math.round(width * ratio);
        el.height = Math.round(height * ratio);
      }
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const issues = editor.getState().nodeIssues;
      const fontPx = style.fontSize * zoom;
      const withLabels = fontPx >= MIN_LABEL_PX;
      ctx.font = `${style.fontWeight} ${fontPx}px ${style.fontFamily}`;
      ctx.textBaseline = 'top';
      ctx.lineWidth = 1;
      for (const n of nodes) {
        if (!n.hidden) continue; // rendered by React Flow
        const w = (n.measured?.width ?? NODE_WIDTH) * zoom;
        const h = (n.measured?.height ?? n.initialHeight ?? 0) * zoom;
        const x = n.position.x * zoom + tx;
        const y = n.position.y * zoom + ty;
        if (x > width || y > height || x + w < 0 || y + h < 0) continue;
        const error = issues[n.id]?.some((i) => i.severity === 'error');
        ctx.fillStyle = n.data.diff ? style.diff[n.data.diff] : style.background;
        ctx.fillRect(x, y, w, h);
        ctx.strokeStyle = error ? style.error : style.border;
        ctx.lineWidth = error ? Math.max(1, 4 * zoom) : 1;
        ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
        if (!withLabels) continue;
        const title = nodeTitle(n.data);
        let wrapped = lines.get(title);
        if (!wrapped) {
          wrapped = wrap(ctx, title, (NODE_WIDTH - 16) * zoom);
          lines.set(title, wrapped);
        }
        ctx.fillStyle = style.color;
        wrapped.forEach((line, i) =>
          ctx.fillText(line, x + 8 * zoom, y + 4 * zoom + i * fontPx * 1.1, w - 16 * zoom),
        );
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    schedule();
    const unsubscribe = flow.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height)
        schedule();
    });
    const unsubscribeIssues = editor.subscribe((s, prev) => {
      if (s.nodeIssues !== prev.nodeIssues) schedule();
    });
    return () => {
      cancelAnimationFrame(frame);
      unsubscribe();
      unsubscribeIssues();
    };
  }, [flow, editor, nodes, band]);

  return <canvas ref={canvas} className="sb-far-nodes" aria-hidden="true" />;
}

export const FarNodes = memo(FarNodesInner);

/**
 * The far-out node look as designer.css gives it for this zoom band (label type, colours), read
 * from a detached copy of the classes so the canvas and the nodes cannot drift apart.
 */
function bandStyle(el: HTMLElement, band: number) {
  const probe = document.createElement('div');
  probe.className = `sb-zoom-${band} sb-canvas--far`;
  probe.style.cssText = 'position:absolute;visibility:hidden;pointer-events:none';
  probe.innerHTML =
    '<div class="sb-node"><div class="sb-node__overview"></div></div>' +
    '<div class="sb-node sb-node--error"></div>' +
    '<div class="sb-node sb-diff--added"></div><div class="sb-node sb-diff--removed"></div>' +
    '<div class="sb-node sb-diff--changed"></div>';
  el.parentElement?.appendChild(probe);
  const [plain, error, added, removed, changed] = [...probe.children].map((c) =>
    getComputedStyle(c),
  ) as CSSStyleDeclaration[];
  const label = getComputedStyle(probe.querySelector('.sb-node__overview')!);
  const style = {
    fontSize: parseFloat(label.fontSize) || 60,
    fontWeight: label.fontWeight,
    fontFamily: label.fontFamily,
    color: label.color,
    background: plain!.backgroundColor,
    border: plain!.borderTopColor,
    error: error!.borderTopColor,
    diff: {
      added: added!.backgroundColor,
      removed: removed!.backgroundColor,
      changed: changed!.backgroundColor,
    },
  };
  probe.remove();
  return style;
}

/** The label on two lines at most, broken at spaces, the second cut with an ellipsis. */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const words = text.split(/\s+/);
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width <= width || !line) {
      line = next;
      continue;
    }
    out.push(line);
    line = word;
    if (out.length === 1) continue;
  }
  if (line) out.push(line);
  if (out.length <= 2) return out;
  let second = out.slice(1).join(' ');
  while (second.length > 1 && ctx.measureText(`${second}…`).width > width)
    second = second.slice(0, -1);
  return [out[0]!, `${second}…`];
}
