import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { adminCookie, engineUrl, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { repoDir } from './environment.js';

/** A number of the emulated resource no other test file binds. */
const NUMBER = '+18005550107';
const SHOWN = '+1 800 555 0107';

async function call<T>(method: string, path: string, body?: unknown, headers = {}): Promise<T> {
  const res = await fetch(`${engineUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: await adminCookie(), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Flow {
  id: string;
  name: string;
  revision: number;
  draft: { name: string; nodes: { id: string; label?: string }[] };
}

async function flowNamed(name: string): Promise<Flow> {
  const page = await call<{ items: Flow[] }>('GET', '/api/flows?limit=100');
  const flow = page.items.find((f) => f.name === name);
  if (!flow) throw new Error(`no flow ${name}`);
  return call<Flow>('GET', `/api/flows/${flow.id}`);
}

const dialog = (page: Page) => page.getByRole('dialog');

describe.skipIf(skipBrowserTests)('safe live changes in Chromium', () => {
  const browser = useBrowser();

  it('asks before re-pointing, unbinding and archiving, names what changes, marks live versions and compares any two', async () => {
    const seed = Date.now() % 100000;
    console.log(`live-changes seed ${seed}`);
    const salesName = `Sales line ${seed}`;
    const example = JSON.parse(
      await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'),
    ) as Flow['draft'];
    const imported = await call<{ flow: Flow }>('POST', '/api/flows/import', {
      ...example,
      name: salesName,
    });
    await call('POST', `/api/flows/${imported.flow.id}/publish`, { comment: 'first' });
    const main = await flowNamed('Main IVR');
    await call('PUT', `/api/entry-points/${encodeURIComponent(NUMBER)}`, { flowId: main.id });
    const mainVersion = (
      await call<{ items: { version: number }[] }>('GET', `/api/flows/${main.id}/versions`)
    ).items.reduce((m, v) => Math.max(m, v.version), 0);

    const { page } = await browser.open('admin');
    await signIn(page, 'admin', inject('adminPassword'));
    await page.getByRole('tab', { name: 'Entry points' }).click();
    const table = page.getByRole('table', { name: 'Entry points' });
    const row = table.getByRole('row').filter({ hasText: NUMBER });
    await row.waitFor();

    // Re-pointing a bound number: the dialog says what it answers with now and will after.
    const form = page.getByRole('form', { name: 'Bind an entry point' });
    const bindTo = async () => {
      await form.getByRole('textbox', { name: 'Number or identity' }).fill(NUMBER);
      await form.getByRole('combobox', { name: 'Flow' }).selectOption({ label: salesName });
      // The flow's versions are loaded: "latest" can be named as a number.
      await form.locator('option', { hasText: 'Version 1' }).waitFor({ state: 'attached' });
      await form.getByRole('button', { name: 'Bind' }).click();
    };
    await bindTo();
    await dialog(page).getByText('Re-point a live number').waitFor();
    expect(await dialog(page).textContent()).toContain(
      `${SHOWN} now answers with Main IVR v${mainVersion}; it will answer with ${salesName} v1, and with each version published after it.`,
    );
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    expect(await row.textContent()).toContain('Main IVR');
    await bindTo();
    await dialog(page).getByRole('button', { name: 'Re-point' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    await row.filter({ hasText: salesName }).waitFor();

    // Unbinding asks too, naming what the number answers with.
    await row.getByRole('button', { name: `Unbind ${NUMBER}` }).click();
    expect(await dialog(page).textContent()).toContain(
      `${SHOWN} now answers with ${salesName} v1; once unbound, calls to it are not answered by any flow.`,
    );
    await dialog(page).getByRole('button', { name: 'Unbind' }).click();
    await row.waitFor({ state: 'detached' });
    // A number nobody answers yet is bound at once.
    await bindTo();
    await row.filter({ hasText: salesName }).waitFor();
    expect(await dialog(page).count()).toBe(0);

    // The flow list: the live badge, and archiving names the number (and cannot go ahead).
    await page.getByRole('tab', { name: 'Flows' }).click();
    const flowRow = page.getByRole('row').filter({ hasText: salesName });
    await flowRow.getByText(`Live v1: ${SHOWN}`).waitFor();
    await flowRow.getByRole('button', { name: `Archive ${salesName}` }).click();
    expect(await dialog(page).textContent()).toContain(`${SHOWN} answers with ${salesName} v1`);
    expect(await dialog(page).getByRole('button', { name: 'Archive' }).isDisabled()).toBe(true);
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();

    // Version 2 with a relabelled node: the number (following the latest) moves to it.
    const sales = await flowNamed(salesName);
    const draft = {
      ...sales.draft,
      nodes: sales.draft.nodes.map((n) => (n.id === 'menu' ? { ...n, label: 'Sales menu' } : n)),
    };
    await call('PUT', `/api/flows/${sales.id}/draft`, draft, {
      'if-match': String(sales.revision),
    });
    await call('POST', `/api/flows/${sales.id}/publish`, { comment: 'second' });

    await page.goto(`/#/flows/${sales.id}`);
    await page.getByRole('button', { name: /^Versions/ }).click();
    const versions = page.getByRole('region', { name: 'Versions' });
    const items = versions.getByRole('listitem');
    await items.filter({ hasText: 'Version 2' }).getByText(`Live v2: ${SHOWN}`).waitFor();
    expect(await items.filter({ hasText: 'Version 1' }).getByText(/Live/).count()).toBe(0);

    // Compare 1 with 2: the publish dialog's diff, on a canvas and as a list.
    await versions.getByRole('button', { name: 'Compare versions…' }).click();
    const compare = page.getByRole('dialog', { name: 'Compare versions' });
    await compare.getByText('Changes from version 1 to version 2').waitFor();
    const changed = compare.getByRole('list', { name: 'Changed nodes' });
    expect(await changed.textContent()).toContain('Label: Main menu → Sales menu');
    await compare.locator('.sb-diff--changed').first().waitFor();
    expect(await compare.locator('.sb-diff--changed').count()).toBe(1);
    // Version 2 against itself: nothing changed.
    await compare.getByRole('combobox', { name: 'From' }).selectOption('2');
    await compare.getByText('Changes from version 2 to version 2').waitFor();
    await compare.getByText('No changes to nodes.').waitFor();
    expect(await compare.locator('.sb-diff--changed').count()).toBe(0);
  });
});
