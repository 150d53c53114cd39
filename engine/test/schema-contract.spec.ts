import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config/config.js';
import { useTestDatabase } from './database.js';

/**
 * The migrations are hand-written SQL (Prisma's migration engine cannot run here), so nothing
 * but this test keeps them and the Prisma schema (prisma/schema/*.prisma) — which the client and
 * the runtime's SQL are typed against — from drifting apart. A fresh database is migrated and
 * compared with what the schema says: tables, columns (type, nullability, database default),
 * primary keys, unique and plain indexes (columns, order), foreign keys. What the schema cannot
 * express is listed below, each with the migration that made it, and checked as well.
 */

/** Indexes, storage options and triggers the migrations add by hand. */
const HAND_WRITTEN = {
  indexes: {
    // The reconciler reads running runs through it; a partial index keeps step updates HOT.
    Run_running_startedAt_id_idx: {
      table: 'Run',
      columns: ['startedAt', 'id'],
      where: `(status = 'running'::text)`,
    },
    // Test-run retention.
    Run_test_endedAt_idx: { table: 'Run', columns: ['endedAt'], where: 'test' },
    // Usernames unique regardless of case (20261201120000_login_protection); the plain unique
    // index on "username" stays for Prisma's findUnique.
    User_username_lower_key: {
      table: 'User',
      columns: ['lower(username)'],
      where: null,
      unique: true,
    },
  } as Record<string, { table: string; columns: string[]; where: string | null; unique?: boolean }>,
  reloptions: { Run: ['fillfactor=70'] } as Record<string, string[]>,
  triggers: ['FlowVersion_no_update_or_delete', 'FlowVersion_no_truncate'],
};

interface ModelField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attrs: string;
}

interface Model {
  name: string;
  fields: ModelField[];
  blockAttrs: string[];
}

/** The models and enums of prisma/schema/*.prisma (the subset of the language they use). */
function readSchema(): { models: Model[]; enums: Set<string> } {
  const dir = join(repoRoot(), 'prisma', 'schema');
  const text = readdirSync(dir)
    .filter((f) => f.endsWith('.prisma'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n')
    .replace(/\/\/.*$/gm, '');
  const models: Model[] = [];
  const enums = new Set<string>();
  for (const m of text.matchAll(/\b(model|enum)\s+(\w+)\s*\{([^}]*)\}/g)) {
    const [, kind, name, body] = m as unknown as [string, string, string, string];
    if (kind === 'enum') {
      enums.add(name);
      continue;
    }
    const fields: ModelField[] = [];
    const blockAttrs: string[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        blockAttrs.push(line);
        continue;
      }
      const f = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!f) throw new Error(`cannot read ${name}: ${line}`);
      fields.push({
        name: f[1]!,
        type: f[2]!,
        list: f[3] === '[]',
        optional: f[4] === '?',
        attrs: f[5] ?? '',
      });
    }
    models.push({ name, fields, blockAttrs });
  }
  return { models, enums };
}

const PG_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp without time zone',
  Json: 'jsonb',
  Float: 'double precision',
  Bytes: 'bytea',
};

/** `[a, b(sort: Desc)]` → ['a', 'b DESC'] */
const indexColumns = (list: string) =>
  list
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const m = /^(\w+)(?:\(sort:\s*(Asc|Desc)\))?$/.exec(c);
      if (!m) throw new Error(`index column ${c}`);
      return m[2] === 'Desc' ? `${m[1]} DESC` : m[1]!;
    });

interface Index {
  table: string;
  unique: boolean;
  columns: string[];
  where: string | null;
}

/** What the schema says the database holds. */
function expected() {
  const { models, enums } = readSchema();
  const modelNames = new Set(models.map((m) => m.name));
  const columns: Record<
    string,
    Record<string, { type: string; nullable: boolean; hasDefault: boolean }>
  > = {};
  const indexes: Record<string, Index> = {};
  const foreignKeys: string[] = [];
  /** "Model.field" of each list field → its element type. */
  const arrays: Record<string, string> = {};
  for (const model of models) {
    const cols: (typeof columns)[string] = {};
    for (const f of model.fields) {
      if (modelNames.has(f.type)) {
        // A relation field: the foreign key it declares, if it holds the fields.
        const rel =
          /@relation\([^)]*fields:\s*\[([^\]]*)\][^)]*references:\s*\[([^\]]*)\][^)]*\)/.exec(
            f.attrs,
          );
        if (rel) {
          const own = rel[1]!.split(',').map((s) => s.trim());
          foreignKeys.push(
            `${model.name}(${own.join(',')}) → ${f.type}(${rel[2]!.replace(/\s/g, '')})`,
          );
        }
        continue;
      }
      const scalar = enums.has(f.type) ? 'USER-DEFINED' : PG_TYPES[f.type];
      if (!scalar) throw new Error(`${model.name}.${f.name}: type ${f.type} is not mapped`);
      // A list (String[]) is an array column; its element type is checked below.
      const type = f.list ? 'ARRAY' : scalar;
      if (f.list) arrays[`${model.name}.${f.name}`] = scalar;
      const dflt = /@default\(([^)]*\)?)\)/.exec(f.attrs)?.[1];
      // uuid() and cuid() are made by the client; other defaults are the database's.
      const hasDefault = dflt !== undefined && !/^(uuid|cuid)\(\)$/.test(dflt);
      cols[f.name] = { type, nullable: f.optional, hasDefault };
      if (/@id\b/.test(f.attrs)) {
        indexes[`${model.name}_pkey`] = {
          table: model.name,
          unique: true,
          columns: [f.name],
          where: null,
        };
      }
      if (/@unique\b/.test(f.attrs)) {
        indexes[`${model.name}_${f.name}_key`] = {
          table: model.name,
          unique: true,
          columns: [f.name],
          where: null,
        };
      }
    }
    columns[model.name] = cols;
    for (const a of model.blockAttrs) {
      const m = /^@@(id|unique|index)\((\[[^\]]*\])/.exec(a);
      if (!m) continue;
      const cs = indexColumns(m[2]!);
      const bare = cs.map((c) => c.replace(/ DESC$/, ''));
      const name =
        m[1] === 'id'
          ? `${model.name}_pkey`
          : `${model.name}_${bare.join('_')}_${m[1] === 'unique' ? 'key' : 'idx'}`;
      indexes[name] = { table: model.name, unique: m[1] !== 'index', columns: cs, where: null };
    }
  }
  for (const [name, ix] of Object.entries(HAND_WRITTEN.indexes)) {
    indexes[name] = {
      table: ix.table,
      unique: ix.unique ?? false,
      columns: ix.columns,
      where: ix.where,
    };
  }
  return { columns, arrays, indexes, foreignKeys: foreignKeys.sort() };
}

