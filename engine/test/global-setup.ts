import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { createLogger } from '../src/logging/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the `postgres` database on this run's embedded server; test files create their own databases. */
    postgresUrl: string;
  }
}

/**
 * One embedded Postgres per test run, in a fresh folder under the OS temp dir on a free port,
 * so concurrent runs never share a server. Each test file creates its own database on it
 * (test/database.ts). DATABASE_URL_TEST points the run at an existing server instead.
 */
export default async function setup(project: TestProject) {
  const existing = process.env.DATABASE_URL_TEST;
  if (existing) {
    project.provide('postgresUrl', existing);
    return;
  }
  const base = await mkdtemp(join(tmpdir(), 'switchboard-engine-test-'));
  const server = await startEmbeddedPostgres({
    dataDir: join(base, 'pg'),
    logger: createLogger(process.env.TEST_PG_LOG ?? 'silent'),
    ephemeral: true,
  });
  project.provide('postgresUrl', server.url);
  return async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  };
}
