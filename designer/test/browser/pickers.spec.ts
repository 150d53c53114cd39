import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateFlow, type FlowDocument } from '@switchboard/flow';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { api, ensureUser, signIn, skipBrowserTests, useBrowser } from './browser.js';
import { repoDir } from './environment.js';

/**
 * Pickers instead of plumbing, in real Chromium: a time zone found by its city, opening times
 * and a holiday picked rather than typed, a voice picked by language, advanced settings folded
 * away, and a summary that shows an invalid value as such. The saved draft is valid.
 */
const ANALYST = { username: 'pia', password: 'pia-password-1', role: 'editor' };

/** Selects a node through Ctrl+F (it may be out of view). */
async function selectByFind(page: Page, text: string) {
  await page.keyboard.press('Control+f');
  const box = page.getByRole('searchbox', { name: 'Find in flow' });
  await box.fill(text);
  await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
  await box.press('Escape');
}

describe.skipIf(skipBrowserTests)('pickers in Chromium', () => {
  const browser = useBrowser();

  it('picks a time zone by city, times, a holiday and a voice by language; folds advanced settings; marks an invalid summary', async () => {
    await ensureUser(ANALYST.username, ANALYST.role, ANALYST.password);
    const example = JSON.parse(
      await readFile(join(repoDir, 'flow/examples/main-ivr.json'), 'utf8'),
    ) as FlowDocument;
    const { flow } = await api<{ flow: { id: string } }>('POST', '/api/flows/import', {
      ...example,
      name: 'Pickers IVR (browser test)',
    });
    const { page } = await browser.open('analyst');
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page, ANALYST.username, ANALYST.password);
    await page.goto(`/#/flows/${encodeURIComponent(flow.id)}`);
    await page
      .locator('.react-flow__node')
      .nth(example.nodes.length - 1)
      .waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 300, y: 40 } });

    // Time zone: "London" finds Europe/London.
    await selectByFind(page, 'Open now?');
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await zone.click();
    await zone.fill('');
    await zone.pressSequentially('London');
    await page.getByRole('option', { name: /^London — Europe\/London/ }).click();
    await expect.poll(() => zone.inputValue()).toBe('Europe/London');

    // Opening times from the time picker, "until midnight" included.
    const monday = page.getByRole('group', { name: 'Mon', exact: true });
    const period = monday.getByRole('group', { name: 'Period 1' });
    await period.getByRole('combobox', { name: 'From' }).click();
    await page.getByRole('option', { name: '07:30', exact: true }).click();
    await period.getByRole('combobox', { name: 'To' }).click();
    await page.getByRole('option', { name: '24:00 (midnight)' }).click();

    // A holiday from the date picker.
    await page.getByRole('button', { name: 'Add holiday' }).click();
    const dates = page.getByRole('group', { name: 'Holidays' }).locator('input[type="date"]');
    const holidays = example.nodes.find((n) => n.id === 'hours')!.config as { holidays: string[] };
    await expect.poll(() => dates.count()).toBe(holidays.holidays.length + 1);
    expect(await dates.last().getAttribute('aria-label')).toBe(
      `Holiday ${holidays.holidays.length + 1}`,
    );
    await dates.last().fill('2027-03-17');

    // Voices, grouped by language: "French" shows the French voices of France and Canada.
    await selectByFind(page, 'Closed message');
    const voice = page.getByRole('combobox', { name: 'Voice' });
    await voice.click();
    await voice.fill('');
    await voice.pressSequentially('French');
    const listbox = page.getByRole('listbox');
    await expect.poll(() => listbox.getByRole('option').count()).toBe(4);
    expect(await listbox.getByRole('group').allTextContents()).toEqual([
      expect.stringContaining('French (France) · fr-FR'),
      expect.stringContaining('French (Canada) · fr-CA'),
    ]);
    await voice.fill('');
    await voice.pressSequentially('Sonia');
    await page.getByRole('option', { name: /Sonia \(female\) — en-GB-SoniaNeural/ }).click();
    await expect.poll(() => voice.inputValue()).toBe('en-GB-SoniaNeural');

    // Advanced: SIP and VoIP headers are folded away until asked for.
    await selectByFind(page, 'Transfer to sales');
    const advanced = page.getByRole('button', { name: 'Advanced' });
    expect(await advanced.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('group', { name: 'SIP headers' }).count()).toBe(0);
    await advanced.click();
    await page.getByRole('group', { name: 'SIP headers' }).waitFor();
    expect(await page.getByRole('group', { name: 'VoIP headers' }).count()).toBe(1);

    // An invalid value is marked on the canvas, not summarised as if it were fine.
    const target = page.getByRole('textbox', { name: 'Transfer to' });
    const summary = page.locator('.react-flow__node[data-id="sales"] .sb-node__summary');
    await target.fill('+1 425');
    await expect.poll(() => summary.getAttribute('class')).toContain('sb-node__summary--invalid');
    expect(await summary.textContent()).toMatch(/^Fix: /);
    await target.fill('+14255550100');
    await expect.poll(() => summary.getAttribute('class')).not.toContain('--invalid');

    // The draft the pickers wrote is valid, with exactly what was picked.
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    const saved = await api<{ draft: FlowDocument }>('GET', `/api/flows/${flow.id}`);
    const config = (id: string) => saved.draft.nodes.find((n) => n.id === id)!.config as never;
    const hours = config('hours') as {
      timezone: string;
      weekly: { mon: { from: string; to: string }[] };
      holidays: string[];
    };
    expect(hours.timezone).toBe('Europe/London');
    expect(hours.weekly.mon[0]).toEqual({ from: '07:30', to: '24:00' });
    expect(hours.holidays).toEqual([...holidays.holidays, '2027-03-17']);
    expect((config('closedMessage') as { voice: string }).voice).toBe('en-GB-SoniaNeural');
    expect(validateFlow(saved.draft).filter((i) => i.severity === 'error')).toEqual([]);
  });
});
