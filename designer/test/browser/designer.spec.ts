import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';

const PUBLISHER = { username: 'pat', password: 'pat-password-1', role: 'publisher' };
const EDITOR = { username: 'eddie', password: 'eddie-password-1', role: 'editor' };

const canvas = (page: Page) => page.getByRole('region', { name: 'Flow canvas' });
const problems = (page: Page) => page.getByRole('region', { name: 'Problems' });
const node = (page: Page, type: string): Locator =>
  page.locator(`.react-flow__node:has([data-node-type="${type}"])`);
const handle = (page: Page, type: string, id: string) =>
  node(page, type).locator(`.react-flow__handle[data-handleid="${id}"]`);

async function dragFromPalette(page: Page, label: string, x: number, y: number) {
  await page
    .getByRole('button', { name: label, exact: true })
    .dragTo(canvas(page), { targetPosition: { x, y } });
  await node(page, await typeOf(page, label))
    .first()
    .waitFor();
}

async function typeOf(page: Page, label: string): Promise<string> {
  return (await page
    .getByRole('button', { name: label, exact: true })
    .getAttribute('data-node-type'))!;
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

async function edgeCount(page: Page): Promise<number> {
  return page.locator('.react-flow__edge').count();
}

async function waitSaved(page: Page) {
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
}

async function createFlow(page: Page, name: string) {
  await page.getByRole('button', { name: 'New flow' }).click();
  await page.getByRole('dialog').getByLabel('Flow name').fill(name);
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  await canvas(page).waitFor();
}

describe.skipIf(skipBrowserTests)('designer in Chromium', () => {
  const browser = useBrowser();
  let flowUrl = '';

  it('logs in, builds the IVR from the palette, validates, saves, reloads and publishes version 1', async () => {
    await ensureUser(PUBLISHER.username, PUBLISHER.role, PUBLISHER.password);
    const { page } = await browser.open('publisher');
    await signIn(page, PUBLISHER.username, PUBLISHER.password);
    expect(await page.getByText('pat · publisher').isVisible()).toBe(true);

    await createFlow(page, 'Main IVR (browser test)');
    flowUrl = page.url();

    await dragFromPalette(page, 'Incoming call', 130, 60);
    await dragFromPalette(page, 'Answer', 400, 60);
    await dragFromPalette(page, 'Menu', 670, 60);
    await dragFromPalette(page, 'Transfer', 400, 330);
    await dragFromPalette(page, 'Hang up', 670, 420);
    expect(await page.locator('.react-flow__node').count()).toBe(5);

    await connect(page, 'trigger.incomingCall', 'next', 'call.answer');
    await connect(page, 'call.answer', 'connected', 'media.menu');
    await connect(page, 'media.menu', 'choice:1', 'call.transfer');
    await connect(page, 'media.menu', 'choice:2', 'call.hangUp');
    expect(await edgeCount(page)).toBe(4);

    // Properties: a bad phone number shows an error that goes away when fixed.
    await node(page, 'call.transfer').click();
    const target = page.getByRole('textbox', { name: 'Transfer to' });
    await target.fill('+1 425 555');
    await problems(page)
      .getByText(/phone number/)
      .first()
      .waitFor();
    expect(await node(page, 'call.transfer').locator('.sb-badge--error').count()).toBe(1);
    await target.fill('+14255550100');
    await expect
      .poll(
        () =>
          problems(page)
            .getByText(/phone number/)
            .count(),
        { timeout: 5000 },
      )
      .toBe(0);
    expect(await node(page, 'call.transfer').getByText('Transfer to +1 425 555 0100').count()).toBe(
      1,
    );

    // Menu: rename a choice; its outcome label follows.
    await node(page, 'media.menu').click();
    await page
      .getByRole('group', { name: 'Choice 2' })
      .getByRole('textbox', { name: 'Name' })
      .fill('Support desk');
    await handle(page, 'media.menu', 'choice:2').waitFor();
    expect(await node(page, 'media.menu').getByText('2 · Support desk').count()).toBe(1);
    expect(await problems(page).textContent()).toContain('0 errors');

    // Save with Ctrl+S, reload, and find it unchanged.
    await canvas(page).click({ position: { x: 20, y: 500 } });
    await page.keyboard.press('Control+s');
    await waitSaved(page);
    await page.reload();
    await canvas(page).waitFor();
    await node(page, 'media.menu').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(5);
    expect(await edgeCount(page)).toBe(4);
    expect(await node(page, 'media.menu').getByText('2 · Support desk').count()).toBe(1);
    await node(page, 'call.transfer').click();
    expect(await page.getByRole('textbox', { name: 'Transfer to' }).inputValue()).toBe(
      '+14255550100',
    );

    // Publish with a comment: version 1.
    await page.getByRole('button', { name: 'Publish' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish flow' });
    await dialog.getByText('No errors').waitFor();
    expect(await dialog.getByText('First version: everything is new').count()).toBe(1);
    expect(await dialog.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Comment').fill('First version of the main IVR');
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await dialog.getByText('Published as version 1.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: /^Versions/ }).click();
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByText('Version 1', { exact: true }).waitFor();
    expect(await versions.getByText('First version of the main IVR').count()).toBe(1);
  });
});
