import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDocument } from '@switchboard/flow';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config/config.js';
import {
  bind,
  edge,
  node,
  ownedNumber,
  publish,
  runFor,
  SALES,
  SUPPORT,
  useCallHarness,
  waitFor,
} from './calls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
type Json = any;

/** An example flow without the scenarios it ships with: these tests count the ones they save. */
const example = (file: string): FlowDocument => {
  const doc = JSON.parse(
    readFileSync(join(repoRoot(), 'flow', 'examples', file), 'utf8'),
  ) as FlowDocument;
  delete doc.scenarios;
  return doc;
};
const mainIvr = () => example('main-ivr.json');
const reminder = () => example('appointment-reminder.json');

/** Tuesday 2026-12-08 10:00, Sunday 2026-12-06 10:00 and Christmas Day in the IVR's time zone. */
const TUESDAY_10 = '2026-12-08T10:00:00-08:00';
const SUNDAY_10 = '2026-12-06T10:00:00-08:00';
const CHRISTMAS_10 = '2026-12-25T10:00:00-08:00';
const OPERATOR = '+14255550199';

/** The analyst's change: menu key 2 goes to Sales instead of the support agent. */
function twoGoesToSales(doc = mainIvr()): FlowDocument {
  doc.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:2')!.target = 'sales';
  return doc;
}

/** "Support connected" becomes a question (same node id): callers who got there never answered it. */
function supportAsksAQuestion(): FlowDocument {
  const doc = mainIvr();
  const node = doc.nodes.find((n) => n.id === 'supportConnected')!;
  node.type = 'media.menu';
  node.config = {
    prompt: 'Before we start: press 1 if you are a customer.',
    choices: [{ digit: '1', label: 'Customer' }],
    retries: 0,
  };
  doc.edges = doc.edges.filter((e) => e.source !== 'supportConnected');
  doc.edges.push(
    { id: 'q1', source: 'supportConnected', sourceOutcome: 'choice:1', target: 'leave' },
    { id: 'q2', source: 'supportConnected', sourceOutcome: 'noInput', target: 'leave' },
    { id: 'q3', source: 'supportConnected', sourceOutcome: 'invalid', target: 'leave' },
    { id: 'q4', source: 'supportConnected', sourceOutcome: 'failed', target: 'leave' },
  );
  return doc;
}

