import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDocument } from '@switchboard/flow';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService, without } from '../src/analytics/analytics.service.js';
import { repoRoot } from '../src/config/config.js';
import {
  bind,
  edge,
  node,
  OPERATOR,
  ownedNumber,
  publish,
  useCallHarness,
  waitFor,
} from './calls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON
type Json = any;

/** The example IVR, open around the clock (real calls run at the real time) or never open. */
function exampleIvr(open: boolean): FlowDocument {
  const doc = JSON.parse(
    readFileSync(join(repoRoot(), 'flow', 'examples', 'main-ivr.json'), 'utf8'),
  ) as FlowDocument;
  const hours = doc.nodes.find((n) => n.id === 'hours')!;
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  hours.config = {
    ...hours.config,
    weekly: Object.fromEntries(days.map((d) => [d, open ? [{ from: '00:00', to: '24:00' }] : []])),
    holidays: [],
  };
  return doc;
}

/** A menu that loops back to itself through an apology: a run can take an edge twice. */
function loopingMenu(): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'Looping menu',
    nodes: [
      node('start', 'trigger.incomingCall'),
      node('answer', 'call.answer'),
      node('menu', 'media.menu', {
        prompt: 'Press 1.',
        choices: [{ digit: '1', label: 'One' }],
        retries: 0,
      }),
      node('sorry', 'media.play', { text: 'Sorry.' }),
      node('bye', 'call.hangUp', { forEveryone: true }),
    ],
    edges: [
      edge('start', 'next', 'answer'),
      edge('answer', 'connected', 'menu'),
      edge('menu', 'invalid', 'sorry'),
      edge('sorry', 'completed', 'menu'),
      edge('menu', 'choice:1', 'bye'),
    ],
  };
}

interface Counts {
  runs: number;
  edges: { source: string; sourceOutcome: string; target: string; runs: number }[];
  nodes: { id: string; entered: number; ended: number; endReasons: Record<string, number> }[];
}

/**
 * The analytics of some runs computed here from their step records as the runs API shows them
 * (every step's trace, in order): an outcome entry followed by the next enter is an edge taken;
 * a run counts once per edge and once per node entered; an ended run ends at its current node.
 */
function countsFromSteps(runs: Json[]): Counts {
  const edges = new Map<string, Counts['edges'][number]>();
  const nodes = new Map<string, Counts['nodes'][number]>();
  const nodeOf = (id: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, entered: 0, ended: 0, endReasons: {} });
    return nodes.get(id)!;
  };
  for (const run of runs) {
    const taken = new Set<string>();
    const entered = new Set<string>();
    let outcome: Json;
    for (const t of run.steps.flatMap((s: Json) => s.trace as Json[])) {
      if (t.kind === 'outcome') outcome = t;
      if (t.kind !== 'enter') continue;
      entered.add(t.nodeId);
      if (outcome) taken.add(JSON.stringify([outcome.nodeId, outcome.outcome, t.nodeId]));
      outcome = undefined;
    }
    for (const key of taken) {
      const [source, sourceOutcome, target] = JSON.parse(key) as string[];
      const e = edges.get(key) ?? {
        source: source!,
        sourceOutcome: sourceOutcome!,
        target: target!,
        runs: 0,
      };
      e.runs += 1;
      edges.set(key, e);
    }
    for (const id of entered) nodeOf(id).entered += 1;
    if (run.status === 'ended') {
      const n = nodeOf(run.currentNodeId);
      n.ended += 1;
      n.endReasons[run.endReason] = (n.endReasons[run.endReason] ?? 0) + 1;
    }
  }
  return { runs: runs.length, edges: [...edges.values()], nodes: [...nodes.values()] };
}

const sorted = (c: Counts) => ({
  runs: c.runs,
  edges: [...c.edges].sort((a, b) =>
    JSON.stringify([a.source, a.sourceOutcome, a.target]).localeCompare(
      JSON.stringify([b.source, b.sourceOutcome, b.target]),
    ),
  ),
  nodes: [...c.nodes].sort((a, b) => a.id.localeCompare(b.id)),
});

