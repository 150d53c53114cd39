import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/database/embedded-postgres.js';
import { Reconciler } from '../src/runtime/reconciler.js';
import { OWNER_PREFIX, RuntimeDb } from '../src/runtime/runtime-db.js';
import { RuntimeRepository } from '../src/runtime/runtime.repository.js';
import { RuntimeService } from '../src/runtime/runtime.service.js';
import { freshNumber, publish, reminderFlow, waitFor } from './calls.js';
import { useEngine } from './engine.js';

/** The outbox's give-up, against an ACS that never answers. */
describe('runtime housekeeping', () => {
  const env: Record<string, string> = {
    SWITCHBOARD_OUTBOX_INTERVAL_MS: '50',
    SWITCHBOARD_OUTBOX_GRACE_MS: '100',
    ACS_MAX_RETRIES: '0',
    ACS_REQUEST_TIMEOUT_MS: '2000',
    // Nothing calls back here; the engine only needs the settings to start with an ACS.
    ACS_JWKS_URL: 'http://127.0.0.1:9/calling/keys',
    ACS_CALLBACK_AUDIENCE: 'test',
    ACS_EVENTGRID_SECRET: 'event-grid-secret-for-tests',
  };
  /** An ACS that takes each request and hangs up without an answer; counts the requests. */
  let requests = 0;
  const silent = net.createServer((socket) => {
    socket.once('data', () => {
      requests++;
      socket.destroy();
    });
  });
  beforeAll(async () => {
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    env.ACS_CONNECTION_STRING = `endpoint=http://127.0.0.1:${port}/;accesskey=${Buffer.from('k'.repeat(32)).toString('base64')}`;
  });
  afterAll(() => new Promise<void>((r) => silent.close(() => r())));
  const t = useEngine(env);
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
  });

  async function failedRun(flowId: string) {
    const started = await t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [freshNumber()] },
    });
    expect(started.status).toBe(201);
    return waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${started.body.id}`);
      return r.body.status === 'ended' ? r.body : undefined;
    }, 'run ended');
  }

  /** A run of the reminder that ended (its createCall never answered), made once, on demand. */
  let endedRun:
    Promise<{ id: string; steps: { eventId: string }[]; endReason: string }> | undefined;
  const ended = () =>
    (endedRun ??= (async () => failedRun((await publish(t, reminderFlow())).flowId))());

  it('gives up on an action after 5 sends without an answer: the node takes its failure', async () => {
    const before = requests;
    const run = await ended();
    expect(run.endReason).toBe('failed');
    const last = run.steps.at(-1);
    expect(last.eventType).toBe('ActionFailed');
    expect(last.event.resultInformation.message).toMatch(/socket hang up|ECONNRESET/i);
    // One inline send and four resends recorded as attempts; the fifth resend gives up and takes
    // the action out of the outbox, so the dispatcher stops.
    expect(requests - before).toBe(6);
    const outbox = await db.query('SELECT id FROM "OutboxAction" WHERE "runId" = $1', [run.id]);
    expect(outbox.rows).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(requests - before).toBe(6);
  });

  it('a late copy of an event the run applied changes nothing, nor does a new event after the end', async () => {
    // Independent of the test above: the ended run is made here if that one did not run.
    const run = await ended();
    const runtime = t.engine.app.get(RuntimeService);
    for (const id of [run.steps.at(-1)!.eventId, 'late-and-new']) {
      const outcome = await runtime.engineEvent(run.id, {
        id,
        type: 'ActionFailed',
        operationContext: `${run.id}:0`,
      });
      expect(outcome).toBe('ended');
    }
    const after = await t.json('GET', `/api/runs/${run.id}`);
    expect(after.body.steps.length).toBe(run.steps.length);
  });
});

/**
 * A wait starts when its action is sent: the reconciler leaves a run alone while the action it
 * waits on is still unsent (in the outbox), and the dispatcher's late send moves the deadline.
 */
describe('runtime housekeeping: waits on unsent actions', () => {
  const env: Record<string, string> = {
    // The dispatcher and the reconciler stay out of the way; the test drives them.
    SWITCHBOARD_OUTBOX_INTERVAL_MS: '600000',
    SWITCHBOARD_OUTBOX_GRACE_MS: '600000',
    SWITCHBOARD_RECONCILE_INTERVAL_MS: '600000',
    ACS_MAX_RETRIES: '0',
    ACS_REQUEST_TIMEOUT_MS: '2000',
    ACS_JWKS_URL: 'http://127.0.0.1:9/calling/keys',
    ACS_CALLBACK_AUDIENCE: 'test',
    ACS_EVENTGRID_SECRET: 'event-grid-secret-for-tests',
  };
  const silent = net.createServer((socket) => socket.once('data', () => socket.destroy()));
  beforeAll(async () => {
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    env.ACS_CONNECTION_STRING = `endpoint=http://127.0.0.1:${port}/;accesskey=${Buffer.from('k'.repeat(32)).toString('base64')}`;
  });
  afterAll(() => new Promise<void>((r) => silent.close(() => r())));
  const t = useEngine(env);
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
  });

  it('does not time out a wait whose action is still in the outbox', async () => {
    const { flowId } = await publish(t, reminderFlow());
    const started = await t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [freshNumber()] },
    });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;
    // The createCall got no answer: it stays in the outbox, and the run waits on it.
    const row = await waitFor(async () => {
      const r = await db.query(
        `SELECT o.id, r."awaitingContext" FROM "OutboxAction" o JOIN "Run" r ON r.id = o."runId"
         WHERE o."runId" = $1 AND o.attempts > 0`,
        [runId],
      );
      return r.rows[0] as { id: string; awaitingContext: string } | undefined;
    }, 'createCall left in the outbox');
    expect(row.awaitingContext).toBe(row.id);
    await db.query(`UPDATE "Run" SET deadline = now() - interval '1 minute' WHERE id = $1`, [
      runId,
    ]);
    const reconciler = t.engine.app.get(Reconciler);
    expect(await reconciler.reconcile()).toBe(0);
    // Once it is no longer pending, the overdue wait is timed out.
    await db.query(`DELETE FROM "OutboxAction" WHERE id = $1`, [row.id]);
    expect(await reconciler.reconcile()).toBe(1);
    const run = await t.json('GET', `/api/runs/${runId}`);
    expect(run.body.steps.map((s: { eventType: string }) => s.eventType)).toContain('Timeout');
  });

  it("leaves a live replica's unsent actions to it, and takes over those of one that is gone", async () => {
    const { flowId } = await publish(t, reminderFlow());
    const started = await t.json('POST', '/api/runs', {
      as: 'runner',
      body: { flowId, targets: [freshNumber()] },
    });
    const runId = started.body.id as string;
    const repo = t.engine.app.get(RuntimeRepository);
    const mine = t.engine.app.get(RuntimeDb).instance;
    // Another replica: alive while it has a session named after it.
    const other = 'replica-b';
    const session = new pg.Client({
      connectionString: t.databaseUrl,
      application_name: `${OWNER_PREFIX}${other}`,
    });
    await session.connect();
    const row = (id: string, owner: string | null) =>
      db.query(
        `INSERT INTO "OutboxAction" (id, "runId", "stepSeq", ord, "operationContext", action, "createdAt", owner)
         VALUES ($1, $2, 99, 0, $1, '{"kind":"play"}', now() - interval '1 hour', $3)`,
        [id, runId, owner],
      );
    await row(`${runId}:theirs`, other);
    await row(`${runId}:mine-marked`, mine);
    await row(`${runId}:mine`, mine);
    await row(`${runId}:legacy`, null);
    /** The rows of these four a dispatcher here would take (the run's own createCall aside). */
    const stale = async () => {
      let ids: string[] = [];
      await repo.withStaleOutbox(0, 50, [`${runId}:mine-marked`], async (rows) => {
        ids = rows.map((r) => r.id);
      });
      return ids.filter((id) => /:(theirs|mine|mine-marked|legacy)$/.test(id)).sort();
    };
    expect(await stale()).toEqual([`${runId}:legacy`, `${runId}:mine`]);
    await session.end();
    await waitFor(async () => {
      const r = await db.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
        `${OWNER_PREFIX}${other}`,
      ]);
      return r.rowCount === 0;
    }, 'the other replica gone');
    expect(await stale()).toEqual([`${runId}:legacy`, `${runId}:mine`, `${runId}:theirs`]);
  });
});
