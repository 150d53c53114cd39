import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { api, ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { designerDir, repoDir } from './environment.js';

/**
 * Legible by default, at 1280×720 in real Chromium: the example IVR opens at a readable zoom
 * around its trigger, its labels stay legible in the fitted overview and further out (semantic
 * zoom: bigger type, simpler nodes, never empty boxes), and the publish dialog's diff canvas
 * opens readable too. "Legible" is measured, not assumed: the label's computed font size times
 * the canvas's zoom, in screen pixels.
 */
const ANALYST = { username: 'lena', password: 'lena-password-1', role: 'publisher' };
/** The smallest on-screen label size counted as legible. */
const LEGIBLE_PX = 10;

interface Shown {
  id: string;
  /** The label text the node shows at this zoom ('' for an empty box). */
  text: string;
  /** Its font size on screen: computed font size × zoom. */
  px: number;
  /** Whether the node's box is inside the canvas. */
  inView: boolean;
}

/** The canvas's zoom and, per node, the label it shows and how big it is on screen. */
async function readCanvas(canvas: Locator): Promise<{ zoom: number; nodes: Shown[] }> {
  return canvas.evaluate((root) => {
    const viewport = root.querySelector('.react-flow__viewport')!;
    const zoom = new DOMMatrix(getComputedStyle(viewport).transform).a;
    const frame = root.getBoundingClientRect();
    const nodes = [...root.querySelectorAll<HTMLElement>('.react-flow__node')].map((node) => {
      const label =
        node.querySelector<HTMLElement>('.sb-node__overview-label') ??
        node.querySelector<HTMLElement>('.sb-node__label');
      const holder =
        node.querySelector<HTMLElement>('.sb-node__overview') ??
        node.querySelector<HTMLElement>('.sb-node__label');
      const box = node.getBoundingClientRect();
      const visible = Boolean(label && holder && holder.offsetParent !== null);
      return {
        id: node.dataset.id ?? '',
        text: visible ? (label!.textContent ?? '').trim() : '',
        px: visible ? parseFloat(getComputedStyle(holder!).fontSize) * zoom : 0,
        inView:
          box.left >= frame.left &&
          box.right <= frame.right &&
          box.top >= frame.top &&
          box.bottom <= frame.bottom,
      };
    });
    return { zoom, nodes };
  });
}

/** Reads the canvas once its viewport stopped moving (fitting and zooming animate). */
async function settled(canvas: Locator) {
  let last = await readCanvas(canvas);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const now = await readCanvas(canvas);
    if (now.zoom === last.zoom && now.nodes.length === last.nodes.length && now.zoom > 0) {
      return now;
    }
    last = now;
  }
  throw new Error('the canvas did not settle');
}

function expectLegible(nodes: Shown[], labels: Map<string, string>, what: string) {
  for (const n of nodes) {
    expect(n.text, `${what}: ${n.id} shows its label`).toBe(labels.get(n.id));
    expect(n.px, `${what}: ${n.id}'s label on screen (px)`).toBeGreaterThanOrEqual(LEGIBLE_PX);
  }
}

async function zoomOut(page: Page, canvas: Locator) {
  await canvas.getByRole('button', { name: 'Zoom Out' }).click();
  return settled(canvas);
}

describe.skipIf(skipBrowserTests)('legible at any zoom, at 1280×720', () => {
  const browser = useBrowser();

  it('opens the example IVR readable around its trigger, keeps every label legible in the overview and the publish diff', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    const example = JSON.parse(
      await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'),
    ) as { nodes: { id: string; label: string }[] };
    const labels = new Map(example.nodes.map((n) => [n.id, n.label]));
    const { flow } = await api<{ flow: { id: string } }>('POST', '/api/flows/import', {
      ...example,
      name: 'Legible IVR (browser test)',
    });

    await mkdir(join(designerDir, 'test-results'), { recursive: true });
    const { page } = await browser.open('analyst');
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.goto(`/#/flows/${encodeURIComponent(flow.id)}`);
    const canvas = page.getByRole('region', { name: 'Flow canvas' });
    await canvas
      .locator('.react-flow__node')
      .nth(labels.size - 1)
      .waitFor();

    // Opening: the whole flow fits only at about a third, so it opens at 75 % around the trigger.
    const opened = await settled(canvas);
    console.log(`opened at ${(opened.zoom * 100).toFixed(0)} %`);
    expect(opened.zoom).toBeGreaterThanOrEqual(0.75);
    const inView = opened.nodes.filter((n) => n.inView);
    expect(inView.map((n) => n.id)).toContain('incoming');
    expect(inView.length).toBeGreaterThanOrEqual(3);
    expectLegible(inView, labels, 'opened');

    // The overview: zoom to fit shows all 16 nodes, each with its label, legible.
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    const overview = await settled(canvas);
    console.log(`overview at ${(overview.zoom * 100).toFixed(0)} %`);
    expect(overview.zoom).toBeLessThan(0.6);
    expect(overview.nodes.filter((n) => n.inView)).toHaveLength(labels.size);
    expectLegible(overview.nodes, labels, 'overview');
    await page.screenshot({ path: join(designerDir, 'test-results', 'legible-overview.png') });

    // Further out, down to 20 %: bigger type keeps the labels legible.
    let view = overview;
    while (view.zoom > 0.2) {
      view = await zoomOut(page, canvas);
      if (view.zoom < 0.175) break;
      expectLegible(view.nodes, labels, `at ${(view.zoom * 100).toFixed(0)} %`);
    }
    expect(view.zoom).toBeLessThan(0.25);
    await page.screenshot({ path: join(designerDir, 'test-results', 'legible-far.png') });

    // The publish dialog's diff canvas (first version: every node added) opens readable as well.
    await page.getByRole('button', { name: 'Publish' }).click();
    const diff = page.getByRole('region', { name: 'Changes on the canvas' });
    await diff
      .locator('.react-flow__node')
      .nth(labels.size - 1)
      .waitFor();
    const diffView = await settled(diff);
    console.log(`publish diff at ${(diffView.zoom * 100).toFixed(0)} %`);
    const diffInView = diffView.nodes.filter((n) => n.inView);
    expect(diffView.zoom).toBeGreaterThanOrEqual(0.75);
    expect(diffInView.map((n) => n.id)).toContain('incoming');
    expectLegible(diffInView, labels, 'publish diff');
    await diff.getByRole('button', { name: 'Fit View' }).click();
    const diffFit = await settled(diff);
    expectLegible(diffFit.nodes, labels, `publish diff fitted at ${diffFit.zoom.toFixed(2)}`);
  });
});
