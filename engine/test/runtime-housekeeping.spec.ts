import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/database/embedded-postgres.js';
import { RuntimeService } from '../src/runs/runtime.service.js';
import { freshNumber, publish, reminderFlow, waitFor } from './calls.js';
import { useEngine } from './engine.js';

/** The outbox's give-up and the dedupe table's pruning, against an ACS nobody answers for. */
describe('runtime housekeeping', () => {
  const env: Record<string, string> = {
    SWITCHBOARD_OUTBOX_INTERVAL_MS: '50',
    SWITCHBOARD_OUTBOX_GRACE_MS: '100',
    SWITCHBOARD_PRUNE_INTERVAL_MS: '100',
    ACS_MAX_RETRIES: '0',
    ACS_REQUEST_TIMEOUT_MS: '2000',
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

  let flowId: string;
  const ended: { id: string }[] = [];

  it('gives up on an action after 5 sends without an answer: the node takes its failure', async () => {
    ({ flowId } = await publish(t, reminderFlow()));
    const run = await failedRun(flowId);
    ended.push(run);
    expect(run.endReason).toBe('failed');
    const last = run.steps.at(-1);
    expect(last.eventType).toBe('ActionFailed');
    expect(last.event.resultInformation.message).toMatch(/socket hang up|ECONNRESET/i);
    // One inline send and four resends recorded as attempts; the fifth resend gives up and takes
    // the action out of the outbox, so the dispatcher stops.
    expect(requests).toBe(6);
    const outbox = await db.query('SELECT id FROM "OutboxAction" WHERE "runId" = $1', [run.id]);
    expect(outbox.rows).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).toBe(6);
  });

  it('prunes the event ids of runs that ended longer ago than the retention', async () => {
    ended.push(await failedRun(flowId));
    const [old, recent] = ended as [{ id: string }, { id: string }];
    const events = async (runId: string) =>
      (await db.query('SELECT "eventId" FROM "RunEvent" WHERE "runId" = $1', [runId])).rows.map(
        (r: { eventId: string }) => r.eventId,
      );
    const oldEvents = await events(old.id);
    expect(oldEvents.length).toBeGreaterThan(0);
    expect((await events(recent.id)).length).toBeGreaterThan(0);

    // Three days ago (the default retention is 48 h).
    await db.query(`UPDATE "Run" SET "endedAt" = "endedAt" - interval '3 days' WHERE id = $1`, [
      old.id,
    ]);
    await db.query(
      `UPDATE "RunEvent" SET "createdAt" = "createdAt" - interval '3 days' WHERE "runId" = $1`,
      [old.id],
    );
    await waitFor(async () => (await events(old.id)).length === 0, 'old event ids pruned');
    expect((await events(recent.id)).length).toBeGreaterThan(0);

    // A late duplicate of a pruned event still changes nothing: the run has ended.
    const before = await t.json('GET', `/api/runs/${old.id}`);
    const runtime = t.engine.app.get(RuntimeService);
    const outcome = await runtime.engineEvent(old.id, {
      id: oldEvents[0]!,
      type: 'ActionFailed',
      operationContext: `${old.id}:0`,
    });
    expect(outcome).toBe('ended');
    const after = await t.json('GET', `/api/runs/${old.id}`);
    expect(after.body.steps.length).toBe(before.body.steps.length);
    expect(await events(old.id)).toEqual([]);
  });
});
