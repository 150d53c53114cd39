import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createDatabase, dropDatabase } from '../src/database/embedded-postgres.js';
import { migrate } from '../src/database/migrator.js';

/**
 * Gives the calling test file its own migrated database `test_<random>` on the run's server,
 * dropped after the file. Returns a getter for its URL (available from beforeAll on).
 */
export function useTestDatabase(options: { migrate?: boolean } = {}): () => string {
  const serverUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  let url: string | undefined;
  beforeAll(async () => {
    url = await createDatabase(serverUrl, name);
    if (options.migrate !== false) await migrate(url, loadConfig({}).migrationsDir);
  });
  afterAll(async () => {
    await dropDatabase(serverUrl, name);
  });
  return () => {
    if (!url) throw new Error('the test database exists from beforeAll on');
    return url;
  };
}
