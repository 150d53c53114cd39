import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { adminCookie, engineUrl, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { repoDir } from './environment.js';

const require = createRequire(import.meta.url);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core (its own source, injected into the page) over WCAG 2.1 A and AA. */
async function axe(page: Page, name: string): Promise<AxeViolation[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the devtools protocol: the designer's CSP refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run: (c: Document, o: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe.run(
      // Fluent's focus manager (tabster) puts aria-hidden sentinels with tabindex 0 at the
      // edges of groups and traps; one that receives focus passes it on at once, so a keyboard
      // never rests there. axe cannot know that and calls them focusable hidden content.
      { include: [document], exclude: [['[data-tabster-dummy]']] } as unknown as Document,
      {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      },
    );
    return result.violations;
  });
  // The sentinels left out are tabster's and nothing else.
  expect(
    await page.evaluate(() =>
      [...document.querySelectorAll('[data-tabster-dummy]')].every(
        (el) => el.tagName === 'I' && el.getAttribute('aria-hidden') === 'true',
      ),
    ),
  ).toBe(true);
  for (const v of violations) {
    console.log(
      `[axe ${name}] ${v.impact} ${v.id}: ${v.help}\n${v.nodes
        .slice(0, 5)
        .map(
          (n) =>
            `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`,
        )
        .join('\n')}`,
    );
  }
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** WCAG contrast of two CSS colours (rgb()/rgba() as getComputedStyle gives them). */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

