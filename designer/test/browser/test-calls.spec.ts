import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { emulatorUrl, ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';

/**
 * Test calls and the Calls page against the real engine: its private test-call emulator for test
 * calls, and the ACS emulator `npm start` runs beside it for a real call. Nothing is mocked.
 */
const TESTER = { username: 'tess', password: 'tess-password-1', role: 'editor' };

/** A Tuesday and a Sunday in December 2026 (no holiday in the example IVR). */
const TUESDAY = '2026-12-08';
const SUNDAY = '2026-12-13';

const testPanel = (page: Page) => page.getByRole('region', { name: 'Test call' });
const edge = (scope: Page | Locator, id: string) =>
  scope.locator(`.react-flow__edge[data-id="${id}"]`);
const flowNode = (scope: Page | Locator, id: string) =>
  scope.locator(`.react-flow__node[data-id="${id}"]`);

async function hasClass(locator: Locator, className: string): Promise<boolean> {
  const value = await locator.getAttribute('class');
  return (value ?? '').split(/\s+/).includes(className);
}

async function openMainIvr(page: Page) {
  await page.getByRole('link', { name: 'Main IVR', exact: true }).click();
  await flowNode(page, 'menu').waitFor();
}

async function startTestCall(page: Page, date: string, time: string) {
  const panel = testPanel(page);
  await panel.getByLabel('Date').fill(date);
  await panel.getByLabel('Time', { exact: true }).fill(time);
  await panel.getByRole('button', { name: 'Call', exact: true }).click();
  await panel.getByRole('group', { name: 'Dial pad' }).waitFor();
}

describe.skipIf(skipBrowserTests)('test calls and the Calls page in Chromium', () => {
  const browser = useBrowser();
  /** The run view of the Sunday test call (the third test reopens it). */
  let sundayRunUrl = '';

  it('tests the draft of the example IVR on a Tuesday at 10:00, presses 2 and follows the support path', async () => {
    await ensureUser(TESTER.username, TESTER.role, TESTER.password);
    const { page } = await browser.open('tester');
    await signIn(page, TESTER.username, TESTER.password);
    await openMainIvr(page);

    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const panel = testPanel(page);
    // The clock is picked in the zone of the flow's business hours, found from the field.
    expect(await panel.getByLabel('Time zone').inputValue()).toBe('America/Los_Angeles');
    expect(await panel.getByLabel('Caller number').inputValue()).toBe('+15551230000');
    await panel.getByLabel('Date').fill(TUESDAY);
    await panel.getByLabel('Time', { exact: true }).fill('10:00');
    await panel
      .getByText('Tuesday 10:00 in America/Los_Angeles (2026-12-08T10:00:00-08:00)')
      .waitFor();
    // Targets the flow calls are offered as callees.
    await panel.getByRole('button', { name: /Transfer to sales/ }).waitFor();

    await startTestCall(page, TUESDAY, '10:00');
    // The menu prompt plays; the canvas shows the call at the menu, live.
    const heard = panel.getByRole('region', { name: 'What the caller hears' });
    await heard.getByText(/For support, press 2/).waitFor({ timeout: 30_000 });
    await expect.poll(() => hasClass(flowNode(page, 'menu'), 'sb-path-node--current')).toBe(true);
    expect(await hasClass(edge(page, 'hours.open'), 'sb-path-edge')).toBe(true);
    expect(await edge(page, 'hours.closed').getAttribute('class')).not.toContain('sb-path-edge');

    await panel
      .getByRole('group', { name: 'Dial pad' })
      .getByRole('button', { name: '2', exact: true })
      .click();

    // Support: the edge taken from the menu is numbered with the event that moved it.
    await expect
      .poll(() => hasClass(edge(page, 'menu.choice:2'), 'sb-path-edge'), { timeout: 30_000 })
      .toBe(true);
    expect(await edge(page, 'menu.choice:2').textContent()).toBe('4 · RecognizeCompleted');
    expect(await edge(page, 'incoming.next').textContent()).toBe('1 · IncomingCall');
    expect(await hasClass(edge(page, 'menu.choice:1'), 'sb-path-edge')).toBe(false);
    expect(await hasClass(flowNode(page, 'support'), 'sb-path-node')).toBe(true);

    // The support agent is added and shown connected.
    const participants = panel.getByRole('region', { name: 'Participants' });
    await participants
      .locator('[data-role="callee"][data-state="Connected"]')
      .waitFor({ timeout: 30_000 });
    await heard.getByText('You are now connected to support.').waitFor({ timeout: 30_000 });

    // The flow leaves the call: the end reason is shown on its last node.
    await page.locator('.sb-path-flag--ended').waitFor({ timeout: 30_000 });
    expect(await page.locator('.sb-path-flag--ended').getAttribute('data-node-id')).toBe('leave');
    expect(await page.locator('.sb-path-flag--ended').textContent()).toBe('Ended: Completed');
    expect(await hasClass(edge(page, 'supportConnected.completed'), 'sb-path-edge')).toBe(true);
    // The overlay is not part of the flow: nothing to save.
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
  });

  it('tests again on a Sunday and sees the closed path', async () => {
    const { page } = await browser.open('tester');
    await signIn(page, TESTER.username, TESTER.password);
    await openMainIvr(page);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await startTestCall(page, SUNDAY, '10:00');
    const panel = testPanel(page);
    await panel
      .getByRole('region', { name: 'What the caller hears' })
      .getByText(/We are closed now/)
      .waitFor({ timeout: 30_000 });
    await expect
      .poll(() => hasClass(edge(page, 'hours.closed'), 'sb-path-edge'), { timeout: 30_000 })
      .toBe(true);
    expect(await hasClass(edge(page, 'hours.open'), 'sb-path-edge')).toBe(false);
    expect(await hasClass(flowNode(page, 'menu'), 'sb-path-node')).toBe(false);
    await page.locator('.sb-path-flag--ended').waitFor({ timeout: 30_000 });
    expect(await page.locator('.sb-path-flag--ended').getAttribute('data-node-id')).toBe('hangUp');

    await panel.getByRole('link', { name: 'Open this call on the Calls page' }).click();
    await page.getByRole('listbox', { name: 'Steps' }).waitFor();
    sundayRunUrl = page.url();
    expect(sundayRunUrl).toMatch(/#\/calls\/[0-9a-f-]{36}$/);
  });

  it('finds the Sunday test call on the Calls page with the same path and timeline', async () => {
    const { page } = await browser.open('tester');
    await signIn(page, TESTER.username, TESTER.password);
    await page.getByRole('tab', { name: 'Calls' }).click();
    await page.getByRole('heading', { name: 'Calls' }).waitFor();
    await page.getByRole('combobox', { name: 'Calls' }).selectOption('all');
    expect(page.url()).toContain('test=all');
    const table = page.getByRole('table', { name: 'Calls' });
    const runId = sundayRunUrl.split('/').pop()!;
    await table.locator(`[data-run-id="${runId}"]`).click();
    await page.waitForURL(`**/#/calls/${runId}`);

    const canvas = page.getByRole('region', { name: 'Call path' });
    await expect
      .poll(() => hasClass(edge(canvas, 'hours.closed'), 'sb-path-edge'), { timeout: 10_000 })
      .toBe(true);
    expect(await edge(canvas, 'hours.closed').textContent()).toBe('2 · IncomingCall');
    expect(await hasClass(edge(canvas, 'closedMessage.completed'), 'sb-path-edge')).toBe(true);
    expect(await canvas.locator('.sb-path-flag--ended').textContent()).toBe('Ended: Completed');

    const steps = page.getByRole('listbox', { name: 'Steps' });
    const rows = steps.getByRole('option');
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    expect(await rows.nth(0).textContent()).toContain('IncomingCall');
    expect(await steps.textContent()).toContain('CallConnected');
    expect(await steps.textContent()).toContain('PlayCompleted');
    // A step's variables; the emulator's timeline and the participants of the test call.
    await rows.nth(1).click();
    await page.getByRole('region', { name: 'Variables after step 1' }).waitFor();
    await page.getByRole('region', { name: 'Emulator timeline' }).waitFor();
    await page.getByRole('region', { name: 'Participants' }).waitFor();
    expect(await page.getByText('Test call', { exact: true }).count()).toBe(1);

    // From the editor, a node offers the calls that went through it.
    await page.getByRole('link', { name: /Open this flow in the editor/ }).click();
    await flowNode(page, 'closedMessage').click({ position: { x: 20, y: 8 } });
    await page.getByRole('link', { name: /Recent calls through this node/ }).click();
    await page.getByRole('button', { name: /Through node: Closed message/ }).waitFor();
    expect(page.url()).toMatch(/nodeId=closedMessage/);
    expect(page.url()).toMatch(/test=all/);
    await table.locator(`[data-run-id="${runId}"]`).waitFor();
  });

  it('shows a real call through the emulator appearing live on the Calls page', async () => {
    const { page } = await browser.open('tester');
    await signIn(page, TESTER.username, TESTER.password);
    await page.getByRole('tab', { name: 'Calls' }).click();
    const table = page.getByRole('table', { name: 'Calls' });
    await table.waitFor();
    const caller = '+15557654321';
    expect(await table.getByText(caller, { exact: false }).count()).toBe(0);

    const placed = await fetch(`${emulatorUrl()}/emulator/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: caller,
        to: '+18005550100',
        script: [{ on: 'recognize', dtmf: '0' }],
      }),
    });
    expect(placed.status).toBe(201);

    // No reload: the first page is fetched again while it is shown.
    const row = table.getByRole('row').filter({ hasText: caller });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('Real');
    await row.click();
    await page.getByRole('listbox', { name: 'Steps' }).waitFor();
    const canvas = page.getByRole('region', { name: 'Call path' });
    await expect
      .poll(() => hasClass(edge(canvas, 'incoming.next'), 'sb-path-edge'), { timeout: 20_000 })
      .toBe(true);
  });

  it('explains in plain words why a draft cannot be tested', async () => {
    const { page } = await browser.open('tester');
    await signIn(page, TESTER.username, TESTER.password);
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByRole('dialog').getByLabel('Flow name').fill('Empty test flow');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('region', { name: 'Flow canvas' }).waitFor();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await testPanel(page).getByRole('button', { name: 'Call', exact: true }).click();
    await testPanel(page)
      .getByText('The draft has problems to fix before it can be tested:')
      .waitFor();
  });
});
