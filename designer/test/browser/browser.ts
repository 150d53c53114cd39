import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject, onTestFailed } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, designerDir } from './environment.js';

export const engineUrl = () => inject('engineUrl');
export const skipBrowserTests = !inject('engineUrl');
/** The control API of the emulator real calls go through (`npm start`'s in-process one). */
export const emulatorUrl = () => inject('emulatorUrl');

export interface Session {
  context: BrowserContext;
  page: Page;
}

/** API calls against the engine as admin (setting up users), outside the browser. */
export async function adminCookie(): Promise<string> {
  const res = await fetch(`${engineUrl()}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: inject('adminPassword') }),
  });
  if (!res.ok) throw new Error(`admin login: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** An engine API call as admin (test set-up and checks outside the browser); throws on an error status. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${engineUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: await adminCookie() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Imports a flow document as a new flow; its id. */
export async function importFlow(document: object): Promise<string> {
  const { flow } = await api<{ flow: { id: string } }>('POST', '/api/flows/import', document);
  return flow.id;
}

/** Creates a user (idempotent across test files: an existing name is fine). */
export async function ensureUser(username: string, role: string, password: string): Promise<void> {
  const res = await fetch(`${engineUrl()}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: await adminCookie() },
    body: JSON.stringify({ username, role, password }),
  });
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(`create user ${username}: ${res.status} ${await res.text()}`);
  }
}

/** One Chromium for the file; a fresh context (cookies, storage) per session. */
export function useBrowser() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (skipBrowserTests) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });

  return {
    /** A new browser context and page; screenshots every open page if the test fails. */
    async open(name: string, options: { context?: BrowserContext } = {}): Promise<Session> {
      const context =
        options.context ??
        (await browser!.newContext({
          baseURL: engineUrl(),
          viewport: { width: 1440, height: 900 },
          acceptDownloads: true,
        }));
      if (!options.context) contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[${name}] page error:`, e));
      onTestFailed(async ({ task }) => {
        const dir = join(designerDir, 'test-results');
        await mkdir(dir, { recursive: true });
        const file = `${task.name.replace(/[^A-Za-z0-9]+/g, '-')}-${name}.png`.slice(-120);
        await page.screenshot({ path: join(dir, file), fullPage: true }).catch(() => undefined);
        console.error(`screenshot: designer/test-results/${file}`);
      });
      return { context, page };
    },
  };
}

/** Signs in through the login page. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Flows' }).waitFor();
}