describe('the ranges left between rolled-up hours', () => {
  const H = 3600_000;
  it('are what the range covers outside the hours, in order', () => {
    expect(without({ from: 0.5 * H, to: 5.5 * H }, [H, 2 * H, 4 * H])).toEqual([
      { from: 0.5 * H, to: H },
      { from: 3 * H, to: 4 * H },
      { from: 5 * H, to: 5.5 * H },
    ]);
    expect(without({ from: H, to: 3 * H }, [H, 2 * H])).toEqual([]);
    expect(without({ from: 10, to: 20 }, [])).toEqual([{ from: 10, to: 20 }]);
  });
});

describe('path analytics: runs per edge and per node, from the step records', () => {
  const h = useCallHarness();
  let flowId: string;
  /** Real runs of version 1 (open), of version 2 (closed), test runs; and times between. */
  let v1: Json[] = [];
  let v2: Json[] = [];
  let tests: Json[] = [];
  let beforeAll1: string;
  let between: string;
  let afterAll2: string;

  const analytics = (query = '', as: 'viewer' | 'admin' | 'runner' | 'anonymous' = 'viewer') =>
    h.t.json('GET', `/api/flows/${flowId}/analytics${query}`, { as });

  /** Places calls to `number`, one per script, and waits for all their runs to end. */
  async function calls(
    number: string,
    scripts: Json[][],
    test = false,
    flow = flowId,
  ): Promise<Json[]> {
    const known = new Set(
      (await h.t.json('GET', `/api/runs?flowId=${flow}&test=all&limit=100`)).body.items.map(
        (r: Json) => r.id,
      ),
    );
    await Promise.all(
      scripts.map((script, i) =>
        test
          ? h.t.json('POST', `/api/flows/${flow}/test-calls`, {
              body: { version: 1, callerScript: script },
            })
          : h.emulator.control.placeCall({
              from: `+1555123${String(4000 + i)}`,
              to: number,
              script,
            }),
      ),
    );
    const runs = await waitFor(
      async () => {
        const list = await h.t.json('GET', `/api/runs?flowId=${flow}&test=${test}&limit=100`);
        const fresh = list.body.items.filter((r: Json) => !known.has(r.id));
        return fresh.length === scripts.length && fresh.every((r: Json) => r.status === 'ended')
          ? fresh
          : undefined;
      },
      `${scripts.length} runs ended`,
      30_000,
    );
    return Promise.all(
      runs.map(async (r: Json) => (await h.t.json('GET', `/api/runs/${r.id}`)).body),
    );
  }

  beforeAll(async () => {
    await h.emulator.control.setEndpoint(OPERATOR, { onInvite: 'decline' });
    const number = await ownedNumber(h.emulator);
    ({ flowId } = await publish(h.t, exampleIvr(true)));
    await bind(h.t, number, flowId, 1);
    beforeAll1 = new Date().toISOString();
    v1 = await calls(number, [
      [{ on: 'recognize', dtmf: '1' }], // sales, transferred
      [{ on: 'recognize', dtmf: '1' }],
      [{ on: 'recognize', dtmf: '2' }], // support joins, then the app leaves
      [{ on: 'recognize', dtmf: '0' }], // the operator declines: sorry, hang up
      [], // no input twice: goodbye
      [
        { on: 'recognize', dtmf: '9' }, // invalid, then sales
        { on: 'recognize', dtmf: '1' },
      ],
      [{ on: 'recognize', hangup: true }], // the caller hangs up in the menu
    ]);
    tests = await calls(number, [[{ on: 'recognize', dtmf: '2' }]], true);
    between = new Date().toISOString();
    await publish(h.t, exampleIvr(false), flowId);
    await bind(h.t, number, flowId, 2);
    v2 = await calls(number, [[], []]);
    afterAll2 = new Date(Date.now() + 1000).toISOString();
  }, 60_000);

  it('counts real runs per edge and per node as their steps show, test runs left out', async () => {
    expect(v1.map((r) => r.version)).toEqual(v1.map(() => 1));
    const r = await analytics();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(sorted(r.body)).toEqual(sorted(countsFromSteps([...v1, ...v2])));
    expect(r.body).toMatchObject({ flowId, version: null, test: 'false', runs: 9 });
    // The range used: the 7 days up to now.
    expect(Date.parse(r.body.to) - Date.parse(r.body.from)).toBe(7 * 24 * 3600 * 1000);
    expect(Math.abs(Date.parse(r.body.to) - Date.now())).toBeLessThan(10_000);
    // Most taken first; what the paths above must have produced.
    expect(r.body.edges[0]).toEqual({
      source: 'incoming',
      sourceOutcome: 'next',
      target: 'hours',
      runs: 9,
    });
    const edgeRuns = (s: string, o: string) =>
      r.body.edges.find((e: Json) => e.source === s && e.sourceOutcome === o)?.runs ?? 0;
    expect(edgeRuns('menu', 'choice:1')).toBe(3);
    expect(edgeRuns('menu', 'choice:0')).toBe(1);
    expect(edgeRuns('operator', 'failed')).toBe(1);
    expect(edgeRuns('menu', 'noInput')).toBe(1);
    expect(edgeRuns('hours', 'closed')).toBe(2);
    const menu = r.body.nodes.find((n: Json) => n.id === 'menu');
    expect(menu.entered).toBe(7);
    expect(menu.ended).toBe(1); // the caller who hung up there
    const sales = r.body.nodes.find((n: Json) => n.id === 'sales');
    expect(sales).toMatchObject({ entered: 3, ended: 3, endReasons: { transferred: 3 } });
    for (const n of r.body.nodes) {
      expect(Object.values(n.endReasons as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
        n.ended,
      );
    }
  });

  it('test=true counts only test runs, test=all both', async () => {
    const only = await analytics('?test=true');
    expect(only.status).toBe(200);
    expect(sorted(only.body)).toEqual(sorted(countsFromSteps(tests)));
    expect(only.body.runs).toBe(1);
    const all = await analytics('?test=all');
    expect(sorted(all.body)).toEqual(sorted(countsFromSteps([...v1, ...v2, ...tests])));
  });

  it('filters by version', async () => {
    const one = await analytics('?version=1');
    expect(sorted(one.body)).toEqual(sorted(countsFromSteps(v1)));
    expect(one.body.version).toBe(1);
    const two = await analytics('?version=2');
    expect(sorted(two.body)).toEqual(sorted(countsFromSteps(v2)));
    expect(two.body.nodes.map((n: Json) => n.id)).toContain('closedMessage');
    expect(two.body.nodes.map((n: Json) => n.id)).not.toContain('menu');
    const none = await analytics('?version=3');
    expect(none.body).toMatchObject({ runs: 0, edges: [], nodes: [] });
  });

  it('filters by the time the runs started, [from, to)', async () => {
    const q = (from: string, to: string) =>
      analytics(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const early = await q(beforeAll1, between);
    expect(early.status).toBe(200);
    expect(sorted(early.body)).toEqual(sorted(countsFromSteps(v1)));
    expect(early.body).toMatchObject({ from: beforeAll1, to: between });
    const late = await q(between, afterAll2);
    expect(sorted(late.body)).toEqual(sorted(countsFromSteps(v2)));
    // `to` is excluded: a range ending when the first run started leaves it out.
    const first = v1.map((r) => r.startedAt as string).sort()[0]!;
    const before = await q(beforeAll1, first);
    expect(before.body.runs).toBe(0);
    // Offsets are times like any other.
    const shifted = await analytics(
      `?from=${encodeURIComponent(beforeAll1.replace('Z', '+00:00'))}&to=${encodeURIComponent(between)}`,
    );
    expect(shifted.body.runs).toBe(v1.length);
    // Only `from`: up to now.
    const since = await analytics(`?from=${encodeURIComponent(between)}`);
    expect(since.body.runs).toBe(v2.length);
  });

  it('counts a run once per edge and node, however often it took them', async () => {
    const number = await ownedNumber(h.emulator);
    const loop = await publish(h.t, loopingMenu());
    await bind(h.t, number, loop.flowId);
    await h.emulator.control.placeCall({
      from: '+15551239999',
      to: number,
      script: [
        { on: 'recognize', dtmf: '9' },
        { on: 'recognize', dtmf: '9' },
        { on: 'recognize', dtmf: '1' },
      ],
    });
    const listed = await waitFor(async () => {
      const list = await h.t.json('GET', `/api/runs?flowId=${loop.flowId}`);
      return list.body.items[0]?.status === 'ended' ? list.body.items[0] : undefined;
    }, 'looping run ended');
    const run = (await h.t.json('GET', `/api/runs/${listed.id}`)).body;
    const entered = run.steps.flatMap((s: Json) =>
      s.trace.filter((t: Json) => t.kind === 'enter' && t.nodeId === 'menu'),
    );
    expect(entered.length).toBe(3);
    const r = await h.t.json('GET', `/api/flows/${loop.flowId}/analytics`, { as: 'viewer' });
    expect(sorted(r.body)).toEqual(sorted(countsFromSteps([run])));
    expect(r.body.edges.find((e: Json) => e.source === 'sorry').runs).toBe(1);
    expect(r.body.nodes.find((n: Json) => n.id === 'menu').entered).toBe(1);
  });

  it('rolls up the hours whose runs have all ended and counts them as it counted the runs', async () => {
    const number = await ownedNumber(h.emulator);
    const rolled = await publish(h.t, exampleIvr(true));
    await bind(h.t, number, rolled.flowId);
    const real = await calls(
      number,
      [[{ on: 'recognize', dtmf: '1' }], [{ on: 'recognize', dtmf: '2' }], [], [], []],
      false,
      rolled.flowId,
    );
    const test = await calls(number, [[{ on: 'recognize', dtmf: '0' }]], true, rolled.flowId);
    // As if the calls had come earlier: three of them three hours ago (the test call too), one
    // five hours ago and still running (its hour cannot be rolled up yet), one now.
    const [late, held, ...early] = real;
    const db = new pg.Client({ connectionString: h.t.databaseUrl });
    await db.connect();
    const q = (path: string) =>
      h.t.json('GET', `/api/flows/${rolled.flowId}/analytics${path}`, { as: 'viewer' });
    const settled = () => h.t.engine.app.get(AnalyticsService).settled();
    const rolledRuns = async () =>
      (
        await db.query<{ paths: Json[] }>(
          `SELECT paths FROM "PathRollupHour" WHERE "flowId" = $1`,
          [rolled.flowId],
        )
      ).rows.reduce((n, r) => n + r.paths.reduce((m: number, p: Json) => m + p.runs, 0), 0);
    try {
      const shift = async (ids: string[], by: string, status?: string) =>
        db.query<{ startedAt: Date }>(
          `UPDATE "Run" SET "startedAt" = "startedAt" - $2::interval,
             status = COALESCE($3, status) WHERE id = ANY($1) RETURNING "startedAt"`,
          [ids, by, status ?? null],
        );
      await shift(
        [...early, ...test].map((r) => r.id),
        '3 hours',
      );
      await shift([held.id], '5 hours', 'running');
      const running = { ...held, status: 'running' };
      expect(await rolledRuns()).toBe(0);

      const first = await q('');
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(sorted(first.body)).toEqual(sorted(countsFromSteps([late, running, ...early])));
      // After it, the early runs' hours are rolled up; not the held run's, nor the current hour.
      await settled();
      expect(await rolledRuns()).toBe(early.length);
      // Read again, now from the rollup: the same.
      const again = await q('');
      expect(sorted(again.body)).toEqual(sorted(first.body));
      // Test runs are never rolled up: they are read from the runs, next to the rollup.
      const all = await q('?test=all');
      expect(sorted(all.body)).toEqual(sorted(countsFromSteps([late, running, ...early, ...test])));
      expect(sorted((await q('?test=true')).body)).toEqual(sorted(countsFromSteps(test)));
      expect(sorted((await q('?version=1')).body)).toEqual(sorted(first.body));
      expect((await q('?version=2')).body).toMatchObject({ runs: 0, edges: [], nodes: [] });
      // A range starting inside a rolled-up hour reads that hour from the runs.
      const shifted = (r: Json) => Date.parse(r.startedAt) - 3 * 3600_000;
      const earliest = Math.min(...early.map(shifted));
      const partial = await q(`?from=${encodeURIComponent(new Date(earliest + 1).toISOString())}`);
      const after = early.filter((r) => shifted(r) > earliest);
      expect(after.length).toBeLessThan(early.length);
      expect(sorted(partial.body)).toEqual(sorted(countsFromSteps([late, ...after])));
      // Once the held run has ended, its hour is rolled up too.
      await db.query(`UPDATE "Run" SET status = 'ended' WHERE id = $1`, [held.id]);
      const ended = await q('');
      expect(sorted(ended.body)).toEqual(sorted(countsFromSteps(real)));
      await settled();
      expect(await rolledRuns()).toBe(early.length + 1);
      expect(sorted((await q('')).body)).toEqual(sorted(countsFromSteps(real)));
    } finally {
      await db.end();
    }
  });

  it("the migration's backfill from the step records gives what the step writes kept", async () => {
    const sql = readFileSync(
      join(repoRoot(), 'prisma', 'migrations', '20261210000000_path_analytics', 'migration.sql'),
      'utf8',
    );
    const backfill = /^UPDATE "Run" r[\s\S]*?;$/m.exec(sql)?.[0];
    expect(backfill).toBeDefined();
    const db = new pg.Client({ connectionString: h.t.databaseUrl });
    await db.connect();
    try {
      const read = async () =>
        (
          await db.query<{ id: string; nodes: string[]; edges: string[] }>(
            `SELECT id, "nodesEntered" AS nodes, "edgesTaken" AS edges FROM "Run" ORDER BY id`,
          )
        ).rows.map((r) => ({ id: r.id, nodes: [...r.nodes].sort(), edges: [...r.edges].sort() }));
      const written = await read();
      expect(written.length).toBeGreaterThanOrEqual(v1.length + v2.length + tests.length);
      expect(written.every((r) => r.nodes.length > 0)).toBe(true);
      await db.query('BEGIN');
      await db.query(`UPDATE "Run" SET "nodesEntered" = '{}', "edgesTaken" = '{}'`);
      await db.query(backfill!);
      expect(await read()).toEqual(written);
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.end();
    }
  });

  it('refuses bad query values with a 400 naming the field; an unknown flow is a 404', async () => {
    const bad = async (query: string, path: string) => {
      const r = await analytics(query);
      expect(r.status, `${query}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.type).toBe('/problems/validation-error');
      expect(r.body.errors.map((e: Json) => e.path)).toContain(path);
    };
    await bad('?from=yesterday', 'from');
    await bad('?to=2026-13-01T00:00:00Z', 'to');
    await bad('?from=2026-12-01T00:00:00', 'from'); // no zone
    await bad('?version=two', 'version');
    await bad('?version=1.5', 'version');
    await bad('?version=-1', 'version');
    await bad('?test=maybe', 'test');
    await bad('?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from');
    await bad('?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z', 'from');
    await bad('?from=2025-01-01T00:00:00Z&to=2026-02-05T00:00:00Z', 'from');
    expect((await analytics('?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(
      200,
    );
    const unknown = await h.t.json('GET', '/api/flows/no-such-flow/analytics', { as: 'viewer' });
    expect(unknown.status).toBe(404);
  });

  it('viewers and above read it; a runner token and anonymous callers do not', async () => {
    for (const as of ['viewer', 'admin'] as const)
      expect((await analytics('', as)).status).toBe(200);
    expect((await analytics('', 'runner')).status).toBe(403);
    expect((await analytics('', 'anonymous')).status).toBe(401);
  });
});