/**
 * Partitions of a partitioned table (20261211000000_step_partitions) are tables of their own to
 * the catalog; the schema describes their parent, which is compared. The partitioning itself is
 * checked below.
 */
const IS_PARTITION = (tableName: string) =>
  `EXISTS (SELECT 1 FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace
     WHERE pn.nspname = 'public' AND pc.relname = ${tableName} AND pc.relispartition)`;

describe('schema contract: the migrated database is what the Prisma schema says', () => {
  const url = useTestDatabase();
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: url() });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
  });
  const want = expected();

  it('has every table and column, with its type, nullability and default', async () => {
    const { rows } = await db.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
         AND NOT ${IS_PARTITION('table_name')}`,
    );
    const got: typeof want.columns = {};
    for (const r of rows) {
      (got[r.table_name] ??= {})[r.column_name] = {
        type: r.data_type,
        nullable: r.is_nullable === 'YES',
        hasDefault: r.column_default !== null,
      };
    }
    expect(got).toEqual(want.columns);
  });

  it('has array columns of the element type the schema says', async () => {
    const { rows } = await db.query<{ name: string; element: string }>(
      `SELECT c.table_name || '.' || c.column_name AS name, e.data_type AS element
       FROM information_schema.columns c JOIN information_schema.element_types e
         ON e.object_catalog = c.table_catalog AND e.object_schema = c.table_schema
        AND e.object_name = c.table_name AND e.object_type = 'TABLE'
        AND e.collection_type_identifier = c.dtd_identifier
       WHERE c.table_schema = 'public' AND c.data_type = 'ARRAY'
         AND NOT ${IS_PARTITION('c.table_name')}`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.element]))).toEqual(want.arrays);
  });

  it('has exactly the indexes the schema declares, plus the hand-written ones', async () => {
    const { rows } = await db.query<{
      name: string;
      table: string;
      unique: boolean;
      columns: string[];
      where: string | null;
    }>(
      `SELECT i.relname AS name, t.relname AS "table", x.indisunique AS unique,
              pg_get_expr(x.indpred, x.indrelid) AS "where",
              array(SELECT pg_get_indexdef(x.indexrelid, k + 1, true)
                       || CASE WHEN x.indoption[k] & 1 = 1 THEN ' DESC' ELSE '' END
                    FROM generate_subscripts(x.indkey, 1) AS k ORDER BY k) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations' AND NOT t.relispartition`,
    );
    const got = Object.fromEntries(
      rows.map((r) => [
        r.name,
        {
          table: r.table,
          unique: r.unique,
          columns: r.columns.map((c) => c.replace(/"/g, '')),
          where: r.where,
        },
      ]),
    );
    expect(got).toEqual(want.indexes);
  });

  it('has the foreign keys of the schema’s relations, and no others', async () => {
    const { rows } = await db.query<{ fk: string }>(
      `SELECT format('%s(%s) → %s(%s)', c.conrelid::regclass::text,
                (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(a, n)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.a),
                c.confrelid::regclass::text,
                (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(a, n)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.a)) AS fk
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE c.contype = 'f' AND n.nspname = 'public'`,
    );
    expect(rows.map((r) => r.fk.replace(/"/g, '')).sort()).toEqual(want.foreignKeys);
  });

  it('partitions the step table by range of its run start time, with a default partition', async () => {
    const { rows } = await db.query<{ table: string; key: string }>(
      `SELECT c.relname AS "table", pg_get_partkeydef(c.oid) AS key
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'p'`,
    );
    expect(rows).toEqual([{ table: 'RunStep', key: 'RANGE ("runStartedAt")' }]);
    const parts = await db.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = '"RunStep"'::regclass`,
    );
    expect(parts.rows).toContainEqual({ name: 'RunStep_default', bound: 'DEFAULT' });
    for (const p of parts.rows.filter((r) => r.name !== 'RunStep_default')) {
      const m = /^RunStep_p(\d{4})(\d{2})(\d{2})$/.exec(p.name);
      expect(m, p.name).not.toBeNull();
      const day = `${m![1]}-${m![2]}-${m![3]}`;
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(p.bound).toBe(`FOR VALUES FROM ('${day} 00:00:00') TO ('${next} 00:00:00')`);
    }
  });

  it('has the hand-written storage options and triggers', async () => {
    const { rows } = await db.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reloptions IS NOT NULL`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.relname, r.reloptions]))).toEqual(
      HAND_WRITTEN.reloptions,
    );
    const triggers = await db.query<{ tgname: string }>(
      `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`,
    );
    expect(triggers.rows.map((r) => r.tgname)).toEqual([...HAND_WRITTEN.triggers].sort());
  });
});
