import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { migrate, readMigrations } from '../src/database/migrator.js';
import { Prisma, PrismaService } from '../src/database/prisma.service.js';
import { useTestDatabase } from './database.js';
import { validFlow } from './fixtures.js';

const migrationsDir = loadConfig({}).migrationsDir;

describe('migrations and the Prisma client', () => {
  const url = useTestDatabase({ migrate: false });
  let db: pg.Client;
  let prisma: PrismaService;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: url() });
    await db.connect();
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db.end();
  });

  it('applies every migration once, even when several engines migrate at the same time', async () => {
    const results = await Promise.all([
      migrate(url(), migrationsDir),
      migrate(url(), migrationsDir),
      migrate(url(), migrationsDir),
    ]);
    const migrations = await readMigrations(migrationsDir);
    expect(migrations.length).toBeGreaterThan(0);
    const applied = results.flatMap((r) => r.applied);
    expect(applied.sort()).toEqual(migrations.map((m) => m.name).sort());
    const again = await migrate(url(), migrationsDir);
    expect(again.applied).toEqual([]);
  });

  it('records them in _prisma_migrations as prisma migrate deploy does', async () => {
    const { rows: columns } = await db.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
      ['id', 'character varying', 'NO'],
      ['checksum', 'character varying', 'NO'],
      ['finished_at', 'timestamp with time zone', 'YES'],
      ['migration_name', 'character varying', 'NO'],
      ['logs', 'text', 'YES'],
      ['rolled_back_at', 'timestamp with time zone', 'YES'],
      ['started_at', 'timestamp with time zone', 'NO'],
      ['applied_steps_count', 'integer', 'NO'],
    ]);
    const { rows } = await db.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    for (const row of rows) {
      const sql = await readFile(join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('has a table with every column of every model the Prisma client knows', async () => {
    for (const model of Object.values(Prisma.ModelName)) {
      const fields = Object.values(
        (Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`]!,
      );
      const { rows } = await db.query(
        'SELECT column_name FROM information_schema.columns WHERE table_name = $1',
        [model],
      );
      expect(rows.map((r) => r.column_name).sort(), model).toEqual([...fields].sort());
    }
  });

  it('reads and writes every model through the Prisma client', async () => {
    prisma = new PrismaService(url());
    const user = await prisma.user.create({
      data: { username: 'u', role: 'viewer', passwordHash: 'x', createdBy: 'test' },
    });
    await prisma.session.create({
      data: { id: 's', userId: user.id, expiresAt: new Date(Date.now() + 1000) },
    });
    await prisma.apiToken.create({
      data: { name: 't', role: 'runner', tokenHash: 'h', prefix: 'p', createdBy: 'test' },
    });
    await prisma.auditLog.create({
      data: { actor: 'test', action: 'a', target: 't', details: { x: 1 } },
    });
    const flow = await prisma.flow.create({
      data: { name: 'f', draft: validFlow() as object, createdBy: 'test', updatedBy: 'test' },
    });
    await prisma.flowVersion.create({
      data: {
        flowId: flow.id,
        version: 1,
        document: validFlow() as object,
        checksum: 'c',
        publishedBy: 'test',
        copiedFrom: null,
      },
    });
    await prisma.entryPoint.create({
      data: { address: '+14255550100', flowId: flow.id, createdBy: 'test', updatedBy: 'test' },
    });
    const full = await prisma.user.findMany({ include: { sessions: true } });
    expect(full[0]!.sessions).toHaveLength(1);
    const f = await prisma.flow.findUniqueOrThrow({
      where: { id: flow.id },
      include: { versions: true, entryPoints: true },
    });
    expect(f.versions[0]!.document).toEqual(validFlow());
    expect(f.entryPoints[0]!.address).toBe('+14255550100');
    expect(await prisma.apiToken.count()).toBe(1);
    expect(await prisma.auditLog.count()).toBe(1);
    await expect(
      prisma.flowVersion.update({ where: { id: f.versions[0]!.id }, data: { comment: 'changed' } }),
    ).rejects.toThrow(/immutable/);
  });

  it('rolls a failing migration back, records it as rolled back, and applies it once fixed', async () => {
    const { mkdtemp, mkdir, writeFile, cp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-migrations-'));
    await cp(migrationsDir, dir, { recursive: true });
    await mkdir(join(dir, '29990101000000_broken'));
    await writeFile(
      join(dir, '29990101000000_broken', 'migration.sql'),
      'CREATE TABLE "Half" ("id" INT);\nSELECT nonsense_function();\n',
    );
    await expect(migrate(url(), dir)).rejects.toThrow(
      /29990101000000_broken failed and was rolled back/,
    );
    const half = await db.query(`SELECT to_regclass('"Half"') AS t`);
    expect(half.rows[0].t).toBeNull();
    const { rows } = await db.query(
      `SELECT * FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].rolled_back_at).not.toBeNull();
    expect(rows[0].finished_at).toBeNull();
    expect(rows[0].logs).toMatch(/nonsense_function/);

    await writeFile(
      join(dir, '29990101000000_broken', 'migration.sql'),
      'CREATE TABLE "Half" ("id" INT);\n',
    );
    expect((await migrate(url(), dir)).applied).toEqual(['29990101000000_broken']);
  });
});
