import { type Emulator, startEmulator } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the demo CRM', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ logLevel: 'error' });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('answers a tier by the last digit, and 404 for unknown callers', async () => {
    const get = async (phone: string) => {
      const r = await fetch(`${emulator.url}/demo/crm/customers/${encodeURIComponent(phone)}`);
      return { status: r.status, body: (await r.json()) as { customer?: { tier: string } } };
    };
    expect((await get('+15551230001')).body.customer?.tier).toBe('gold');
    expect((await get('+15551230004')).body.customer?.tier).toBe('silver');
    expect((await get('+15551230007')).body.customer?.tier).toBe('bronze');
    expect((await get('+15551230009')).status).toBe(404);
    expect((await get('not-a-number')).status).toBe(404);
    const post = await fetch(`${emulator.url}/demo/crm/customers/+15551230001`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
