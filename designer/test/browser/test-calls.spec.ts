import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { api, emulatorUrl, ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';

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

/** Whether an edge is drawn as taken (an edge off the path may not be in the DOM far out). */
async function taken(scope: Page | Locator, id: string): Promise<boolean> {
  return (await scope.locator(`.react-flow__edge.sb-path-edge[data-id="${id}"]`).count()) > 0;
}

async function hasClass(locator: Locator, className: string): Promise<boolean> {
  const value = await locator.getAttribute('class');
  return (value ?? '').split(/\s+/).includes(className);
}

/** A flow that plays two 1 ms audio files to each other until the step limit ends it. */
const pingPong = {
  schemaVersion: 1,
  name: 'Ping pong (browser test)',
  nodes: [
    { id: 'in', type: 'trigger.incomingCall', position: { x: 0, y: 0 }, config: {} },
    { id: 'answer', type: 'call.answer', position: { x: 260, y: 0 }, config: {} },
    ...['ping', 'pong'].map((id, i) => ({
      id,
      type: 'media.play',
      label: id,
      position: { x: 520 + 260 * i, y: 0 },
      config: { text: id, audioUrl: `https://example.com/${id}.wav?duration=1` },
    })),
  ],
  edges: [
    { id: 'in.next', source: 'in', sourceOutcome: 'next', target: 'answer' },
    { id: 'answer.connected', source: 'answer', sourceOutcome: 'connected', target: 'ping' },
    { id: 'ping.completed', source: 'ping', sourceOutcome: 'completed', target: 'pong' },
    { id: 'pong.completed', source: 'pong', sourceOutcome: 'completed', target: 'ping' },
  ],
};

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
    expect(await panel.getByRole('textbox', { name: 'Caller number' }).inputValue()).toBe(
      '+15551230000',
    );
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
    expect(await taken(page, 'hours.open')).toBe(true);
    expect(await taken(page, 'hours.closed')).toBe(false);

    await panel
      .getByRole('group', { name: 'Dial pad' })
      .getByRole('button', { name: '2', exact: true })
      .click();

    // Support: the edge taken from the menu is numbered with the event that moved it.
    await expect.poll(() => taken(page, 'menu.choice:2'), { timeout: 30_000 }).toBe(true);
    expect(await edge(page, 'menu.choice:2').textContent()).toBe('4 · RecognizeCompleted');
    expect(await edge(page, 'incoming.next').textContent()).toBe('1 · IncomingCall');
    expect(await taken(page, 'menu.choice:1')).toBe(false);
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
    expect(await taken(page, 'supportConnected.completed')).toBe(true);
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
    await expect.poll(() => taken(page, 'hours.closed'), { timeout: 30_000 }).toBe(true);
    expect(await taken(page, 'hours.open')).toBe(false);
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
    await expect.poll(() => taken(canvas, 'hours.closed'), { timeout: 10_000 }).toBe(true);
    expect(await edge(canvas, 'hours.closed').textContent()).toBe('2 · IncomingCall');
    expect(await taken(canvas, 'closedMessage.completed')).toBe(true);
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
    await expect.poll(() => taken(canvas, 'incoming.next'), { timeout: 20_000 }).toBe(true);
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

  it('opens the run view of a run with 1,000 steps, mounting only the rows in view', async () => {
    const imported = await api<{ flow: { id: string } }>('POST', '/api/flows/import', pingPong);
    const started = await api<{ id: string }>('POST', `/api/flows/${imported.flow.id}/test-calls`, {
      draft: true,
    });
    let steps = 0;
    await expect
      .poll(
        async () => {
          const run = await api<{ status: string; steps: unknown[] }>(
            'GET',
            `/api/runs/${started.id}`,
          );
          steps = run.steps.length;
          return run.status;
        },
        { timeout: 100_000, interval: 1000 },
      )
      .toBe('ended');
    expect(steps).toBeGreaterThanOrEqual(990);

    const { page } = await browser.open('tester');
    await signIn(page, TESTER.username, TESTER.password);
    await page.getByRole('tab', { name: 'Calls' }).click();
    await page.getByRole('table', { name: 'Calls' }).waitFor();
    // From inside the app, as a reader would go: the time to a usable run view, path drawn.
    const elapsed = await page.evaluate(async (runId) => {
      const t0 = performance.now();
      location.hash = `#/calls/${runId}`;
      for (;;) {
        const list = document.querySelector('[role="listbox"][aria-label="Steps"] [role="option"]');
        const edge = document.querySelector(
          '.react-flow__edge.sb-path-edge[data-id="pong.completed"]',
        );
        if (list && edge) return performance.now() - t0;
        if (performance.now() - t0 > 10_000) return Infinity;
        await new Promise((r) => requestAnimationFrame(r));
      }
    }, started.id);
    // Reported, not asserted (a timing on a shared machine is not a behaviour): the goal is 1 s.
    console.log(`run view of ${steps} steps: ${Math.round(elapsed)} ms (goal < 1,000 ms)`);
    expect(elapsed).not.toBe(Infinity);
    await page.getByText(`Steps (${steps})`).waitFor();
    expect(await page.getByRole('option').count()).toBeLessThan(100);
    expect(await page.locator('.sb-path-flag--ended').textContent()).toBe('Ended: Step limit');
    // The edge label stays short however often the loop went round.
    expect(await edge(page, 'ping.completed').textContent()).toMatch(
      /^\d+, \d+, \d+ \+\d+ · PlayCompleted$/,
    );
  }, 180_000);
});
