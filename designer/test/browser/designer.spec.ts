import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';

const PUBLISHER = { username: 'pat', password: 'pat-password-1', role: 'publisher' };
const EDITOR = { username: 'eddie', password: 'eddie-password-1', role: 'editor' };
const VIEWER = { username: 'vera', password: 'vera-password-1', role: 'viewer' };

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

/** Selects a node by clicking its top-left corner (the minimap may cover the rest). */
async function select(page: Page, type: string) {
  await node(page, type).click({ position: { x: 20, y: 8 } });
}

async function setLabel(page: Page, type: string, label: string) {
  await select(page, type);
  await page.getByRole('textbox', { name: 'Label', exact: true }).fill(label);
}

async function createFlow(page: Page, name: string) {
  await page.getByRole('button', { name: 'New flow' }).click();
  await page.getByRole('dialog').getByLabel('Flow name').fill(name);
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  await canvas(page).waitFor();
}

describe.skipIf(skipBrowserTests)('designer in Chromium', () => {
  const browser = useBrowser();
  /** The flow built by the first test; the later ones use it. */
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
    await select(page, 'call.transfer');
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
    await select(page, 'media.menu');
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
    await select(page, 'call.transfer');
    // Saved as E.164, shown formatted.
    expect(await page.getByRole('textbox', { name: 'Transfer to' }).inputValue()).toBe(
      '+1 425-555-0100',
    );
    await page.getByText('Saved as +1 425-555-0100 (+14255550100)').waitFor();

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

  it('an editor edits but finds no Publish button, and the API refuses a direct publish; a viewer only reads', async () => {
    await ensureUser(EDITOR.username, EDITOR.role, EDITOR.password);
    await ensureUser(VIEWER.username, VIEWER.role, VIEWER.password);
    const { page } = await browser.open('editor');
    await signIn(page, EDITOR.username, EDITOR.password);
    await page.goto(flowUrl);
    await node(page, 'media.menu').waitFor();
    expect(await page.getByRole('navigation', { name: 'Node palette' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
    const flowId = decodeURIComponent(flowUrl.split('/flows/')[1]!);
    const status = await page.evaluate(async (id) => {
      const res = await fetch(`/api/flows/${encodeURIComponent(id)}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: 'sneaky' }),
      });
      return res.status;
    }, flowId);
    expect(status).toBe(403);

    const viewer = await browser.open('viewer');
    await signIn(viewer.page, VIEWER.username, VIEWER.password);
    expect(await viewer.page.getByRole('button', { name: 'New flow' }).count()).toBe(0);
    await viewer.page.goto(flowUrl);
    await node(viewer.page, 'media.menu').waitFor();
    expect(await viewer.page.getByText('Read-only').count()).toBe(1);
    expect(await viewer.page.getByRole('navigation', { name: 'Node palette' }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
  });

  it('exports a flow and imports the file back as a new flow with the same nodes and edges', async () => {
    const { page } = await browser.open('publisher');
    await signIn(page, PUBLISHER.username, PUBLISHER.password);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export Main IVR (browser test)' }).click();
    const exported = JSON.parse(await readFile((await (await download).path())!, 'utf8'));
    expect(exported.nodes).toHaveLength(5);
    expect(exported.edges).toHaveLength(4);

    const dir = await mkdtemp(join(tmpdir(), 'designer-import-'));
    const file = join(dir, 'imported.json');
    await writeFile(file, JSON.stringify({ ...exported, name: 'Imported IVR' }));
    await page.getByLabel('Import a flow file').setInputFiles(file);
    await page.getByText('Imported “Imported IVR”.').waitFor();
    await page.getByRole('link', { name: 'Imported IVR', exact: true }).click();
    await node(page, 'media.menu').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(5);
    expect(await edgeCount(page)).toBe(4);
    expect(await node(page, 'media.menu').getByText('2 · Support desk').count()).toBe(1);

    await page.getByRole('button', { name: 'Back to flows' }).click();
    const again = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export Imported IVR' }).click();
    const roundTrip = JSON.parse(await readFile((await (await again).path())!, 'utf8'));
    expect(roundTrip.nodes).toEqual(exported.nodes);
    expect(roundTrip.edges).toEqual(exported.edges);
  });

  it('concurrent edits in two pages: apart they merge without a dialog; the same field shows both values to choose from, or keep mine as a copy', async () => {
    const pat = await browser.open('publisher');
    await signIn(pat.page, PUBLISHER.username, PUBLISHER.password);
    const eddie = await browser.open('editor');
    await signIn(eddie.page, EDITOR.username, EDITOR.password);
    await pat.page.goto(flowUrl);
    await eddie.page.goto(flowUrl);
    await node(pat.page, 'media.menu').waitFor();
    await node(eddie.page, 'media.menu').waitFor();
    // Presence: Pat sees Eddie by name (a beat on focus); a second tab of Pat's is called Pat's own.
    await pat.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await pat.page.getByText('eddie is editing').waitFor();
    const patTab = await browser.open('publisher-tab-2', { context: pat.context });
    await patTab.page.goto(flowUrl);
    await node(patTab.page, 'media.menu').waitFor();
    // (Pat's pages of the earlier tests are still open in that browser: one or more other tabs.)
    await patTab.page
      .getByText(/^You are editing this flow in (another tab|\d+ other tabs)$/)
      .waitFor();
    expect(await patTab.page.getByText('eddie is editing').count()).toBe(1);
    await patTab.page.close();

    const conflictDialog = (page: Page) =>
      page.getByRole('alertdialog', { name: 'This flow was changed by someone else' });

    // Eddie saves first; Pat's save of an older revision touches another node: merged, no dialog.
    await setLabel(eddie.page, 'call.answer', 'Pick up');
    await waitSaved(eddie.page);
    await setLabel(pat.page, 'media.menu', 'Main menu');
    await pat.page
      .getByText(
        'eddie saved this flow meanwhile; their changes and yours did not overlap and were merged.',
      )
      .waitFor();
    await waitSaved(pat.page);
    expect(await conflictDialog(pat.page).count()).toBe(0);
    await node(pat.page, 'call.answer').getByText('Pick up').waitFor();
    expect(await node(pat.page, 'media.menu').getByText('Main menu').count()).toBe(1);

    // Both label the transfer: Pat (behind now) sees both values and keeps Eddie's.
    await setLabel(eddie.page, 'call.transfer', 'To sales');
    await waitSaved(eddie.page);
    await setLabel(pat.page, 'call.transfer', 'Sales desk');
    const dialog = conflictDialog(pat.page);
    await dialog.waitFor();
    expect(await dialog.getByText('eddie', { exact: true }).count()).toBe(1);
    const choice = dialog.getByRole('radiogroup', { name: 'Sales desk · Label' });
    expect(await choice.getByText('Yours: Sales desk').count()).toBe(1);
    await choice.getByText("eddie's: To sales").click();
    await dialog.getByRole('button', { name: 'Save the merge' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await waitSaved(pat.page);
    await node(pat.page, 'call.transfer').getByText('To sales').waitFor();
    await node(pat.page, 'media.menu').getByText('Main menu').waitFor();

    // Now Pat is current and Eddie is behind: the same field again, and Eddie keeps his as a copy.
    await setLabel(pat.page, 'call.hangUp', 'Goodbye');
    await waitSaved(pat.page);
    await setLabel(eddie.page, 'call.hangUp', 'Bye');
    const eddieDialog = conflictDialog(eddie.page);
    await eddieDialog.waitFor();
    expect(await eddieDialog.getByText('pat', { exact: true }).count()).toBe(1);
    await eddieDialog.getByRole('button', { name: 'Keep mine as a copy' }).click();
    await eddie.page.getByRole('heading', { name: 'Main IVR (browser test) (my copy)' }).waitFor();
    expect(eddie.page.url()).not.toBe(flowUrl);
    await node(eddie.page, 'call.hangUp').getByText('Bye', { exact: true }).waitFor();
    // The original keeps Pat's version.
    await eddie.page.goto(flowUrl);
    await node(eddie.page, 'call.hangUp').getByText('Goodbye').waitFor();
    expect(await node(eddie.page, 'call.hangUp').getByText('Bye', { exact: true }).count()).toBe(0);
  });

  it('adds nodes from the keyboard, undoes and redoes, copies and pastes, and deletes', async () => {
    const { page } = await browser.open('publisher');
    await signIn(page, PUBLISHER.username, PUBLISHER.password);
    await createFlow(page, 'Keyboard flow');
    await page.getByRole('searchbox', { name: 'Search nodes' }).fill('play');
    await page.getByRole('button', { name: 'Play', exact: true }).focus();
    await page.keyboard.press('Enter');
    await node(page, 'media.play').waitFor();
    expect(await page.getByRole('button', { name: 'Menu', exact: true }).count()).toBe(0);

    await canvas(page).click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => node(page, 'media.play').count()).toBe(0);
    await page.keyboard.press('Shift+Control+z');
    await expect.poll(() => node(page, 'media.play').count()).toBe(1);

    await select(page, 'media.play');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => node(page, 'media.play').count()).toBe(2);
    await page.keyboard.press('Delete');
    await expect.poll(() => node(page, 'media.play').count()).toBe(1);

    // The clipboard also works in another flow of the same browser.
    await page.getByRole('button', { name: 'Back to flows' }).click();
    await createFlow(page, 'Second keyboard flow');
    await canvas(page).click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+v');
    await expect.poll(() => node(page, 'media.play').count()).toBe(1);
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await waitSaved(page);
  });

  it('publishes a second version with a visual diff, opens version 1 read-only, rolls back, and binds an entry point', async () => {
    const { page } = await browser.open('publisher');
    await signIn(page, PUBLISHER.username, PUBLISHER.password);
    await page.goto(flowUrl);
    await node(page, 'media.menu').waitFor();

    // Clicking a problem selects and centres its node.
    await problems(page)
      .getByRole('button', { name: /“No key pressed” of “Main menu”/ })
      .click();
    await page.locator('.react-flow__node.selected:has([data-node-type="media.menu"])').waitFor();
    expect(
      await page
        .getByRole('region', { name: 'Properties' })
        .getByRole('heading', { name: 'Menu' })
        .count(),
    ).toBe(1);

    await page.getByRole('button', { name: 'Publish' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish flow' });
    await dialog.getByText('Changes since version 1').waitFor();
    const changes = dialog.getByRole('list', { name: 'Changed nodes' });
    await changes.getByText('Pick up', { exact: true }).waitFor();
    expect(await changes.textContent()).toContain('Label: (empty) → Pick up');
    expect(
      await dialog
        .getByRole('region', { name: 'Changes on the canvas' })
        .locator('.sb-diff--changed')
        .count(),
    ).toBeGreaterThan(0);
    await dialog.getByLabel('Comment').fill('Friendlier labels');
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await dialog.getByText('Published as version 2.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: /^Versions/ }).click();
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByText('Version 2', { exact: true }).waitFor();
    await versions.getByRole('button', { name: 'Open version 1' }).click();
    await page.getByText('Version 1 · read-only').waitFor();
    await node(page, 'call.answer').waitFor();
    expect(await node(page, 'call.answer').getByText('Pick up').count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Node palette' }).count()).toBe(0);

    await page
      .getByRole('region', { name: 'Versions' })
      .getByRole('button', { name: 'Roll back to version 1' })
      .click();
    const rollback = page.getByRole('dialog', { name: 'Roll back to version 1' });
    await rollback.getByText('Your draft will be replaced by version 1.').waitFor();
    await rollback.getByLabel('Comment').fill('Back to the first labels');
    await rollback.getByRole('button', { name: 'Roll back and replace the draft' }).click();
    // The draft now holds version 1 (its labels), and the versions count moved on at once.
    await page.getByRole('button', { name: 'Versions (3)' }).waitFor();
    await node(page, 'call.answer').waitFor();
    expect(await node(page, 'call.answer').getByText('Pick up').count()).toBe(0);
    // So publishing now would bring back nothing that was rolled back.
    await page.getByRole('button', { name: 'Publish' }).click();
    const again = page.getByRole('dialog', { name: 'Publish flow' });
    await again.getByText('No changes to nodes.').waitFor();
    await again.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('tab', { name: 'Entry points' }).click();
    const address = page.getByRole('textbox', { name: 'Number or identity' });
    await address.fill('+1 425');
    await page.getByText(/This isn't a complete United States number/).waitFor();
    await address.fill('+14255550199');
    await page
      .getByLabel('Flow', { exact: true })
      .selectOption({ label: 'Main IVR (browser test)' });
    await page.getByRole('button', { name: 'Bind', exact: true }).click();
    const table = page.getByRole('table', { name: 'Entry points' });
    await table.getByText('+14255550199').waitFor();
    expect(await table.getByText('Latest (version 3)').count()).toBe(1);
  });
});
