import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';

/**
 * Applies `prisma/migrations/<name>/migration.sql` folders that are not yet applied, in name
 * order, each in its own transaction, and records them in `_prisma_migrations` exactly as
 * `prisma migrate deploy` does (same table, columns, checksum = sha256 hex of the file), so the
 * Prisma CLI, where it can run, sees the same history.
 *
 * Why not the CLI: `prisma migrate deploy` needs Prisma's native schema engine, downloaded at
 * run time from binaries.prisma.sh; this keeps `npm start` and the tests working offline and
 * gives one migration path for every deployment.
 */

/** Prisma's own advisory-lock key for migrations: the CLI and this migrator exclude each other. */
const MIGRATION_LOCK_KEY = 72707369;

/** The table as Prisma creates it (PostgreSQL flavour). */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const migrations: Migration[] = [];
  for (const entry of entries
    .filter((e) => e.isDirectory())
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = join(dir, entry.name, 'migration.sql');
    if (!existsSync(file)) continue;
    const bytes = await readFile(file);
    migrations.push({
      name: entry.name,
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return migrations;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function migrate(
  databaseUrl: string,
  migrationsDir: string,
  logger?: Logger,
): Promise<MigrateResult> {
  const migrations = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      );
      const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed.length > 0) {
        throw new Error(
          `Migration ${failed.map((r) => r.migration_name).join(', ')} failed earlier and was not resolved ` +
            `(see "_prisma_migrations".logs). Fix the database, then mark it rolled back ` +
            `(UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '...') ` +
            `or run \`prisma migrate resolve\`.`,
        );
      }
      const finished = new Map(
        rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r]),
      );
      const known = new Set(migrations.map((m) => m.name));
      for (const name of finished.keys()) {
        if (!known.has(name))
          logger?.warn({ migration: name }, 'applied migration not found locally');
      }
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        const done = finished.get(migration.name);
        if (done) {
          if (done.checksum !== migration.checksum) {
            logger?.warn(
              { migration: migration.name },
              'migration file changed after it was applied',
            );
          }
          result.alreadyApplied.push(migration.name);
          continue;
        }
        await apply(client, migration, logger);
        result.applied.push(migration.name);
      }
      return result;
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function apply(client: pg.Client, migration: Migration, logger?: Logger): Promise<void> {
  const id = randomUUID();
  const startedAt = new Date();
  try {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
      [id, migration.checksum, migration.name, startedAt],
    );
    await client.query('COMMIT');
    logger?.info({ migration: migration.name }, 'migration applied');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    // The transaction left nothing behind: record the attempt as rolled back (Prisma retries
    // rolled-back migrations) with the error in `logs`, and stop.
    const message = e instanceof Error ? e.message : String(e);
    await client
      .query(
        `INSERT INTO "_prisma_migrations"
           (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, NULL, $3, $4, now(), $5, 0)`,
        [id, migration.checksum, migration.name, message, startedAt],
      )
      .catch(() => undefined);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${message}`, {
      cause: e,
    });
  }
}
