import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/database/embedded-postgres.js';
import { freshNumber, publish, reminderFlow, waitFor } from './calls.js';
import { useEngine } from './engine.js';

// A host whose local time is not UTC (set before the engine starts; Node applies TZ at once).
process.env.TZ = 'America/New_York';

/**
 * Times the runtime writes with plain `pg` (run start, steps, deadlines, the outbox) and those
 * Prisma writes and reads must agree on one clock (UTC) whatever the host's time zone: a
 * deadline written as New York wall time would look five hours overdue to the reconciler.
 */
describe('timestamps on a host outside UTC', () => {
  // ACS takes the outbound call's request and never answers: the run waits on it.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => sockets.add(s));
  const env: Record<string, string> = {
    ACS_REQUEST_TIMEOUT_MS: '60000',
    ACS_MAX_RETRIES: '0',
    // Nothing calls back here; the engine only needs the settings to start with an ACS.
    ACS_JWKS_URL: 'http://127.0.0.1:9/calling/keys',
    ACS_CALLBACK_AUDIENCE: 'test',
    ACS_EVENTGRID_SECRET: 'event-grid-secret-for-tests',
  };
  beforeAll(async () => {
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    env.ACS_CONNECTION_STRING = `endpoint=http://127.0.0.1:${port}/;accesskey=${Buffer.from('k'.repeat(32)).toString('base64')}`;
  });
  const t = useEngine(env);
  // (Registered after the engine's: runs before its shutdown, which waits for the request.)
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('stores and reports UTC instants, and deadlines in the future', async () => {
    expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(300);
    const { flowId } = await publish(t, reminderFlow());
    const before = Date.now();
    const started = await t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [freshNumber()] },
    });
    expect(started.status).toBe(201);
    const run = await waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${started.body.id}`);
      return r.body.steps?.length > 0 ? r.body : undefined;
    }, 'first step');
    const near = (iso: string) => Math.abs(new Date(iso).getTime() - before) < 60_000;
    expect(run.status).toBe('running');
    expect(near(run.startedAt), run.startedAt).toBe(true);
    expect(near(run.steps[0].receivedAt), run.steps[0].receivedAt).toBe(true);
    expect(near(run.steps[0].committedAt), run.steps[0].committedAt).toBe(true);

    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const r = await db.query(
        `SELECT extract(epoch FROM (deadline - (now() AT TIME ZONE 'UTC')))::float AS "deadlineIn",
                extract(epoch FROM ((now() AT TIME ZONE 'UTC') - "startedAt"))::float AS "startedAgo"
         FROM "Run" WHERE id = $1`,
        [run.id],
      );
      const { deadlineIn, startedAgo } = r.rows[0] as { deadlineIn: number; startedAgo: number };
      expect(deadlineIn).toBeGreaterThan(0);
      expect(deadlineIn).toBeLessThan(3600);
      expect(Math.abs(startedAgo)).toBeLessThan(60);
    } finally {
      await db.end();
    }
  });
});
