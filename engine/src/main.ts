import { ConfigError, loadConfig } from './config/config.js';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`switchboard engine: ${e.message}`);
    process.exit(1);
  }
  throw e;
}

try {
  // Loaded after the configuration is known good, so a bad setting fails fast.
  const { startEngine } = await import('./app.js');
  const engine = await startEngine(config);
  const lines = [
    '',
    `  Switchboard engine   ${engine.url}`,
    `  API docs             ${engine.url}/api/docs`,
    `  Database             ${config.databaseUrl ? 'DATABASE_URL' : `embedded Postgres in ${config.dataDir}/postgres`}`,
  ];
  if (engine.initialAdmin) {
    lines.push(
      `  Admin user           ${engine.initialAdmin.username}`,
      engine.initialAdmin.generated
        ? `  Admin password       ${engine.initialAdmin.password}   (shown once; change it or keep it safe)`
        : '  Admin password       from SWITCHBOARD_ADMIN_PASSWORD',
    );
  }
  console.log(`${lines.join('\n')}\n`);

  const shutdown = (signal: string) => {
    engine.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    engine.close().then(
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
