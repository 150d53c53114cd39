import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { api, emulatorUrl, ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { designerDir, repoDir } from './environment.js';

/**
 * Knowing before publishing, against the real engine: a test call of the example IVR pressing 2
 * saved as a test while the flow is open in another page, the menu changed so 2 goes to Sales
 * (the open editor takes the new scenario in instead of overwriting it), the scenario failing in
 * the publish dialog, Check against recent calls showing the divergence with both paths on a
 * canvas, and the traffic overlay counting the calls. Nothing is mocked.
 */
const ANALYST = { username: 'sam', password: 'sam-password-1', role: 'publisher' };
const FLOW_NAME = 'Scenario IVR (browser test)';
/** A number of the emulated resource bound to this flow, for a real call. */
const NUMBER = '+18005550142';
const SCENARIO = 'Pressed 2 for support';

const flowNode = (scope: Page | Locator, id: string) =>
  scope.locator(`.react-flow__node[data-id="${id}"]`);
const edge = (scope: Page | Locator, id: string) =>
  scope.locator(`.react-flow__edge[data-id="${id}"]`);
const screenshots = join(designerDir, 'test-results');

async function hasClass(locator: Locator, className: string): Promise<boolean> {
  return ((await locator.getAttribute('class')) ?? '').split(/\s+/).includes(className);
}

/** A locator's box once it stopped moving (the canvas may still be fitting the flow into view). */
async function settledBox(locator: Locator) {
  let last = await locator.boundingBox();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const now = await locator.boundingBox();
    if (now && last && now.x === last.x && now.y === last.y && now.width === last.width) return now;
    last = now;
  }
  throw new Error('the canvas did not settle');
}

/** Drags from an outcome handle of one node to the input handle of another. */
async function connect(page: Page, from: string, outcome: string, to: string) {
  const source = await settledBox(
    flowNode(page, from).locator(`.react-flow__handle[data-handleid="${outcome}"]`),
  );
  const target = await settledBox(
    flowNode(page, to).locator('.react-flow__handle[data-handleid="in"]'),
  );
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + 5, target.y + 5, { steps: 8 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 4 });
  await page.mouse.up();
}

