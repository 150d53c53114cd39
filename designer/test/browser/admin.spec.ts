import { describe, expect, inject, it } from 'vitest';
import { ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';

describe.skipIf(skipBrowserTests)('admin pages in Chromium', () => {
  const browser = useBrowser();

  it('adds and deletes a user, creates and revokes a token, and filters the audit log by who, what and when', async () => {
    const seed = Date.now() % 100000;
    console.log(`admin seed ${seed}`);
    const { page } = await browser.open('admin');
    await signIn(page, 'admin', inject('adminPassword'));
    await page.getByRole('tab', { name: 'Admin' }).click();

    // Users: a generated password is shown once; deleting asks first.
    const users = page.getByRole('region', { name: 'Users' });
    const username = `ada-${seed}`;
    await users.getByRole('textbox', { name: 'User name' }).fill(username);
    await users.getByRole('combobox', { name: 'Role' }).selectOption('viewer');
    await users.getByRole('button', { name: 'Add user' }).click();
    const secret = users.getByLabel(`Password of ${username}`);
    await secret.waitFor();
    expect((await secret.textContent())!.length).toBeGreaterThanOrEqual(12);
    const row = users.getByRole('row').filter({ hasText: username });
    await row.waitFor();
    expect(await row.textContent()).toContain('viewer');
    await row.getByRole('button', { name: `Delete ${username}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${username}` });
    expect(await confirm.textContent()).toContain('can no longer sign in');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });

    // Tokens: the secret once, then revoked.
    await page.getByRole('tab', { name: 'API tokens' }).click();
    const tokens = page.getByRole('region', { name: 'API tokens' });
    const tokenName = `ci-${seed}`;
    await tokens.getByRole('textbox', { name: 'Token name' }).fill(tokenName);
    await tokens.getByRole('button', { name: 'Create token' }).click();
    await tokens.getByLabel(`Token ${tokenName}`).waitFor();
    const tokenRow = tokens.getByRole('row').filter({ hasText: tokenName });
    expect(await tokenRow.textContent()).toContain('runner');
    await tokenRow.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    await page
      .getByRole('dialog', { name: `Revoke ${tokenName}` })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await tokenRow.getByText(/^Revoked/).waitFor();

    // The audit log: what was just done is there, and the filters narrow it.
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const audit = page.getByRole('region', { name: 'Audit log' });
    const table = audit.getByRole('table', { name: 'Audit log entries' });
    await table.waitFor();
    const rows = () => table.getByRole('row').count();
    const total = (await rows()) - 1;
    expect(total).toBeGreaterThan(2);
    const what = audit.getByRole('combobox', { name: 'What' });
    const revokeAction = (
      await what
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
    ).find((v) => /revoke/i.test(v));
    expect(revokeAction).toBeTruthy();
    await what.selectOption(revokeAction!);
    await expect.poll(async () => (await rows()) - 1).toBeLessThan(total);
    const actions = await table
      .getByRole('row')
      .evaluateAll((trs) => trs.slice(1).map((tr) => tr.children[2]?.textContent));
    expect(new Set(actions)).toEqual(new Set([revokeAction]));
    await what.selectOption('');
    const who = audit.getByRole('combobox', { name: 'Who' });
    const actors = await who
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    await who.selectOption(actors[0]!);
    const byWho = await table
      .getByRole('row')
      .evaluateAll((trs) => trs.slice(1).map((tr) => tr.children[1]?.textContent));
    expect(new Set(byWho)).toEqual(new Set([actors[0]]));
    await who.selectOption('');
    // When: from tomorrow, nothing.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await audit.getByLabel('From').fill(local);
    await audit.getByText(`0 of ${total} entries`).waitFor();
  });

  it('shows the Admin section to admins only', async () => {
    await ensureUser('vera', 'viewer', 'vera-password-1');
    const { page } = await browser.open('viewer');
    await signIn(page, 'vera', 'vera-password-1');
    expect(await page.getByRole('tab', { name: 'Admin' }).count()).toBe(0);
  });
});