async function importFlow(name: string): Promise<string> {
  const example = JSON.parse(await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'));
  const res = await fetch(`${engineUrl()}/api/flows/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: await adminCookie() },
    body: JSON.stringify({ ...example, name }),
  });
  if (!res.ok) throw new Error(`import: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { flow: { id: string } }).flow.id;
}

const edge = (page: Page, id: string) => page.locator(`.react-flow__edge[data-id="${id}"]`);
const flowNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

describe.skipIf(skipBrowserTests)('accessibility in Chromium', () => {
  const browser = useBrowser();

  it('axe-core finds no serious or critical violation on sign-in, flows, editor, Calls and Entry points', async () => {
    const flowId = await importFlow(`Accessible IVR ${Date.now() % 100000}`);
    const { page } = await browser.open('axe');
    await page.goto('/');
    await page.getByLabel('User name').waitFor();
    const found: Record<string, AxeViolation[]> = {};
    found['sign-in'] = await axe(page, 'sign-in');
    await signIn(page, 'admin', inject('adminPassword'));
    await page.getByRole('table', { name: 'Flows' }).waitFor();
    found['flows'] = await axe(page, 'flows');
    await page.goto(`/#/flows/${flowId}`);
    await flowNode(page, 'menu').waitFor();
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    found['editor'] = await axe(page, 'editor');
    // The property form of a node with phone fields (the number box and its country picker).
    await flowNode(page, 'support').click({ position: { x: 20, y: 8 } });
    await page.getByRole('combobox', { name: /^Country for Caller ID/ }).waitFor();
    found['phone fields'] = await axe(page, 'phone fields');
    await page.getByRole('tab', { name: 'Calls' }).click();
    await page.getByRole('heading', { name: 'Calls' }).waitFor();
    found['calls'] = await axe(page, 'calls');
    await page.getByRole('tab', { name: 'Entry points' }).click();
    await page.getByRole('table', { name: 'Entry points' }).waitFor();
    found['entry points'] = await axe(page, 'entry points');
    const summary = Object.fromEntries(
      Object.entries(found).map(([k, v]) => [k, v.map((x) => `${x.impact} ${x.id}`)]),
    );
    expect(summary).toEqual({
      'sign-in': [],
      flows: [],
      editor: [],
      'phone fields': [],
      calls: [],
      'entry points': [],
    });
  });

  it('names edges by outcome and target, shows focus, connects from the keyboard, and keeps contrast', async () => {
    const flowId = await importFlow(`Keyboard IVR ${Date.now() % 100000}`);
    const { page } = await browser.open('keyboard');
    await signIn(page, 'admin', inject('adminPassword'));
    await page.goto(`/#/flows/${flowId}`);
    await flowNode(page, 'menu').waitFor();

    // Edges are named by the outcome's label and the target's, not by ids.
    expect(await edge(page, 'menu.choice:1').getAttribute('aria-label')).toBe(
      '1 · Sales → Transfer to sales',
    );
    expect(await edge(page, 'hours.open').getAttribute('aria-label')).toBe('Open → Answer');
    expect(await flowNode(page, 'menu').getAttribute('aria-label')).toBe('Main menu (Menu)');

    // The palette is one tab stop: Tab from the search box lands on one item, arrows move, Tab leaves.
    const palette = page.getByRole('navigation', { name: 'Node palette' });
    expect(await palette.locator('button[tabindex="0"]').count()).toBe(1);
    await palette.getByRole('searchbox', { name: 'Search nodes' }).focus();
    await page.keyboard.press('Tab');
    const focusedType = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-node-type') ?? null);
    const first = await focusedType();
    expect(first).toBeTruthy();
    await page.keyboard.press('ArrowDown');
    const second = await focusedType();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(await palette.locator('button[tabindex="0"]').getAttribute('data-node-type')).toBe(
      second,
    );
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => !document.activeElement?.closest('[aria-label="Node palette"]')),
    ).toBe(true);

    // Focus is visible on a node and on an edge.
    await flowNode(page, 'goodbye').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await flowNode(page, 'goodbye')
      .locator('.sb-node')
      .evaluate((el) => {
        const s = getComputedStyle(el);
        return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await edge(page, 'hours.open').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const focusedEdge = await page.evaluate(() => {
      const el = document.activeElement;
      const path = el?.querySelector('path.react-flow__edge-path');
      return {
        id: el?.getAttribute('data-id'),
        width: path ? parseFloat(getComputedStyle(path).strokeWidth) : 0,
      };
    });
    expect(focusedEdge.width).toBeGreaterThanOrEqual(3);

    // Connect from the keyboard: select a node (Enter), C, an outcome, a target, Enter.
    await flowNode(page, 'operator').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('c');
    const dialog = page.getByRole('dialog', { name: /^Connect/ });
    await dialog.waitFor();
    const outcome = dialog.getByRole('combobox', { name: 'Outcome' });
    const outcomeIds = await outcome
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(outcomeIds.length).toBeGreaterThan(0);
    const pick = outcomeIds.find((id) => id !== 'next') ?? outcomeIds[0]!;
    await outcome.selectOption(pick);
    await dialog
      .getByRole('combobox', { name: 'Goes to' })
      .selectOption({ label: 'Goodbye (Play)' });
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent);
    for (let i = 0; i < 4 && (await focusedText()) !== 'Connect'; i++)
      await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Connect');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    const wired = page.locator(`.react-flow__edge[aria-label$="→ Goodbye"]`);
    await expect
      .poll(() =>
        page.evaluate(
          (outcomeId) =>
            [...document.querySelectorAll('.react-flow__edge')].some(
              (e) =>
                e.getAttribute('data-id')?.startsWith('operator') &&
                e.getAttribute('data-id')?.includes(outcomeId) &&
                e.getAttribute('aria-label')?.endsWith('→ Goodbye'),
            ),
          pick,
        ),
      )
      .toBe(true);
    expect(await wired.count()).toBeGreaterThan(0);

    // Contrast: edges, borders and handles at least 3:1 on the canvas, text at least 4.5:1.
    const colours = await page.evaluate(() => {
      const style = (sel: string) => {
        const el = document.querySelector(sel);
        if (!el) throw new Error(`nothing matches ${sel}`);
        return getComputedStyle(el);
      };
      const canvas = getComputedStyle(document.querySelector('.react-flow')!).backgroundColor;
      return {
        canvas: canvas === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : canvas,
        node: style('.sb-node').backgroundColor,
        edge: style('.react-flow__edge:not(.selected) path.react-flow__edge-path').stroke,
        border: style('.react-flow__node:not(.selected) .sb-node').borderTopColor,
        handleOut: style('.sb-node .sb-handle-out').backgroundColor,
        handleIn: style('.sb-node .sb-handle-in').backgroundColor,
        label: style('.sb-node__label').color,
        type: style('.sb-node__type').color,
        summary: style('.sb-node__summary').color,
        outcome: style('.sb-outcome__label').color,
      };
    });
    console.log('colours', colours);
    expect(contrast(colours.edge, colours.canvas)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.border, colours.canvas)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.handleOut, colours.node)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.handleIn, colours.node)).toBeGreaterThanOrEqual(3);
    for (const text of [colours.label, colours.type, colours.summary, colours.outcome]) {
      expect(contrast(text, colours.node)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
