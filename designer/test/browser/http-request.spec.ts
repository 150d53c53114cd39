import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signIn, skipBrowserTests, useBrowser } from './browser.js';

const SECRET = 'crm-token-from-the-browser-test';

const canvas = (page: Page) => page.getByRole('region', { name: 'Flow canvas' });
const problems = (page: Page) => page.getByRole('region', { name: 'Problems' });
const node = (page: Page, type: string): Locator =>
  page.locator(`.react-flow__node:has([data-node-type="${type}"])`);
const handle = (page: Page, type: string, id: string) =>
  node(page, type).locator(`.react-flow__handle[data-handleid="${id}"]`);

async function drag(page: Page, label: string, type: string, x: number, y: number) {
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

async function insertVariable(page: Page, field: string, variable: string) {
  await page.getByRole('button', { name: `Insert a variable into ${field}` }).click();
  await page.getByRole('menuitem', { name: variable, exact: true }).click();
}

describe.skipIf(skipBrowserTests)('HTTP request node and the environment, in Chromium', () => {
  const browser = useBrowser();

  it('an admin defines a value and a secret; a flow built with an HTTP request node offers and checks them', async () => {
    const { page } = await browser.open('admin');
    await signIn(page, 'admin', 'designer-test-admin-password');

    // The Environment page: a value, and a write-only secret.
    await page.getByRole('tab', { name: 'Environment' }).click();
    const valueForm = page.getByRole('form', { name: 'Set a value' });
    await valueForm.getByRole('textbox', { name: 'Name' }).fill('crm_url');
    await valueForm.getByText(/capital letters/).waitFor();
    await valueForm.getByRole('textbox', { name: 'Name' }).fill('LOOKUP_URL');
    await valueForm.getByRole('textbox', { name: 'Value' }).fill('https://crm.example.com/api');
    await valueForm.getByRole('button', { name: 'Save value' }).click();
    await page.getByRole('table', { name: 'Environment values' }).getByText('LOOKUP_URL').waitFor();
    const secretForm = page.getByRole('form', { name: 'Set a secret' });
    await secretForm.getByRole('textbox', { name: 'Name' }).fill('LOOKUP_TOKEN');
    await secretForm.getByLabel('Value (write-only)').fill(SECRET);
    await secretForm.getByRole('button', { name: 'Save secret' }).click();
    const secrets = page.getByRole('table', { name: 'Secrets' });
    await secrets.getByText('LOOKUP_TOKEN').waitFor();
    expect(await page.content()).not.toContain(SECRET);

    // A flow: incoming call → answer → HTTP request.
    await page.getByRole('tab', { name: 'Flows' }).click();
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByRole('dialog').getByLabel('Flow name').fill('Lookup (browser test)');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await canvas(page).waitFor();
    await drag(page, 'Incoming call', 'trigger.incomingCall', 130, 60);
    await drag(page, 'Answer', 'call.answer', 400, 60);
    await drag(page, 'HTTP request', 'data.httpRequest', 670, 60);
    await connect(page, 'trigger.incomingCall', 'next', 'call.answer');
    await connect(page, 'call.answer', 'connected', 'data.httpRequest');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    // Its outcomes come from the catalogue.
    for (const outcome of ['success', 'failed', 'timeout']) {
      await handle(page, 'data.httpRequest', outcome).waitFor();
    }

    await node(page, 'data.httpRequest').click({ position: { x: 20, y: 8 } });
    const url = page.getByRole('textbox', { name: 'URL' });
    await url.fill('');
    await insertVariable(page, 'URL', 'env.LOOKUP_URL');
    expect(await url.inputValue()).toBe('{{ env.LOOKUP_URL }}');
    // Not a field for secrets: none offered.
    await page.getByRole('button', { name: 'Insert a variable into URL' }).click();
    expect(await page.getByRole('menuitem', { name: 'secret.LOOKUP_TOKEN' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await url.fill('{{ env.LOOKUP_URL }}/customers/{{ call.from | url_encode }}');

    // A header: its value may take the secret.
    await page.getByRole('button', { name: 'Add header' }).click();
    const header = page.getByRole('group', { name: 'Header 1' });
    await header.getByRole('textbox', { name: 'Header' }).fill('Authorization');
    await header.getByRole('textbox', { name: 'Value' }).fill('Bearer ');
    await insertVariable(page, 'Value', 'secret.LOOKUP_TOKEN');
    expect(await header.getByRole('textbox', { name: 'Value' }).inputValue()).toBe(
      'Bearer {{ secret.LOOKUP_TOKEN }}',
    );
    await expect
      .poll(async () => (await problems(page).textContent()) ?? '', { timeout: 5000 })
      .toContain('0 errors');

    // An undefined name is an error that names it.
    await url.fill('{{ env.NOT_DEFINED }}/customers');
    await problems(page)
      .getByText(/no environment value “NOT_DEFINED”/)
      .first()
      .waitFor();
    await url.fill('{{ env.LOOKUP_URL }}/customers');
    await expect
      .poll(async () => (await problems(page).textContent()) ?? '', { timeout: 5000 })
      .toContain('0 errors');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
  });
});
