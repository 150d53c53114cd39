import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';

describe('configuration', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      port: 3000,
      host: '127.0.0.1',
      maxDocumentNodes: 5000,
      maxDocumentBytes: 5 * 1024 * 1024,
      logLevel: 'info',
    });
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.retention.runDays).toBe(30);
    expect(loadConfig({ SWITCHBOARD_RUN_RETENTION_DAYS: '1' }).retention.runDays).toBe(1);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['SWITCHBOARD_MAX_DOCUMENT_NODES', '-1'],
    ['SWITCHBOARD_ADMIN_PASSWORD', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['SWITCHBOARD_SECURE_COOKIES', 'maybe'],
    ['SWITCHBOARD_RUN_RETENTION_DAYS', '0'],
    ['SWITCHBOARD_RUN_RETENTION_DAYS', '1.5'],
    ['SWITCHBOARD_RUN_RETENTION_DAYS', 'month'],
    ['SWITCHBOARD_TRUST_PROXY_HOPS', '-1'],
    ['SWITCHBOARD_HTTP_ALLOW_HOSTS', '10.0.0.0/33'],
    ['SWITCHBOARD_HTTP_ALLOW_HOSTS', 'crm.internal,http://x'],
    ['SWITCHBOARD_SECRETS_KEY', 'too-short'],
    ['SWITCHBOARD_HTTP_MAX_RESPONSE_BYTES', '0'],
  ])('stops on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`${name}: .*\\(got "${value}"\\)`),
    );
  });

  it('names every bad setting at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'PORT',
        'LOG_LEVEL',
      ]);
    }
  });
});

describe('the engine entry point', () => {
  it('exits with a message naming a bad setting', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, PORT: 'eighty', SWITCHBOARD_MAX_DOCUMENT_BYTES: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT: must be a port number (got "eighty")');
    expect(result.stderr).toContain('SWITCHBOARD_MAX_DOCUMENT_BYTES');
  });
});

describe('configuration: settings that only make sense together, frozen once read', () => {
  const acs = `endpoint=https://contoso.communication.azure.com/;accesskey=${Buffer.from('k').toString('base64')}`;

  it('an ACS connection string without the callback token settings stops the engine, naming them', () => {
    const grid = { ACS_EVENTGRID_SECRET: 'event-grid-secret-for-tests' };
    expect(() => loadConfig({ ACS_CONNECTION_STRING: acs, ...grid })).toThrow(
      /ACS_CONNECTION_STRING is set, so the callback token settings must be too: set ACS_JWKS_URL or ACS_OPENID_CONFIG_URL and ACS_CALLBACK_AUDIENCE/,
    );
    expect(() =>
      loadConfig({ ACS_CONNECTION_STRING: acs, ACS_JWKS_URL: 'https://keys.example/k', ...grid }),
    ).toThrow(/set ACS_CALLBACK_AUDIENCE$/);
    const ok = loadConfig({
      ACS_CONNECTION_STRING: acs,
      ACS_OPENID_CONFIG_URL: 'https://acs.example/.well-known/openid',
      ACS_CALLBACK_AUDIENCE: 'resource-id',
      ...grid,
    });
    expect(ok.acs.audience).toBe('resource-id');
  });

  it('reads the HTTP allow list (host names, addresses, CIDRs) and a hex or base64 secrets key', () => {
    const config = loadConfig({
      SWITCHBOARD_HTTP_ALLOW_HOSTS: ' CRM.internal , 10.1.0.0/16,::1 ',
      SWITCHBOARD_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(config.http).toEqual({
      allowHosts: ['crm.internal', '10.1.0.0/16', '::1'],
      maxResponseBytes: 256 * 1024,
    });
    expect(loadConfig({ SWITCHBOARD_SECRETS_KEY: 'ab'.repeat(32) }).secretsKey).toBe(
      'ab'.repeat(32),
    );
  });

  it('is frozen: nothing can change a setting after start', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config.acs as { callbackBaseUrl: string }).callbackBaseUrl = 'https://elsewhere';
    }).toThrow(TypeError);
    expect(config.acs.callbackBaseUrl).toBe('');
  });
});