describe('replay against a draft, scenario tests, Save as test, the publish gate', () => {
  const h = useCallHarness({ env: { SWITCHBOARD_MAX_TEST_CALLS_PER_USER: '50' } });

  const saveDraft = async (flowId: string, doc: FlowDocument) => {
    const current = await h.t.json('GET', `/api/flows/${flowId}`);
    const saved = await h.t.json('PUT', `/api/flows/${flowId}/draft`, {
      body: doc,
      headers: { 'if-match': String(current.body.revision) },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    return saved.body.revision as number;
  };
  const draftOf = async (flowId: string): Promise<FlowDocument> =>
    (await h.t.json('GET', `/api/flows/${flowId}`)).body.draft;

  /** Places a test call (of version 1 unless said) and waits for it to end. */
  const testCall = async (flowId: string, body: Json): Promise<Json> => {
    const placed = await h.t.json('POST', `/api/flows/${flowId}/test-calls`, {
      as: 'editor',
      body: { version: 1, ...body },
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    return waitFor(async () => {
      const r = await h.t.json('GET', `/api/runs/${placed.body.id}`, { as: 'viewer' });
      return r.body.status === 'ended' ? r.body : undefined;
    }, `test run ${placed.body.id} ended`);
  };
  const replay = (flowId: string, body: Json, as: 'editor' | 'viewer' = 'editor') =>
    h.t.json('POST', `/api/flows/${flowId}/replay`, { as, body });
  const runScenarios = (flowId: string, body: Json = {}, as: 'viewer' | 'editor' = 'viewer') =>
    h.t.json('POST', `/api/flows/${flowId}/scenarios/run`, { as, body });

  /** Nodes each run entered (from its steps' traces). */
  const path = (run: Json): string[] =>
    run.steps.flatMap((s: Json) =>
      s.trace.filter((t: Json) => t.kind === 'enter').map((t: Json) => t.nodeId as string),
    );

  let ivrId: string;
  let reminderId: string;
  /** The IVR's recorded test calls, by what they did. */
  const ivrRuns: Record<string, Json> = {};
  const reminderRuns: Record<string, Json> = {};

  beforeAll(async () => {
    ivrId = (await publish(h.t, mainIvr())).flowId;
    reminderId = (await publish(h.t, reminder())).flowId;
    const tuesday = (callerScript: Json[], targets?: Json) => ({
      clock: TUESDAY_10,
      from: '+15551230001',
      callerScript,
      ...(targets ? { targets } : {}),
    });
    const ivrCalls: Record<string, Json> = {
      sales: tuesday([{ on: 'recognize', dtmf: '1' }]),
      support: tuesday([{ on: 'recognize', dtmf: '2' }]),
      supportDeclines: tuesday([{ on: 'recognize', dtmf: '2' }], { [SUPPORT]: 'decline' }),
      salesBusy: tuesday([{ on: 'recognize', dtmf: '1' }], { [SALES]: 'busy' }),
      operator: tuesday([{ on: 'recognize', dtmf: '0' }], { [OPERATOR]: 'noAnswer' }),
      // No key at all: the menu asks again (its retry), then says goodbye.
      noInput: { clock: TUESDAY_10 },
      invalidThenSales: tuesday([
        { on: 'recognize', dtmf: '9' },
        { on: 'recognize', dtmf: '1' },
      ]),
      hangsUpInMenu: tuesday([{ on: 'recognize', afterMs: 1000, hangup: true }]),
      closed: { clock: SUNDAY_10 },
      holiday: { clock: CHRISTMAS_10 },
    };
    const reminderCalls: Record<string, Json> = {
      confirms: { to: '+15557770001', callerScript: [{ on: 'recognize', dtmf: '1' }] },
      cancels: { to: '+15557770002', callerScript: [{ on: 'recognize', dtmf: '2' }] },
      declines: { to: '+15557770003', targets: { '+15557770003': 'decline' } },
    };
    await Promise.all([
      ...Object.entries(ivrCalls).map(async ([k, body]) => {
        ivrRuns[k] = await testCall(ivrId, body);
      }),
      ...Object.entries(reminderCalls).map(async ([k, body]) => {
        reminderRuns[k] = await testCall(reminderId, {
          variables: { patientName: 'Ada' },
          ...body,
        });
      }),
    ]);
  }, 60_000);

  it('the recorded calls took the paths they were meant to (retries, no input, declined callees)', () => {
    expect(path(ivrRuns.support)).toContain('supportConnected');
    expect(path(ivrRuns.supportDeclines)).toEqual(expect.arrayContaining(['support', 'sorry']));
    expect(path(ivrRuns.salesBusy)).toEqual(expect.arrayContaining(['sales', 'sorry']));
    const asked = ivrRuns.noInput.steps.flatMap((s: Json) =>
      s.actions.filter((a: Json) => a.kind === 'recognizeDtmf'),
    );
    expect(asked).toHaveLength(2);
    expect(path(ivrRuns.noInput)).toContain('goodbye');
    expect(path(ivrRuns.closed)).toContain('closedMessage');
    expect(path(ivrRuns.holiday)).toContain('holidayMessage');
    expect(reminderRuns.declines.endReason).toBeDefined();
  });

  it('replays every run of the example flows on the version it used: no divergence', async () => {
    for (const [flowId, runs] of [
      [ivrId, ivrRuns],
      [reminderId, reminderRuns],
    ] as const) {
      const ids = Object.values(runs).map((r) => r.id as string);
      const r = await replay(flowId, { version: 1, runIds: ids });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.target).toEqual({ draft: false, version: 1 });
      expect(r.body.results).toHaveLength(ids.length);
      for (const result of r.body.results) {
        expect(result.status, `${result.runId}: ${result.summary}`).toBe('same');
        expect(result.newPath).toEqual(result.oldPath);
        expect(result.newEnd).toEqual(result.oldEnd);
        expect(result).toMatchObject({ version: 1, test: true });
      }
      expect(r.body.summary).toMatchObject({ runs: ids.length, same: ids.length, diverged: 0 });
      // Newest first.
      const started = r.body.results.map((x: Json) => Date.parse(x.startedAt));
      expect([...started].sort((a, b) => b - a)).toEqual(started);
      // The filter finds the same runs (the last 24 hours, test calls included by default).
      const byFilter = await replay(flowId, { version: 1, filter: { version: 1 } });
      expect(byFilter.body.results.map((x: Json) => x.runId).sort()).toEqual([...ids].sort());
      expect(byFilter.headers.get('server-timing')).toMatch(/load;dur=[\d.]+, replay;dur=[\d.]+/);
    }
  });

  it('a changed draft (menu 2 → Sales): the first divergence per run and the summary', async () => {
    await saveDraft(ivrId, twoGoesToSales());
    const r = await replay(ivrId, { filter: { test: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.target).toEqual({ draft: true, version: null });
    const byRun = new Map(r.body.results.map((x: Json) => [x.runId, x]));
    const pressed2 = [ivrRuns.support, ivrRuns.supportDeclines];
    for (const run of pressed2) {
      const result = byRun.get(run.id) as Json;
      expect(result.status).toBe('diverged');
      expect(result.divergence).toEqual({
        step: 3,
        nodeId: 'menu',
        oldOutcome: 'choice:2',
        newOutcome: 'choice:2',
        oldNext: 'support',
        newNext: 'sales',
      });
      expect(result.oldPath.map((p: Json) => p.nodeId)).toContain('support');
      expect(result.newPath.map((p: Json) => p.nodeId)).toEqual([
        'incoming',
        'hours',
        'answer',
        'menu',
        'sales',
      ]);
      // How the sales desk would answer was never recorded: reported, not invented.
      expect(result.unanswered).toMatchObject({ nodeId: 'sales', index: 0 });
      expect(result.newEnd).toBeUndefined();
      expect(result.summary).toContain('“Transfer to sales”');
      expect(result.from).toBe('+15551230001');
    }
    for (const k of Object.keys(ivrRuns).filter(
      (x) => !['support', 'supportDeclines'].includes(x),
    )) {
      expect((byRun.get(ivrRuns[k].id) as Json).status, k).toBe('same');
    }
    const n = Object.keys(ivrRuns).length;
    expect(r.body.summary).toMatchObject({ runs: n, diverged: 2, same: n - 2, incomplete: 0 });
    expect(r.body.summary.text).toBe(
      `2 of ${n} calls would take a different path; 2 would now reach “Transfer to sales”`,
    );
    expect(r.body.summary.endsBefore).toContainEqual(
      expect.objectContaining({ nodeId: 'leave', reason: 'completed', runs: 1 }),
    );
    expect(r.body.summary.endsAfter).toContainEqual(
      expect.objectContaining({ nodeId: 'sales', reason: 'unknown', runs: 2 }),
    );
    expect(r.body.summary.reached).toContainEqual(
      expect.objectContaining({ nodeId: 'support', before: 2, after: 0 }),
    );
    // Against version 1 nothing changed.
    const v1 = await replay(ivrId, { version: 1, filter: { test: true } });
    expect(v1.body.summary.diverged).toBe(0);
    await saveDraft(ivrId, mainIvr());
  });

  it('an input the new path needs but the run never gave is reported as incomplete, not invented', async () => {
    await saveDraft(ivrId, supportAsksAQuestion());
    const r = await replay(ivrId, { runIds: [ivrRuns.support.id, ivrRuns.sales.id] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [support, sales] = [ivrRuns.support.id, ivrRuns.sales.id].map((id) =>
      r.body.results.find((x: Json) => x.runId === id),
    );
    expect(support.status).toBe('incomplete');
    expect(support.unanswered).toMatchObject({ nodeId: 'supportConnected', index: 0 });
    // What the caller did there (heard a message) does not answer a question.
    expect(support.unanswered.message).toMatch(/did not finish the request/);
    expect(support.summary).toMatch(
      /^Cannot be replayed faithfully: “Support connected” would ask for what this call never gave/,
    );
    expect(support.newEnd).toBeUndefined();
    expect(sales.status).toBe('same');
    expect(r.body.summary).toMatchObject({ runs: 2, incomplete: 1, same: 1 });
    expect(r.body.summary.text).toContain('1 cannot be replayed to the end');
    await saveDraft(ivrId, mainIvr());
  });

  it('real calls: filter test=false replays only them; runIds of another flow are refused naming them', async () => {
    // A copy of the example bound to a number: real calls, at the real clock (open or closed).
    const { flowId } = await publish(h.t, mainIvr());
    const number = await ownedNumber(h.emulator);
    await bind(h.t, number, flowId);
    await h.emulator.control.placeCall({
      from: '+15551239876',
      to: number,
      script: [{ on: 'recognize', dtmf: '2' }],
    });
    const real = await runFor(h.t, number);
    await testCall(flowId, { clock: SUNDAY_10 });
    const r = await replay(flowId, { version: 1, filter: { test: false } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.results.map((x: Json) => [x.runId, x.status, x.test])).toEqual([
      [real.id, 'same', false],
    ]);
    expect(r.body.results[0].from).toBe('+15551239876');
    const all = await replay(flowId, { version: 1, filter: {} });
    expect(all.body.results).toHaveLength(2);
    const onlyTests = await replay(flowId, { version: 1, filter: { test: true } });
    expect(onlyTests.body.results.map((x: Json) => x.test)).toEqual([true]);
    const elsewhere = await replay(ivrId, { runIds: [ivrRuns.sales.id, real.id] });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([
      { path: 'runIds[1]', message: `run ${real.id} is a call of another flow` },
    ]);
    // Save as test from the real call: it passes on the draft it was saved to.
    const saved = await h.t.json('POST', `/api/flows/${flowId}/scenarios`, {
      as: 'editor',
      body: { runId: real.id },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.scenario.name).toMatch(/^Call from \+15551239876 at \d\d:\d\d$/);
    const results = await runScenarios(flowId);
    expect(results.body).toMatchObject({ passed: 1, failed: 0 });
  });

  it('refuses bad requests with 4xx naming the field; a viewer cannot replay', async () => {
    const bad = async (body: Json, status: number, field?: string) => {
      const r = await replay(ivrId, body);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      if (field) expect(r.body.errors.map((e: Json) => e.path)).toContain(field);
      return r;
    };
    const limit = await bad({ filter: { limit: 5001 } }, 400, 'filter.limit');
    expect(limit.body.detail).toMatch(/filter\.limit: must be at most 5000/);
    await bad({ draft: true, version: 1 }, 400, 'version');
    await bad({ runIds: [] }, 400, 'runIds');
    await bad({ runIds: ['not-a-run'] }, 400, 'runIds[0]');
    await bad({ runIds: ['00000000-0000-4000-8000-000000000000'] }, 400, 'runIds[0]');
    await bad({ runIds: [ivrRuns.sales.id], filter: {} }, 400, 'filter');
    await bad({ filter: { from: 'yesterday' } }, 400, 'filter.from');
    await bad(
      { filter: { from: '2026-12-09T00:00:00Z', to: '2026-12-08T00:00:00Z' } },
      400,
      'filter.to',
    );
    await bad({ filter: { test: 'yes' } }, 400, 'filter.test');
    await bad({ version: 99 }, 404);
    expect((await h.t.json('POST', '/api/flows/no-such-flow/replay', { body: {} })).status).toBe(
      404,
    );
    expect((await replay(ivrId, {}, 'viewer')).status).toBe(403);
    expect((await replay(ivrId, {})).status).toBe(200);
    // A running call is never replayed, nor saved as a test.
    // A prompt of 3,900 characters: some 2.5 s of real time (at 100×) waiting at the menu.
    const slow = mainIvr();
    slow.nodes.find((n) => n.id === 'menu')!.config.prompt = 'Please hold. '.repeat(300);
    const { flowId } = await publish(h.t, slow);
    const placed = await h.t.json('POST', `/api/flows/${flowId}/test-calls`, {
      body: { clock: TUESDAY_10 },
    });
    const running = placed.body.id as string;
    await waitFor(async () => {
      const r = await h.t.json('GET', `/api/runs/${running}`);
      return r.body.awaiting?.nodeId === 'menu';
    }, 'menu waiting');
    const refused = await replay(flowId, { runIds: [running] });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/run-not-ended');
    expect(refused.body.errors[0].path).toBe('runIds[0]');
    const notSaved = await h.t.json('POST', `/api/flows/${flowId}/scenarios`, {
      as: 'editor',
      body: { runId: running },
    });
    expect(notSaved.status).toBe(409);
    expect(notSaved.body.detail).toMatch(/still running/);
    const filtered = await replay(flowId, { filter: {} });
    expect(filtered.body.results).toEqual([]);
    await h.t.json('POST', `/api/runs/${running}/test-input`, { body: { hangUp: true } });

    // Runs caught in a loop are long: too many steps at once are refused, naming what to shrink.
    const db = new pg.Client({ connectionString: h.t.databaseUrl });
    await db.connect();
    await db.query(
      `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, "endReason", state, "stepCount")
       VALUES (gen_random_uuid()::text, $1, 'v', 1, 'incoming', 'ended', 'stepLimit', '{}'::jsonb, 300000)`,
      [flowId],
    );
    await db.end();
    const long = await replay(flowId, { filter: {} });
    expect(long.status).toBe(400);
    expect(long.body.errors[0]).toEqual({
      path: 'filter.limit',
      message: expect.stringMatching(
        / runs have 300,\d{3} steps; at most 250,000 are replayed at once/,
      ),
    });
  });

  it('a test call of a draft (its snapshot): sensitive keys are neither replayed back nor saved', async () => {
    const pinFlow: FlowDocument = {
      schemaVersion: 1,
      name: 'PIN',
      nodes: [
        node('start', 'trigger.incomingCall'),
        node('answer', 'call.answer'),
        node('pin', 'media.collectDigits', { variable: 'pin', maxDigits: 4, sensitive: true }),
        node('bye', 'call.hangUp'),
      ],
      edges: [
        edge('start', 'next', 'answer'),
        edge('answer', 'connected', 'pin'),
        edge('pin', 'collected', 'bye'),
      ],
    };
    const created = await h.t.json('POST', '/api/flows', {
      body: { name: 'PIN', document: pinFlow },
    });
    const flowId = created.body.id as string;
    const run = await testCall(flowId, {
      version: undefined,
      callerScript: [{ on: 'recognize', dtmf: '4711' }],
    });
    expect(run).toMatchObject({ draft: true, endReason: 'completed' });
    const r = await replay(flowId, { filter: { version: 0 } });
    expect(r.body.results.map((x: Json) => [x.runId, x.status, x.version])).toEqual([
      [run.id, 'same', 0],
    ]);
    expect(JSON.stringify(r.body)).not.toContain('4711');
    const saved = await h.t.json('POST', `/api/flows/${flowId}/scenarios`, {
      as: 'editor',
      body: { runId: run.id, name: 'PIN' },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.scenario.inputs).toContainEqual(
      expect.objectContaining({ node: 'pin', digits: '0000' }),
    );
    expect(saved.body.notes.join(' ')).toMatch(/sensitive/);
    expect(JSON.stringify(await draftOf(flowId))).not.toContain('4711');
    expect((await runScenarios(flowId)).body).toMatchObject({ passed: 1, failed: 0 });
  });

  it('Save as test: passes on the version, fails after the menu change; the publish gate names the failing scenarios', async () => {
    const viewerSave = await h.t.json('POST', `/api/flows/${ivrId}/scenarios`, {
      as: 'viewer',
      body: { runId: ivrRuns.support.id },
    });
    expect(viewerSave.status).toBe(403);
    const otherFlow = await h.t.json('POST', `/api/flows/${ivrId}/scenarios`, {
      as: 'editor',
      body: { runId: reminderRuns.confirms.id },
    });
    expect(otherFlow.status).toBe(400);
    expect(otherFlow.body.errors).toEqual([
      { path: 'runId', message: `run ${reminderRuns.confirms.id} is a call of another flow` },
    ]);

    const before = (await h.t.json('GET', `/api/flows/${ivrId}`)).body.revision as number;
    const saved = await h.t.json('POST', `/api/flows/${ivrId}/scenarios`, {
      as: 'editor',
      body: { runId: ivrRuns.support.id },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.revision).toBe(before + 1);
    expect(saved.body.scenario).toMatchObject({
      name: 'Call from +15551230001 at 10:00',
      call: { from: '+15551230001' },
      expect: { endNode: 'leave', endReason: 'completed' },
    });
    expect(saved.body.scenario.inputs).toContainEqual(
      expect.objectContaining({ node: 'menu', digits: '2' }),
    );
    expect(saved.body.scenario.inputs).toContainEqual(
      expect.objectContaining({ node: 'support', callee: 'answers' }),
    );
    // The same call again: the name is taken, so it gets " (2)"; a name of one's own is kept.
    const again = await h.t.json('POST', `/api/flows/${ivrId}/scenarios`, {
      as: 'editor',
      body: { runId: ivrRuns.support.id },
    });
    expect(again.body.scenario.name).toBe('Call from +15551230001 at 10:00 (2)');
    const named = await h.t.json('POST', `/api/flows/${ivrId}/scenarios`, {
      as: 'editor',
      body: { runId: ivrRuns.sales.id, name: 'presses 1' },
    });
    expect(named.status).toBe(201);
    expect(named.body.revision).toBe(before + 3);
    const draft = await draftOf(ivrId);
    expect(draft.scenarios?.map((s) => s.name)).toEqual([
      'Call from +15551230001 at 10:00',
      'Call from +15551230001 at 10:00 (2)',
      'presses 1',
    ]);

    // The draft as it stands (the version's behaviour): all pass. A viewer may run them.
    const ok = await runScenarios(ivrId);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ passed: 3, failed: 0 });
    expect(ok.body.results.map((r: Json) => r.passed)).toEqual([true, true, true]);
    // Version 1 carries no scenarios.
    expect((await runScenarios(ivrId, { version: 1 })).body).toEqual({
      results: [],
      passed: 0,
      failed: 0,
    });
    expect((await runScenarios(ivrId, { draft: true, version: 1 })).status).toBe(400);

    // Rename the copy, then change the menu: the two "presses 2" scenarios fail.
    const changed = twoGoesToSales(await draftOf(ivrId));
    changed.scenarios![0]!.name = 'presses 2';
    changed.scenarios![1]!.name = 'presses 2 again';
    await saveDraft(ivrId, changed);
    const failing = await runScenarios(ivrId);
    expect(failing.body).toMatchObject({ passed: 1, failed: 2 });
    const first = failing.body.results[0];
    expect(first).toMatchObject({ name: 'presses 2', passed: false });
    expect(first.failures.join('\n')).toMatch(/“Transfer to sales” asked/);
    expect(first.unanswered).toMatchObject({ nodeId: 'sales' });

    // Without the gate, the failing draft publishes (version 2).
    const v2 = await h.t.json('POST', `/api/flows/${ivrId}/publish`, { body: {} });
    expect(v2.status, JSON.stringify(v2.body)).toBe(201);
    const ofV2 = await runScenarios(ivrId, { version: v2.body.version });
    expect(ofV2.body).toMatchObject({ passed: 1, failed: 2 });

    // With it, publishing is refused, naming the failing scenarios.
    await saveDraft(ivrId, { ...(await draftOf(ivrId)), scenariosMustPass: true });
    const refused = await h.t.json('POST', `/api/flows/${ivrId}/publish`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('/problems/scenarios-failing');
    expect(refused.body.detail).toMatch(/^2 scenarios fail: “presses 2”, “presses 2 again”/);
    expect(refused.body.failures).toEqual([
      { name: 'presses 2', failures: expect.arrayContaining([expect.stringMatching(/sales/)]) },
      { name: 'presses 2 again', failures: expect.any(Array) },
    ]);
    expect(refused.body.errors.map((e: Json) => e.path)).toEqual(['scenarios[0]', 'scenarios[1]']);

    // Fixed (2 → support again): it publishes.
    const fixed = await draftOf(ivrId);
    fixed.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:2')!.target =
      'support';
    await saveDraft(ivrId, fixed);
    const v3 = await h.t.json('POST', `/api/flows/${ivrId}/publish`, { body: {} });
    expect(v3.status, JSON.stringify(v3.body)).toBe(201);
    expect((await runScenarios(ivrId, { version: v3.body.version })).body).toMatchObject({
      passed: 3,
      failed: 0,
    });

    // Broken again but the gate turned off: it publishes too.
    await saveDraft(ivrId, { ...twoGoesToSales(await draftOf(ivrId)), scenariosMustPass: true });
    expect((await h.t.json('POST', `/api/flows/${ivrId}/publish`, { body: {} })).status).toBe(422);
    await saveDraft(ivrId, { ...(await draftOf(ivrId)), scenariosMustPass: false });
    expect((await h.t.json('POST', `/api/flows/${ivrId}/publish`, { body: {} })).status).toBe(201);
  });
});
