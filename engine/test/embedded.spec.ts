import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';

describe('the engine with no DATABASE_URL', () => {
  let dataDir: string;
  let engine: Engine | undefined;
  afterAll(async () => {
    await engine?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts an embedded Postgres, migrates it, creates the admin, and reuses it on restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-embedded-'));
    const config = loadConfig({ SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    expect(config.databaseUrl).toBeUndefined();

    engine = await startEngine(config);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(engine.initialAdmin).toMatchObject({ username: 'admin', generated: true });
    const password = engine.initialAdmin!.password;
    const health = await fetch(`${engine.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
    await engine.close();
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    // Restart on the same folder: no second initialisation, no second admin, same password.
    engine = await startEngine(config);
    expect(engine.initialAdmin).toBeNull();
    const login = await fetch(`${engine.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
  });
});
