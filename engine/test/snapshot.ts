import pg from 'pg';

/** Every row of every application table, to prove a refused request changed nothing. */
export async function snapshot(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ['Flow', 'FlowVersion', 'EntryPoint', 'User', 'ApiToken', 'AuditLog']) {
      const { rows } = await db.query(`SELECT * FROM "${table}" ORDER BY 1`);
      out[table] = rows;
    }
    return out;
  } finally {
    await db.end();
  }
}
