import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config/config.js';
import { bind, freshNumber, publish, reminderFlow, SUPPORT, TIME_SCALE, waitFor } from './calls.js';
import { useEngine } from './engine.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
type Json = any;

const mainIvr = (): FlowDocument =>
  JSON.parse(
    readFileSync(join(repoRoot(), 'flow', 'examples', 'main-ivr.json'), 'utf8'),
  ) as FlowDocument;

/** Tuesday 2026-12-08 10:00 and Sunday 2026-12-06 10:00 in the example's time zone. */
const TUESDAY_10 = '2026-12-08T10:00:00-08:00';
const SUNDAY_10 = '2026-12-06T10:00:00-08:00';

/** Nodes the run entered, in order (from the trace of every step). */
const path = (run: Json): string[] =>
  run.steps.flatMap((s: Json) =>
    s.trace.filter((t: Json) => t.kind === 'enter').map((t: Json) => t.nodeId as string),
  );

/**
 * An engine with no ACS of its own at all: test calls go to its private emulator, scaled 100×
 * faster like the other call tests.
 */
describe('test calls', () => {
  const t = useEngine({
    SWITCHBOARD_TIME_SCALE: String(TIME_SCALE),
    SWITCHBOARD_WAIT_MARGIN_MS: '300',
    SWITCHBOARD_RECONCILE_INTERVAL_MS: '100',
    SWITCHBOARD_OUTBOX_INTERVAL_MS: '200',
    SWITCHBOARD_OUTBOX_GRACE_MS: '1000',
    SWITCHBOARD_MAX_TEST_CALLS_PER_USER: '3',
  });

  const createDraft = async (doc: FlowDocument): Promise<string> => {
    const created = await t.json('POST', '/api/flows', { body: { name: doc.name, document: doc } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };

  const testCall = (flowId: string, body: Json, as: 'editor' | 'viewer' | 'admin' = 'editor') =>
    t.json('POST', `/api/flows/${flowId}/test-calls`, { as, body });

  const ended = (runId: string) =>
    waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${runId}`, { as: 'viewer' });
      return r.body.status === 'ended' ? (r.body as Json) : undefined;
    }, `test run ${runId} ended`);

  it('runs the saved draft, flagged test, without an entry point; the clock picks the open branch and DTMF 2 walks to support', async () => {
    const number = freshNumber();
    const flowId = await createDraft(mainIvr());
    const placed = await testCall(flowId, {
      from: '+15551230001',
      to: number,
      clock: TUESDAY_10,
      variables: { campaign: 'spring' },
      callerScript: [{ on: 'recognize', dtmf: '2' }],
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      test: true,
      draft: true,
      version: null,
      from: '+15551230001',
    });
    expect(Date.parse(placed.body.clock)).toBeGreaterThanOrEqual(Date.parse(TUESDAY_10));
    expect(Date.parse(placed.body.clock)).toBeLessThan(Date.parse(TUESDAY_10) + 5000);
    const run = await ended(placed.body.id);
    expect(path(run)).toEqual([
      'incoming',
      'hours',
      'answer',
      'menu',
      'support',
      'supportConnected',
      'leave',
    ]);
    expect(run.steps[0].variables).toMatchObject({ campaign: 'spring' });
    // The emulator's view: the agent joined, and the caller heard the menu and the confirmation.
    const call = await waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${run.id}`, { as: 'viewer' });
      return r.body.testCall?.participants.some((p: Json) => p.rawId === SUPPORT) ? r.body : null;
    }, 'support participant seen');
    const support = call.testCall.participants.find((p: Json) => p.rawId === SUPPORT);
    expect(support.role).toBe('callee');
    expect(call.testCall.heard.map((h: Json) => h.nodeId)).toEqual(['menu', 'supportConnected']);
    expect(call.testCall.heard[0].text).toMatch(/^Thank you for calling Contoso/);
    // Never through an entry point: nothing is bound, and a real call to the number is refused.
    const eps = await t.json('GET', `/api/entry-points?flowId=${flowId}`);
    expect(eps.body.items).toEqual([]);
    // Kept out of the default list, found with test=true.
    const real = await t.json('GET', `/api/runs?flowId=${flowId}`, { as: 'viewer' });
    expect(real.body.items).toEqual([]);
    const tests = await t.json('GET', `/api/runs?flowId=${flowId}&test=true`, { as: 'viewer' });
    expect(tests.body.items.map((r: Json) => r.id)).toEqual([run.id]);
    const doc = await t.json('GET', `/api/runs/${run.id}/document`, { as: 'viewer' });
    expect(doc.body.nodes.map((n: Json) => n.id)).toContain('supportConnected');
    const metrics = await (await t.request('GET', '/metrics', { as: 'anonymous' })).text();
    expect(metrics).toMatch(/switchboard_runs_started_total\{direction="incoming",test="true"\} 1/);
  });

  it('a simulated Sunday takes the closed branch', async () => {
    const flowId = await createDraft(mainIvr());
    const placed = await testCall(flowId, { clock: SUNDAY_10 });
    expect(placed.status).toBe(201);
    const run = await ended(placed.body.id);
    expect(path(run)).toEqual(['incoming', 'hours', 'answerClosed', 'closedMessage', 'hangUp']);
    expect(run.endReason).toBe('completed');
  });

  it('targets: a declining callee takes the add-participant failure outcome', async () => {
    const flowId = await createDraft(mainIvr());
    const placed = await testCall(flowId, {
      clock: TUESDAY_10,
      callerScript: [{ on: 'recognize', dtmf: '2' }],
      targets: { [SUPPORT]: 'decline' },
    });
    expect(placed.status).toBe(201);
    const run = await ended(placed.body.id);
    expect(path(run)).toEqual([
      'incoming',
      'hours',
      'answer',
      'menu',
      'support',
      'sorry',
      'hangUp',
    ]);
    expect(run.steps.flatMap((s: Json) => s.outcomes)).toContainEqual({
      nodeId: 'support',
      outcome: 'failed',
    });
  });

  it('live input: the caller presses keys through test-input; a real run refuses it', async () => {
    const flowId = await createDraft(mainIvr());
    const placed = await testCall(flowId, { clock: TUESDAY_10 });
    const runId = placed.body.id as string;
    await waitFor(async () => {
      const r = await t.json('GET', `/api/runs/${runId}`, { as: 'viewer' });
      return r.body.awaiting?.nodeId === 'menu' ? true : undefined;
    }, 'menu waiting');
    const pressed = await t.json('POST', `/api/runs/${runId}/test-input`, { body: { dtmf: '1' } });
    expect(pressed.status).toBe(202);
    const run = await ended(runId);
    expect(path(run)).toContain('sales');
    const after = await t.json('POST', `/api/runs/${runId}/test-input`, { body: { dtmf: '1' } });
    expect(after.status).toBe(409);
    const bad = await t.json('POST', `/api/runs/${runId}/test-input`, { body: { dtmf: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('dtmf');
  });

  it('an outbound flow calls the simulated person, who follows the script', async () => {
    const { flowId } = await publish(t, reminderFlow());
    const placed = await testCall(flowId, {
      version: 1,
      to: '+15557770001',
      variables: { patientName: 'Ada' },
      callerScript: [{ on: 'recognize', dtmf: '1' }],
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      test: true,
      draft: false,
      version: 1,
      direction: 'outbound',
    });
    const run = await ended(placed.body.id);
    expect(run.endReason).not.toBe('error');
    expect(path(run).length).toBeGreaterThan(2);
  });

  it('refuses bad input with 4xx naming the problem, and changes nothing', async () => {
    const flowId = await createDraft(mainIvr());
    const bad = async (body: Json, status: number, pathName?: string) => {
      const r = await testCall(flowId, body);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      if (pathName) expect(r.body.errors.map((e: Json) => e.path)).toContain(pathName);
      return r;
    };
    await bad({ clock: 'tuesday' }, 400, 'clock');
    await bad({ clock: '2026-12-08T10:00:00' }, 400, 'clock');
    await bad({ callerScript: [{ on: 'recognize' }] }, 400, 'callerScript[0]');
    await bad({ callerScript: [{ on: 'later', dtmf: '1' }] }, 400, 'callerScript[0].on');
    await bad({ targets: { nobody: 'accept' } }, 400);
    await bad({ targets: { [SUPPORT]: 'maybe' } }, 400);
    await bad({ version: 7 }, 404);
    await bad({ version: 2 ** 40 }, 400, 'version');
    await bad({ draft: true, version: 1 }, 400, 'version');
    const viewer = await testCall(flowId, {}, 'viewer');
    expect(viewer.status).toBe(403);
    expect((await testCall('no-such-flow', {})).status).toBe(404);

    // A draft with errors: 422 listing them, as publish does.
    const broken = mainIvr();
    broken.nodes.find((n) => n.id === 'sales')!.config.target = 'the sales desk';
    const brokenId = await createDraft(broken);
    const r = await testCall(brokenId, {});
    expect(r.status).toBe(422);
    const published = await t.json('POST', `/api/flows/${brokenId}/publish`, { body: {} });
    expect(r.body.errors).toEqual(published.body.errors);

    const runs = await t.json('GET', `/api/runs?test=true&flowId=${flowId}`, { as: 'viewer' });
    expect(runs.body.items).toEqual([]);
  });

  it('more than the allowed number of running test calls per user → 429 with Retry-After', async () => {
    const flowId = await createDraft(mainIvr());
    // No script: each caller waits at the menu for live input.
    const placed = await Promise.all(
      [1, 2, 3, 4].map(() => testCall(flowId, { clock: TUESDAY_10 }, 'admin')),
    );
    const statuses = placed.map((p) => p.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429]);
    const refused = placed.find((p) => p.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user is not held back by them.
    expect((await testCall(flowId, { clock: TUESDAY_10 })).status).toBe(201);
    for (const p of placed.filter((x) => x.status === 201)) {
      await t.json('POST', `/api/runs/${p.body.id}/test-input`, { body: { hangUp: true } });
    }
  });

  it('runs list filters: version, status, number, end reason, node, and test=all', async () => {
    const number = freshNumber();
    const { flowId } = await publish(t, mainIvr());
    await bind(t, number, flowId);
    const a = await testCall(flowId, { version: 1, clock: SUNDAY_10, from: '+15551239999' });
    const b = await testCall(flowId, {
      clock: TUESDAY_10,
      callerScript: [{ on: 'recognize', dtmf: '1' }],
    });
    const [ra, rb] = [await ended(a.body.id), await ended(b.body.id)];
    const ids = async (q: string) =>
      (await t.json('GET', `/api/runs?flowId=${flowId}&${q}`, { as: 'viewer' })).body.items.map(
        (r: Json) => r.id,
      );
    expect(await ids('test=all')).toEqual([rb.id, ra.id]);
    expect(await ids('test=true&version=1')).toEqual([ra.id]);
    expect(await ids('test=true&version=0')).toEqual([rb.id]);
    expect(await ids('test=true&number=%2B15551239999')).toEqual([ra.id]);
    expect(await ids('test=true&nodeId=closedMessage')).toEqual([ra.id]);
    expect(await ids('test=true&nodeId=sales')).toEqual([rb.id]);
    expect(await ids(`test=true&endReason=${ra.endReason}&nodeId=hours`)).toContain(ra.id);
    expect(await ids('test=true&status=running')).toEqual([]);
    const page1 = await t.json('GET', `/api/runs?flowId=${flowId}&test=all&limit=1`, {
      as: 'viewer',
    });
    const page2 = await t.json(
      'GET',
      `/api/runs?flowId=${flowId}&test=all&limit=1&cursor=${page1.body.nextCursor}`,
      { as: 'viewer' },
    );
    expect([page1.body.items[0].id, page2.body.items[0].id]).toEqual([rb.id, ra.id]);
    const wrong = await t.json('GET', `/api/runs?test=maybe`, { as: 'viewer' });
    expect(wrong.status).toBe(400);
  });

  it('the stream of a run resumes after ?after=<seq> (or Last-Event-ID), with the variables carried', async () => {
    const flowId = await createDraft(mainIvr());
    const placed = await testCall(flowId, { clock: SUNDAY_10, variables: { who: 'Ada' } });
    const run = await ended(placed.body.id);
    expect(run.steps.length).toBeGreaterThan(2);
    const from = async (q: string, headers: Record<string, string> = {}) => {
      const res = await t.request('GET', `/api/runs/${run.id}/stream${q}`, {
        as: 'viewer',
        headers,
      });
      return { status: res.status, text: await res.text() };
    };
    const all = await from('');
    expect(all.text.match(/event: step/g)).toHaveLength(run.steps.length);
    const later = await from('?after=1');
    expect(later.text.match(/event: step/g)).toHaveLength(run.steps.length - 2);
    expect(later.text).toContain('event: end');
    // Steps after the first that changed nothing still carry the variables set at the start.
    const firstLater = JSON.parse(/data: (.*)/.exec(later.text)![1]!);
    expect(firstLater).toMatchObject({ seq: 2, variables: { who: 'Ada' } });
    const resumed = await from('?after=0', { 'last-event-id': '1' });
    expect(resumed.text.match(/event: step/g)).toHaveLength(run.steps.length - 2);
    expect((await from('?after=x')).status).toBe(400);
  });

  it('ended test runs are deleted after the test-run retention period', async () => {
    const flowId = await createDraft(mainIvr());
    const placed = await testCall(flowId, { clock: SUNDAY_10 });
    const run = await ended(placed.body.id);
    const { RetentionService } = await import('../src/retention/retention.service.js');
    const service = t.engine.app.get(RetentionService);
    // undefined: the engine's own round holds the retention lock at this moment.
    const prune = (now: number) =>
      waitFor(async () => (await service.prune(now))?.deleted, 'the retention lock');
    expect((await t.json('GET', `/api/runs/${run.id}`, { as: 'viewer' })).status).toBe(200);
    expect((await prune(Date.now())).testRuns).toBe(0);
    expect((await prune(Date.now() + 73 * 3600_000)).testRuns).toBeGreaterThanOrEqual(1);
    expect((await t.json('GET', `/api/runs/${run.id}`, { as: 'viewer' })).status).toBe(404);
  });
});