describe.skipIf(skipBrowserTests)('scenarios, replay and traffic in Chromium', () => {
  const browser = useBrowser();

  it('saves a test call as a test, changes 2 to Sales, and sees the failure, the divergence and the traffic before publishing', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    // A copy of the example IVR (with its scenarios), published and bound to a number of its own.
    const example = JSON.parse(
      await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'),
    ) as Record<string, unknown>;
    const { flow } = await api<{ flow: { id: string; revision: number } }>(
      'POST',
      '/api/flows/import',
      { ...example, name: FLOW_NAME },
    );
    await api('POST', `/api/flows/${flow.id}/publish`, { comment: 'As the example' });
    const owned = await fetch(
      `${emulatorUrl()}/emulator/phone-numbers/${encodeURIComponent(NUMBER)}`,
      {
        method: 'PUT',
      },
    );
    expect(owned.ok).toBe(true);
    await api('PUT', `/api/entry-points/${encodeURIComponent(NUMBER)}`, { flowId: flow.id });

    // One real call through the emulator (it asks for the operator), for the traffic counts.
    const placed = await fetch(`${emulatorUrl()}/emulator/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '+15550142001',
        to: NUMBER,
        script: [{ on: 'recognize', dtmf: '0' }],
      }),
    });
    expect(placed.status).toBe(201);
    await expect
      .poll(
        async () => {
          const runs = await api<{ items: { status: string }[] }>(
            'GET',
            `/api/runs?flowId=${encodeURIComponent(flow.id)}`,
          );
          return runs.items.map((r) => r.status).join();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe('ended');

    // The analyst opens the flow and places a test call of the draft pressing 2: support.
    const editor = await browser.open('editor');
    const page = editor.page;
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.getByRole('link', { name: FLOW_NAME, exact: true }).click();
    await flowNode(page, 'menu').waitFor();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Test call' });
    await panel.getByLabel('Date').fill('2026-12-08');
    await panel.getByLabel('Time', { exact: true }).fill('10:00');
    await panel.getByRole('button', { name: 'Call', exact: true }).click();
    await panel
      .getByRole('region', { name: 'What the caller hears' })
      .getByText(/For support, press 2/)
      .waitFor({ timeout: 30_000 });
    await panel
      .getByRole('group', { name: 'Dial pad' })
      .getByRole('button', { name: '2', exact: true })
      .click();
    await page.locator('.sb-path-flag--ended[data-node-id="leave"]').waitFor({ timeout: 30_000 });
    const runHref = await panel
      .getByRole('link', { name: 'Open this call on the Calls page' })
      .getAttribute('href');
    const runId = runHref!.split('/').pop()!;

    // In another page, while the editor stays open on the draft: Save as test.
    const other = await browser.open('run view', { context: editor.context });
    await other.page.goto(`/${runHref}`);
    await other.page.getByRole('listbox', { name: 'Steps' }).waitFor();
    await other.page.getByRole('button', { name: 'Save as test' }).click();
    const form = other.page.getByRole('form', { name: 'Save as test' });
    await form.getByLabel('Scenario name').fill(SCENARIO);
    await form.getByRole('button', { name: 'Save' }).click();
    await other.page
      .getByText(`Added the scenario “${SCENARIO}” to the draft of ${FLOW_NAME}.`)
      .waitFor();
    await other.page.screenshot({ path: join(screenshots, 'scenarios-save-as-test.png') });

    // Back in the editor: it finds the draft moved on the server by a scenario only, takes the
    // scenario in (a save refused for the old revision would do the same: see the unit tests)
    // and keeps the editor's own work; then 2 goes to Sales, saved with the scenario.
    // (Headless pages share no real focus: say the analyst came back to this one.)
    await page.bringToFront();
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page
      .getByText(`Added to the draft from a call: “${SCENARIO}”. Your changes are kept.`)
      .waitFor({ timeout: 20_000 });
    await panel.getByRole('button', { name: 'Close the test panel' }).click();
    await page.getByRole('button', { name: 'Scenarios', exact: true }).click();
    await page.getByRole('region', { name: 'Scenarios' }).waitFor();
    await connect(page, 'menu', 'choice:2', 'sales');
    // The outcome's edge is replaced by a new one (named after the outcome) into Sales.
    await edge(page, 'menu:choice:2').waitFor();
    // Named by its outcome and its target's label, not by ids.
    expect(await edge(page, 'menu:choice:2').getAttribute('aria-label')).toBe(
      '2 · Support → Transfer to sales',
    );
    expect(await edge(page, 'menu.choice:2').count()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    expect(
      await page.getByRole('dialog', { name: 'This flow was changed by someone else' }).count(),
    ).toBe(0);
    const saved = await api<{
      draft: { scenarios: { name: string }[]; edges: { id: string; target: string }[] };
    }>('GET', `/api/flows/${flow.id}`);
    expect(saved.draft.scenarios.map((s) => s.name)).toContain(SCENARIO);
    expect(saved.draft.edges.find((e) => e.id === 'menu:choice:2')!.target).toBe('sales');

    // The Scenarios panel: the saved call fails now; publishing is to be blocked while it does.
    const scenarios = page.getByRole('region', { name: 'Scenarios' });
    const row = scenarios.locator(`[data-scenario="${SCENARIO}"]`);
    await expect.poll(() => hasClass(row, 'sb-scenario--failed'), { timeout: 10_000 }).toBe(true);
    await scenarios
      .getByRole('switch', { name: 'Block publishing while a scenario fails' })
      .check();
    await scenarios.getByRole('switch', { name: 'Show connections no scenario takes' }).check();
    await scenarios.getByText(/\d+ of \d+ connections covered/).waitFor();
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();

    // Publish: the scenario fails and blocks; the engine would refuse as well.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish flow' });
    const results = dialog.getByRole('region', { name: 'Scenario results' });
    const failing = results.locator(`[data-scenario="${SCENARIO}"]`);
    await failing.waitFor();
    expect(await hasClass(failing, 'sb-scenario--failed')).toBe(true);
    expect(await failing.textContent()).toMatch(/Transfer to sales|Leave the call/);
    await dialog.getByText(/^Publishing is blocked: \d+ scenarios? fails?/).waitFor();
    await dialog.getByLabel('Comment').fill('2 goes to Sales');
    expect(await dialog.getByRole('button', { name: 'Publish', exact: true }).isDisabled()).toBe(
      true,
    );
    const refused = await page.evaluate(async (id) => {
      const res = await fetch(`/api/flows/${encodeURIComponent(id)}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: 'around the dialog' }),
      });
      return { status: res.status, body: (await res.json()) as { failures?: { name: string }[] } };
    }, flow.id);
    expect(refused.status).toBe(422);
    expect(refused.body.failures!.map((f) => f.name)).toContain(SCENARIO);

    // Check against recent calls: the test call would now go to Sales.
    await dialog.getByRole('tab', { name: 'Check against recent calls' }).click();
    const recent = dialog.getByRole('region', { name: 'Check against recent calls' });
    await recent.getByRole('button', { name: 'Check', exact: true }).click();
    const summary = recent.getByRole('status');
    await summary
      .getByText(/\d+ of \d+ calls would take a different path/)
      .waitFor({ timeout: 30_000 });
    expect(await summary.textContent()).toMatch(/would now reach “Transfer to sales”/);
    const calls = recent.getByRole('list', { name: 'Calls that would change' });
    const call = calls.locator(`[data-run-id="${runId}"]`);
    await call.waitFor();
    expect(await call.textContent()).toMatch(/diverged/);
    await recent
      .getByRole('table', { name: 'Where the calls end' })
      .getByText('Transfer to sales')
      .waitFor();
    await call.click();

    // Both paths on one canvas: recorded 2 → Support (drawn back), now 2 → Sales; parting at the menu.
    const compared = recent.getByRole('region', { name: 'Recorded and new path' });
    await edge(compared, 'menu:choice:2').waitFor();
    await expect
      .poll(() => hasClass(edge(compared, 'menu:choice:2'), 'sb-cmp-edge--new'))
      .toBe(true);
    expect(await hasClass(edge(compared, 'menu.choice:2~recorded'), 'sb-cmp-edge--old')).toBe(true);
    expect(await edge(compared, 'menu.choice:2~recorded').getAttribute('aria-label')).toBe(
      '2 · Support → Add support agent',
    );
    expect(await hasClass(edge(compared, 'support.added'), 'sb-cmp-edge--old')).toBe(true);
    expect(await hasClass(edge(compared, 'hours.open'), 'sb-cmp-edge--both')).toBe(true);
    expect(await hasClass(flowNode(compared, 'menu'), 'sb-cmp-node--diverge')).toBe(true);
    await compared.getByText('Paths part here').waitFor();
    await recent.getByLabel('Legend').getByText('Recorded path').waitFor();
    await compared.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, 'scenarios-publish-replay.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Traffic: the real call by default, then the test call, then both.
    await page.getByRole('button', { name: 'Traffic', exact: true }).click();
    const traffic = page.getByRole('region', { name: 'Traffic' });
    await traffic
      .getByRole('status')
      .getByText(/^1 call/)
      .waitFor({ timeout: 20_000 });
    expect(await edge(page, 'incoming.next').textContent()).toBe('1');
    await traffic.getByLabel('Calls', { exact: true }).selectOption('true');
    await traffic
      .getByRole('status')
      .getByText(/^1 call/)
      .waitFor({ timeout: 20_000 });
    expect(await edge(page, 'hours.open').textContent()).toBe('1');
    expect(await hasClass(edge(page, 'menu.choice:0'), 'sb-traffic-edge--unused')).toBe(true);
    expect(await edge(page, 'menu.choice:0').textContent()).toBe('0');
    // The test call went 2 → Support, a connection the canvas no longer has.
    await traffic.getByText(/1 through connections the canvas no longer has/).waitFor();
    expect(await page.locator('.sb-layer-flag[data-node-id="leave"]').textContent()).toBe(
      '1 ended',
    );
    await traffic.getByLabel('Calls', { exact: true }).selectOption('all');
    await traffic
      .getByRole('status')
      .getByText(/^2 calls/)
      .waitFor({ timeout: 20_000 });
    expect(await edge(page, 'incoming.next').textContent()).toBe('2');
    const width = await edge(page, 'incoming.next')
      .locator('path.react-flow__edge-path')
      .evaluate((p) => getComputedStyle(p).strokeWidth);
    expect(width).toBe('9px');
    await page.screenshot({ path: join(screenshots, 'scenarios-traffic.png') });
  }, 240_000);
});
