import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  adminCookie,
  api,
  engineUrl,
  ensureUser,
  signIn,
  skipBrowserTests,
  useBrowser,
} from './browser.js';

/**
 * A flow calling a subflow, built in the real designer against the real engine: the Run subflow
 * form lists the published flows and their versions from the API, the node's outcomes follow
 * the chosen version's Return nodes, and "Open subflow" opens the called flow in the editor.
 */
const ANALYST = { username: 'sue', password: 'sue-password-1', role: 'publisher' };

const canvas = (page: Page) => page.getByRole('region', { name: 'Flow canvas' });
const node = (page: Page, type: string): Locator =>
  page.locator(`.react-flow__node:has([data-node-type="${type}"])`);
const handle = (page: Page, type: string, id: string) =>
  node(page, type).locator(`.react-flow__handle[data-handleid="${id}"]`);

async function dragFromPalette(page: Page, label: string, type: string, x: number, y: number) {
  await page
    .getByRole('button', { name: label, exact: true })
    .dragTo(canvas(page), { targetPosition: { x, y } });
  await node(page, type).first().waitFor();
}

async function connect(page: Page, from: string, outcome: string, to: string) {
  const source = await handle(page, from, outcome).boundingBox();
  const target = await handle(page, to, 'in').boundingBox();
  if (!source || !target) throw new Error(`no handle ${from}.${outcome} or ${to}.in`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + 5, target.y + 5, { steps: 8 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 4 });
  await page.mouse.up();
}

const subflowDoc = (returns: string[]) => ({
  schemaVersion: 1,
  name: 'Verify caller (browser test)',
  nodes: [
    { id: 'start', type: 'trigger.subflow', position: { x: 0, y: 0 }, config: {} },
    ...returns.map((outcome, i) => ({
      id: `r${i}`,
      type: 'flow.return',
      position: { x: 300, y: i * 150 },
      config: { outcome },
    })),
  ],
  edges: [{ id: 'e0', source: 'start', sourceOutcome: 'next', target: 'r0' }],
});

describe.skipIf(skipBrowserTests)('subflows in Chromium', () => {
  const browser = useBrowser();

  it('builds a flow with a Run subflow node, picks a version, gets its outcomes and opens the subflow', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    // Version 1 returns verified; version 2 also notVerified.
    const sub = await api<{ id: string; revision: number }>('POST', '/api/flows', {
      name: 'Verify caller (browser test)',
      document: subflowDoc(['verified']),
    });
    await api('POST', `/api/flows/${sub.id}/publish`, { comment: 'v1' });
    const current = await api<{ revision: number }>('GET', `/api/flows/${sub.id}`);
    const saved = await fetch(`${engineUrl()}/api/flows/${sub.id}/draft`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        cookie: await adminCookie(),
        'if-match': String(current.revision),
      },
      body: JSON.stringify(subflowDoc(['verified', 'notVerified'])),
    });
    expect(saved.status).toBe(200);
    await api('POST', `/api/flows/${sub.id}/publish`, { comment: 'v2' });

    const { page } = await browser.open('subflows');
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByRole('dialog').getByLabel('Flow name').fill('Calls a subflow (browser test)');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await canvas(page).waitFor();

    await dragFromPalette(page, 'Incoming call', 'trigger.incomingCall', 130, 60);
    await dragFromPalette(page, 'Answer', 'call.answer', 400, 60);
    await dragFromPalette(page, 'Run subflow', 'flow.runSubflow', 670, 60);
    await connect(page, 'trigger.incomingCall', 'next', 'call.answer');
    await connect(page, 'call.answer', 'connected', 'flow.runSubflow');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);

    // Before a flow is chosen, the node shows only its failure outcome.
    await node(page, 'flow.runSubflow').click({ position: { x: 20, y: 8 } });
    expect(await handle(page, 'flow.runSubflow', 'failed').count()).toBe(1);
    expect(await handle(page, 'flow.runSubflow', 'return:verified').count()).toBe(0);

    const flowSelect = page.getByRole('combobox', { name: 'Flow to call' });
    await flowSelect.locator(`option[value="${sub.id}"]`).waitFor({ state: 'attached' });
    await flowSelect.selectOption(sub.id);
    // "Latest published" (version 2): both Return outcomes.
    await handle(page, 'flow.runSubflow', 'return:notVerified').waitFor();
    expect(await handle(page, 'flow.runSubflow', 'return:verified').count()).toBe(1);

    // Pin version 1: its only Return.
    const versionSelect = page.getByRole('combobox', { name: 'Version to call' });
    await versionSelect.locator('option[value="1"]').waitFor({ state: 'attached' });
    await versionSelect.selectOption('1');
    await expect
      .poll(() => handle(page, 'flow.runSubflow', 'return:notVerified').count(), { timeout: 5000 })
      .toBe(0);
    expect(await handle(page, 'flow.runSubflow', 'return:verified').count()).toBe(1);
    expect(await node(page, 'flow.runSubflow').textContent()).toContain('v1');

    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await page.getByRole('button', { name: 'Open subflow' }).click();
    await page.waitForURL(`**/#/flows/${sub.id}`);
    await node(page, 'trigger.subflow').waitFor();
    expect(await node(page, 'flow.return').count()).toBe(2);
  });
});
