import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '@switchboard/flow';
import { generateFlow } from '../../bench/generate.js';
import { nodeGeometry } from '../../src/editor/node-geometry.js';
import { ensureUser, importFlow, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { repoDir } from './environment.js';

/**
 * Large flows in real Chromium. The canvas gives React Flow every node's size and handles before
 * it is drawn (node-geometry.ts), so a large flow opens without mounting its nodes off screen;
 * that only holds while the figures match the browser's layout of designer.css, which the first
 * test checks node by node. Far out, a large flow's nodes are drawn on one canvas (FarNodes).
 */
const ANALYST = { username: 'gita', password: 'gita-password-1', role: 'editor' };

/** The canvas's zoom and translation once they stopped changing. */
async function settledViewport(canvas: Locator): Promise<{ x: number; y: number; zoom: number }> {
  const read = () =>
    canvas.evaluate((root) => {
      const m = new DOMMatrix(
        getComputedStyle(root.querySelector('.react-flow__viewport')!).transform,
      );
      return { x: m.e, y: m.f, zoom: m.a };
    });
  let last = await read();
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const now = await read();
    if (now.x === last.x && now.y === last.y && now.zoom === last.zoom) return now;
    last = now;
  }
  throw new Error('the viewport did not settle');
}

describe.skipIf(skipBrowserTests)('large flows on the canvas', () => {
  const browser = useBrowser();

  it('lays every kind of node out where node-geometry says: box and handles', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    const example = JSON.parse(
      await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'),
    ) as FlowDocument;
    const id = await importFlow({ ...example, name: 'Geometry (browser test)' });
    const { page } = await browser.open('analyst');
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.goto(`/#/flows/${encodeURIComponent(id)}`);
    const canvas = page.getByRole('region', { name: 'Flow canvas' });
    await canvas
      .locator('.react-flow__node')
      .nth(example.nodes.length - 1)
      .waitFor();
    await settledViewport(canvas);
    const laidOut = await canvas.evaluate((root) => {
      const zoom = new DOMMatrix(
        getComputedStyle(root.querySelector('.react-flow__viewport')!).transform,
      ).a;
      return [...root.querySelectorAll<HTMLElement>('.react-flow__node')].map((node) => {
        const box = node.getBoundingClientRect();
        return {
          id: node.dataset.id!,
          width: Math.round(box.width / zoom),
          height: Math.round(box.height / zoom),
          handles: [...node.querySelectorAll<HTMLElement>('.react-flow__handle')].map((h) => {
            const r = h.getBoundingClientRect();
            return {
              id: h.dataset.handleid,
              x: Math.round((r.left - box.left) / zoom),
              y: Math.round((r.top - box.top) / zoom),
            };
          }),
        };
      });
    });
    expect(laidOut).toHaveLength(example.nodes.length);
    // Trigger, answers, menu (5 outcomes), plays, transfers, hang-ups: the shapes in the example.
    const shapes = new Set<number>();
    for (const shown of laidOut) {
      const node = example.nodes.find((n) => n.id === shown.id)!;
      const g = nodeGeometry({
        type: node.type,
        typeVersion: node.typeVersion,
        config: node.config,
      });
      shapes.add(g.handles.length);
      expect({ width: shown.width, height: shown.height }, shown.id).toEqual({
        width: g.initialWidth,
        height: g.initialHeight,
      });
      expect(
        [...shown.handles].sort((a, b) => String(a.id).localeCompare(String(b.id))),
        shown.id,
      ).toEqual(
        g.handles
          .map((h) => ({ id: h.id, x: h.x, y: h.y }))
          .sort((a, b) => String(a.id).localeCompare(String(b.id))),
      );
    }
    expect(shapes.size).toBeGreaterThanOrEqual(4);
  });

  it('opens 1,000 nodes mounting only those in view, fits them, draws them far out and selects one by click', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    const big = generateFlow(1000, 1500);
    const id = await importFlow({ ...big, name: 'Large flow (browser test)' });
    const { page } = await browser.open('analyst');
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page, ANALYST.username, ANALYST.password);
    // The most nodes mounted at once while the flow opens (the app is one page: the observer
    // stays through the navigation).
    await page.evaluate(`window.__mostNodes = 0;
      new MutationObserver(() => {
        const n = document.querySelectorAll('.react-flow__node').length;
        if (n > window.__mostNodes) window.__mostNodes = n;
      }).observe(document, { childList: true, subtree: true });`);
    await page.goto(`/#/flows/${encodeURIComponent(id)}`);
    const canvas = page.getByRole('region', { name: 'Flow canvas' });
    await canvas.locator('.react-flow__node').first().waitFor();
    await settledViewport(canvas);
    const most = await page.evaluate(
      () => (window as unknown as { __mostNodes: number }).__mostNodes,
    );
    console.log(`opening 1,000 nodes mounted at most ${most}`);
    expect(most).toBeLessThan(100);

    // Zoom to fit resolves although most nodes were never drawn (it used to wait for all).
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    const fitted = await settledViewport(canvas);
    expect(fitted.zoom).toBeLessThan(0.4);
    await canvas.locator('canvas.sb-far-nodes').waitFor();
    expect(await canvas.locator('.react-flow__node').count()).toBe(0);

    // A click on a drawn box selects its node: React Flow renders that one again.
    const frame = (await canvas.boundingBox())!;
    const target = big.nodes[41]!; // second row, second column: clear of the panels
    await page.mouse.click(
      frame.x + fitted.x + (target.position.x + 100) * fitted.zoom,
      frame.y + fitted.y + (target.position.y + 20) * fitted.zoom,
    );
    const selected = canvas.locator('.react-flow__node.selected');
    await selected.waitFor();
    expect(await selected.getAttribute('data-id')).toBe(target.id);
    expect(await canvas.locator('.react-flow__node').count()).toBe(1);
  });

  it('puts a node dropped onto the minimap beside it, where it can be grabbed', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    const id = await importFlow({
      schemaVersion: 1,
      name: 'Drop by the minimap (browser test)',
      nodes: [],
      edges: [],
    });
    const { page } = await browser.open('analyst');
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.goto(`/#/flows/${encodeURIComponent(id)}`);
    const canvas = page.getByRole('region', { name: 'Flow canvas' });
    const minimap = canvas.locator('.react-flow__minimap');
    await minimap.waitFor();
    const panel = (await minimap.boundingBox())!;
    const frame = (await canvas.boundingBox())!;
    await page.getByRole('button', { name: 'Play', exact: true }).dragTo(canvas, {
      targetPosition: {
        x: panel.x - frame.x + panel.width / 2,
        y: panel.y - frame.y + panel.height / 2,
      },
    });
    const dropped = canvas.locator('.react-flow__node');
    await dropped.waitFor();
    const box = (await dropped.boundingBox())!;
    const overlaps =
      box.x < panel.x + panel.width &&
      box.x + box.width > panel.x &&
      box.y < panel.y + panel.height &&
      box.y + box.height > panel.y;
    expect(overlaps, JSON.stringify({ box, panel })).toBe(false);
    expect(box.x).toBeGreaterThanOrEqual(frame.x);
    // Grabbed and moved like any node.
    await dropped.hover({ position: { x: 20, y: 10 } });
    await page.mouse.down();
    await page.mouse.move(box.x - 200, box.y - 200, { steps: 6 });
    await page.mouse.up();
    expect((await dropped.boundingBox())!.x).toBeLessThan(box.x - 100);
  });
});
