import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, type EngineConfig, loadConfig } from './config/config.js';
import type { SeededFlow } from './seed/seed-examples.js';

let config: EngineConfig;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`switchboard engine: ${e.message}`);
    process.exit(1);
  }
  throw e;
}

/**
 * Without ACS_CONNECTION_STRING, `npm start` runs the ACS emulator in this process, wired to the
 * engine: the configuration is read again with the emulator as its ACS (it is frozen once read).
 */
async function startLocalAcs(c: EngineConfig) {
  const { startEmulator } = await import('@switchboard/emulator');
  const emulator = await startEmulator({
    port: c.emulatorPort,
    host: '127.0.0.1',
    dataDir: join(c.dataDir, 'emulator'),
    logLevel: 'warn',
  });
  const wired = loadConfig({
    ...process.env,
    // The emulator's Event Grid deliveries carry a secret made for this start.
    ACS_EVENTGRID_SECRET: process.env.ACS_EVENTGRID_SECRET || randomBytes(24).toString('base64url'),
    ACS_CONNECTION_STRING: emulator.httpConnectionString,
    ACS_JWKS_URL: emulator.jwksUrl,
    ACS_CALLBACK_ISSUER: emulator.issuer,
    ACS_CALLBACK_AUDIENCE: emulator.audience,
    ACS_COGNITIVE_SERVICES_ENDPOINT: emulator.cognitiveServicesEndpoint,
    // Everything on this machine: HTTP request nodes may reach loopback (the emulator's demo
    // CRM that the caller-lookup example calls), unless the allow list is set.
    SWITCHBOARD_HTTP_ALLOW_HOSTS: process.env.SWITCHBOARD_HTTP_ALLOW_HOSTS ?? '127.0.0.1',
  });
  return { emulator, config: wired };
}

try {
  // Loaded after the configuration is known good, so a bad setting fails fast.
  const { startEngine } = await import('./app.js');
  const { seedExamples } = await import('./seed/seed-examples.js');
  let emulator: Awaited<ReturnType<typeof startLocalAcs>>['emulator'] | undefined;
  if (!config.acs.connectionString) ({ emulator, config } = await startLocalAcs(config));
  const engine = await startEngine(config);
  let seeded: SeededFlow[] = [];
  if (emulator) {
    const secret = config.acs.eventGridSecret;
    await emulator.control.addSubscription(
      `${engine.url}/api/acs/events${secret ? `?secret=${encodeURIComponent(secret)}` : ''}`,
    );
  }
  if (config.seedExamples) {
    seeded = await seedExamples(
      engine.app,
      config.examplesDir,
      emulator ? `${emulator.url}/demo/crm` : undefined,
    );
  }
  const lines = [
    '',
    `  Switchboard engine   ${engine.url}`,
    `  Designer             ${engine.url}/`,
    `  API docs             ${engine.url}/api/docs`,
    `  Metrics              ${engine.url}/metrics`,
    `  Database             ${config.databaseUrl ? 'DATABASE_URL' : `embedded Postgres in ${config.dataDir}/postgres`}`,
    emulator
      ? `  ACS emulator         ${emulator.url}   (control API ${emulator.url}/emulator)`
      : `  ACS                  ${config.acs.connectionString?.replace(/accesskey=.*/i, 'accesskey=***')}`,
    `  ACS callbacks to     ${config.acs.callbackBaseUrl || engine.url}/api/acs/callbacks`,
  ];
  if (engine.initialAdmin) {
    lines.push(
      `  Admin user           ${engine.initialAdmin.username}`,
      engine.initialAdmin.generated
        ? `  Admin password       ${engine.initialAdmin.password}   (shown once; change it or keep it safe)`
        : '  Admin password       from SWITCHBOARD_ADMIN_PASSWORD',
    );
  }
  for (const f of seeded) {
    lines.push(
      `  Example flow         ${f.name} v${f.version}${f.number ? ` ← ${f.number}` : ' (outbound: POST /api/runs)'}`,
    );
  }
  // The main IVR's number: the curl presses 1 for its sales menu.
  const ivr = seeded.find((f) => f.number === '+18005550100') ?? seeded.find((f) => f.number);
  if (emulator && ivr) {
    lines.push(
      '',
      '  Place a test call (press 1 for sales when the menu plays):',
      `    curl -s -X POST ${emulator.url}/emulator/calls -H 'content-type: application/json' \\`,
      `      -d '{"from":"+15551234567","to":"${ivr.number}","script":[{"on":"recognize","dtmf":"1"}]}'`,
      `  then look at it:  curl -s -b <session cookie> ${engine.url}/api/runs  (or the designer)`,
    );
  }
  console.log(`${lines.join('\n')}\n`);

  const shutdown = (signal: string) => {
    engine.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    engine
      .close()
      .then(() => emulator?.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          engine.logger.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (e) {
  console.error(
    `switchboard engine: could not start: ${e instanceof Error ? e.message : String(e)}`,
  );
  process.exit(1);
}
