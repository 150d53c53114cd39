import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { adminCookie, engineUrl, signIn, skipBrowserTests, useBrowser } from './browser.js';

const TEMPLATES = ['Main IVR', 'After-hours message', 'Outbound reminder'];

async function flowByName(name: string): Promise<{ id: string; description: string }> {
  const res = await fetch(`${engineUrl()}/api/flows?limit=100`, {
    headers: { cookie: await adminCookie() },
  });
  const page = (await res.json()) as { items: { id: string; name: string }[] };
  const flow = page.items.find((f) => f.name === name);
  if (!flow) throw new Error(`no flow ${name}`);
  const detail = await fetch(`${engineUrl()}/api/flows/${flow.id}`, {
    headers: { cookie: await adminCookie() },
  });
  const body = (await detail.json()) as { id: string; draft: { description: string } };
  return { id: body.id, description: body.draft.description };
}

const problems = (page: Page) => page.getByRole('region', { name: 'Problems' });

describe.skipIf(skipBrowserTests)('first run in Chromium', () => {
  const browser = useBrowser();

  it('starts flows from templates with zero problems; import asks to replace a draft or name a new flow; success messages go stale', async () => {
    const seed = Date.now() % 100000;
    console.log(`first-run seed ${seed}`);
    const { page } = await browser.open('admin');
    await signIn(page, 'admin', inject('adminPassword'));

    for (const title of TEMPLATES) {
      await page.getByRole('button', { name: 'New flow' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Flow name').fill(`${title} ${seed}`);
      await dialog.getByRole('radio', { name: new RegExp(`^${title}:`) }).check();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await page.locator('.react-flow__node').first().waitFor();
      await expect
        .poll(() => problems(page).textContent())
        .toContain('Problems · 0 errors, 0 warnings');
      expect(await page.locator('.react-flow__node').count()).toBeGreaterThan(4);
      await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
      await page.getByRole('button', { name: 'Back to flows' }).click();
      await page.getByRole('table', { name: 'Flows' }).waitFor();
    }

    // A file named like an existing flow: a new flow with another name (offered), or its draft.
    const name = `Main IVR ${seed}`;
    const original = await flowByName(name);
    const exported = await (
      await fetch(`${engineUrl()}/api/flows/${original.id}/export`, {
        headers: { cookie: await adminCookie() },
      })
    ).json();
    const dir = await mkdtemp(join(tmpdir(), 'designer-first-run-'));
    const file = join(dir, 'flow.json');
    await writeFile(file, JSON.stringify({ ...exported, description: 'From the file' }));

    await page.getByLabel('Import a flow file').setInputFiles(file);
    const dialog = page.getByRole('dialog', { name: `Import “${name}”` });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Flow name').inputValue()).toBe(`${name} (2)`);
    await dialog.getByRole('button', { name: 'Import' }).click();
    const imported = page.getByText(`Imported as “${name} (2)”.`);
    await imported.waitFor();
    expect((await flowByName(`${name} (2)`)).description).toBe('From the file');
    expect((await flowByName(name)).description).not.toBe('From the file');

    await page.getByLabel('Import a flow file').setInputFiles(file);
    await dialog.waitFor();
    // Starting something else clears the last success message.
    expect(await imported.count()).toBe(0);
    await dialog
      .getByRole('radio', { name: new RegExp(`^Replace the draft of “${name}”`) })
      .check();
    await dialog.getByRole('button', { name: 'Replace the draft' }).click();
    const replaced = page.getByText(`Replaced the draft of “${name}” with the file.`);
    await replaced.waitFor();
    expect((await flowByName(name)).description).toBe('From the file');
    // And a success message does not stay for good.
    await replaced.waitFor({ state: 'detached', timeout: 15_000 });
  });
});
