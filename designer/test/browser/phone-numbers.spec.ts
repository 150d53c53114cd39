import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateFlow, type FlowDocument } from '@switchboard/flow';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { api, ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { repoDir } from './environment.js';

/**
 * The phone-number box in real Chromium: national numbers read in a default country and saved
 * as E.164, the country picked by name, a short number explained in plain words and marked on
 * the canvas, the caller-ID requirement shown on a fresh node, the workspace's own numbers
 * offered as caller IDs, and app user ids still taken in target fields.
 */
const ANALYST = { username: 'noor', password: 'noor-password-1', role: 'publisher' };

async function selectByFind(page: Page, text: string) {
  await page.keyboard.press('Control+f');
  const box = page.getByRole('searchbox', { name: 'Find in flow' });
  await box.fill(text);
  await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
  await box.press('Escape');
}

/** The text that describes a control (its aria-describedby targets). */
async function description(control: Locator): Promise<string> {
  return control.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' | '),
  );
}

async function savedDraft(flowId: string): Promise<FlowDocument> {
  return (await api<{ draft: FlowDocument }>('GET', `/api/flows/${flowId}`)).draft;
}

describe.skipIf(skipBrowserTests)('phone numbers in Chromium', () => {
  const browser = useBrowser();

  it('reads national numbers in a chosen country, explains problems, shows requirements up front', async () => {
    const seed = Date.now() % 10000;
    console.log(`phone-numbers seed ${seed}`);
    const ownNumber = `+1800555${String(seed).padStart(4, '0')}`;
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    const example = JSON.parse(
      await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'),
    ) as FlowDocument;
    const name = `Phone numbers IVR ${seed} (browser test)`;
    const { flow } = await api<{ flow: { id: string } }>('POST', '/api/flows/import', {
      ...example,
      name,
    });
    await api('POST', `/api/flows/${flow.id}/publish`, { comment: 'to bind a number' });
    await api('PUT', `/api/entry-points/${encodeURIComponent(ownNumber)}`, { flowId: flow.id });

    const { page } = await browser.open('analyst');
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.goto(`/#/flows/${encodeURIComponent(flow.id)}`);
    await page
      .locator('.react-flow__node')
      .nth(example.nodes.length - 1)
      .waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 300, y: 40 } });

    // A national number in the browser's country (en-US): saved as E.164, said under the box.
    await selectByFind(page, 'Transfer to sales');
    const target = page.getByRole('textbox', { name: 'Transfer to' });
    const country = page.getByRole('combobox', { name: 'Country for Transfer to' });
    expect(await country.inputValue()).toBe('United States +1');
    await target.fill('');
    await target.pressSequentially('(425) 555-0100');
    await page.getByText('Saved as +1 425-555-0100 (+14255550100)').waitFor();
    expect(await description(target)).toContain('Saved as +1 425-555-0100 (+14255550100)');
    expect(await target.inputValue()).toBe('(425) 555-0100');
    const sales = () =>
      savedDraft(flow.id).then(
        (d) => (d.nodes.find((n) => n.id === 'sales')!.config as { target: string }).target,
      );
    await expect.poll(sales, { timeout: 10_000 }).toBe('+14255550100');

    // The United Kingdom, found by name: "020 7946 0958" is +442079460958.
    await country.click();
    await country.fill('');
    await country.pressSequentially('united k');
    await page.getByRole('option', { name: 'United Kingdom +44' }).click();
    await expect.poll(() => country.inputValue()).toBe('United Kingdom +44');
    await target.fill('020 7946 0958');
    await page.getByText('Saved as +44 20 7946 0958 (+442079460958)').waitFor();
    await expect.poll(sales, { timeout: 10_000 }).toBe('+442079460958');

    // Too short: the problem in plain words, the typed text kept, the node marked on the canvas.
    const summary = page.locator('.react-flow__node[data-id="sales"] .sb-node__summary');
    await target.fill('020 7946');
    const problem = page.getByText(
      "This isn't a complete United Kingdom number: it is too short. United Kingdom numbers look like 0121 234 5678.",
    );
    await problem.waitFor();
    expect(await description(target)).toContain("This isn't a complete United Kingdom number");
    expect(await target.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => summary.getAttribute('class')).toContain('sb-node__summary--invalid');
    await expect.poll(sales, { timeout: 10_000 }).toBe('020 7946');
    expect(
      validateFlow(await savedDraft(flow.id)).some(
        (i) => i.severity === 'error' && i.nodeId === 'sales',
      ),
    ).toBe(true);
    await target.fill('+44 20 7946 0958');
    await expect.poll(() => summary.getAttribute('class')).not.toContain('--invalid');
    // Written as "+" and digits but too short for its country: marked on the canvas as well.
    await target.fill('+1425');
    await expect.poll(() => summary.getAttribute('class')).toContain('sb-node__summary--invalid');
    await expect.poll(sales, { timeout: 10_000 }).toBe('+1425');
    await target.fill('+44 20 7946 0958');
    await expect.poll(() => summary.getAttribute('class')).not.toContain('--invalid');

    // A fresh Add participant: the caller-ID requirement shows before anything is typed, and
    // the workspace's own numbers are offered.
    await page.getByRole('button', { name: 'Add participant', exact: true }).focus();
    await page.keyboard.press('Enter');
    // The example has one already ("Add support agent"); the new one is selected.
    const added = page.locator(
      '.react-flow__node.selected:has([data-node-type="call.addParticipant"]):not([data-id="support"])',
    );
    await added.waitFor();
    const callerId = page.getByRole('textbox', { name: /^Caller ID/ });
    await callerId.waitFor();
    expect(await callerId.inputValue()).toBe('');
    await page.getByText('Needed when adding a phone number').waitFor();
    const required = () =>
      callerId.evaluate(
        (el) => (el as HTMLInputElement).required || el.getAttribute('aria-required') === 'true',
      );
    expect(await required()).toBe(true);
    // Chosen in one box, the United Kingdom is the default in the next (the last choice).
    expect(await page.getByRole('combobox', { name: 'Country for Add' }).inputValue()).toBe(
      'United Kingdom +44',
    );

    // An app user id is taken as it is; a caller ID is then optional.
    const addTarget = page.getByRole('textbox', { name: 'Add', exact: true });
    await addTarget.fill('8:acs:resource_user-1');
    await page.getByText('Saved as a Communication Services app user').waitFor();
    await expect.poll(required).toBe(false);
    // The flow's validator runs a moment after typing; then the target has no problem.
    await expect.poll(() => addTarget.getAttribute('aria-invalid')).toBe(null);

    // The number bound on the Entry points page, picked with one click.
    const suggestions = page.getByRole('group', { name: /^Suggested Caller ID/ });
    await suggestions.getByRole('button', { name: `· ${name}` }).click();
    const addedId = (await added.getAttribute('data-id'))!;
    await expect
      .poll(
        async () =>
          (await savedDraft(flow.id)).nodes.find((n) => n.id === addedId)?.config as
            { target: string; callerId: string } | undefined,
        { timeout: 10_000 },
      )
      .toEqual(expect.objectContaining({ target: '8:acs:resource_user-1', callerId: ownNumber }));
    const draft = await savedDraft(flow.id);
    expect(
      validateFlow(draft).filter(
        (i) =>
          i.severity === 'error' &&
          (i.nodeId === 'sales' || i.nodeId === addedId) &&
          i.path.includes('config'),
      ),
    ).toEqual([]);

    // The test panel too: a number it cannot read is said before any call is placed.
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Test call' });
    const caller = panel.getByRole('textbox', { name: 'Caller number' });
    expect(await caller.inputValue()).toBe('+15551230000');
    await caller.fill('020 79');
    await panel.getByRole('button', { name: 'Call', exact: true }).click();
    await panel.getByText('Check these numbers first:').waitFor();
    await panel
      .getByText("Caller number: This isn't a complete United Kingdom number", { exact: false })
      .waitFor();
    await caller.fill('020 7946 0958');
    await panel.getByText('Saved as +44 20 7946 0958 (+442079460958)').waitFor();

    // The Entry points page uses the same box: a national number in the last country chosen.
    await page.getByRole('tab', { name: 'Entry points' }).click();
    const address = page.getByRole('textbox', { name: 'Number or identity' });
    await address.fill('020 7946 0999');
    await page.getByText('Saved as +44 20 7946 0999 (+442079460999)').waitFor();
  });
});
