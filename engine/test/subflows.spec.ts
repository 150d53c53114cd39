import { splitBranch, type FlowDocument } from '@switchboard/flow';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config/config.js';
import { seedExamples } from '../src/seed/seed-examples.js';
import {
  acsRequests,
  bind,
  edge,
  node,
  ownedNumber,
  publish,
  runFor,
  useCallHarness,
} from './calls.js';

const CALLER = '+15551234567';

/** "Verify caller": PIN 1234 → verified (account = <prefix>-<caller>), else notVerified. */
function verifyCaller(prefix: string): FlowDocument {
  return {
    schemaVersion: 1,
    name: `Verify caller ${prefix}`,
    nodes: [
      node('start', 'trigger.subflow', {
        inputs: [{ name: 'caller', type: 'string', required: true }],
        outputs: [{ name: 'account', type: 'string' }],
      }),
      node('pin', 'media.collectDigits', { prompt: 'Your PIN please', maxDigits: 4 }),
      node('check', 'logic.branch', {
        rules: [{ left: '{{ results.pin.digits }}', operator: 'equals', right: '1234' }],
      }),
      node('ok', 'flow.return', {
        outcome: 'verified',
        outputs: [{ name: 'account', value: `${prefix}-{{ vars.caller }}` }],
      }),
      node('no', 'flow.return', { outcome: 'notVerified' }),
    ],
    edges: [
      edge('start', 'next', 'pin'),
      edge('pin', 'collected', 'check'),
      edge('pin', 'noInput', 'no'),
      edge('pin', 'failed', 'no'),
      edge('check', 'rule:0', 'ok'),
      edge('check', 'else', 'no'),
    ],
  };
}

function caller(flowId: string, version: number | null): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'Calls verify',
    nodes: [
      node('start', 'trigger.incomingCall'),
      node('answer', 'call.answer'),
      node('verify', 'flow.runSubflow', {
        subflow: {
          flowId,
          version,
          flowName: 'Verify caller',
          returns: [{ outcome: 'verified' }, { outcome: 'notVerified' }],
        },
        inputs: [{ name: 'caller', value: '{{ call.from }}' }],
        outputs: [{ name: 'accountId', output: 'account' }],
      }),
      node('welcome', 'media.play', { text: 'Welcome {{ vars.accountId }}' }),
      node('sorry', 'media.play', { text: 'Sorry' }),
      node('hangUp', 'call.hangUp', { forEveryone: true }),
    ],
    edges: [
      edge('start', 'next', 'answer'),
      edge('answer', 'connected', 'verify'),
      edge('verify', 'return:verified', 'welcome'),
      edge('verify', 'return:notVerified', 'sorry'),
      edge('verify', 'failed', 'hangUp'),
      edge('welcome', 'completed', 'hangUp'),
      edge('welcome', 'failed', 'hangUp'),
      edge('sorry', 'completed', 'hangUp'),
      edge('sorry', 'failed', 'hangUp'),
    ],
  };
}

type Step = {
  eventType: string;
  event: { subflow?: { flowId: string; versionId: string; version: number } };
  trace: { kind: string; nodeId?: string; in?: { nodeId: string; version: number }[] }[];
  actions: { kind: string; sources?: { text: string }[] }[];
};

const played = (steps: Step[]) =>
  steps.flatMap((s) => s.actions.filter((a) => a.kind === 'play').map((a) => a.sources?.[0]?.text));
const resolvedIn = (steps: Step[]) => steps.find((s) => s.event.subflow)?.event.subflow;

describe('subflows on real calls', () => {
  const h = useCallHarness();

  async function call(flowId: string, dtmf = '1234') {
    const number = await ownedNumber(h.emulator);
    await bind(h.t, number, flowId);
    const placed = await h.emulator.control.placeCall({
      from: CALLER,
      to: number,
      script: [{ on: 'recognize', dtmf }],
    });
    const run = await runFor(h.t, number);
    return { run, placed, steps: run.steps as Step[] };
  }

  it('calls a pinned version with typed inputs; the Return gives the outcome and the outputs', async () => {
    const sub = await publish(h.t, verifyCaller('A'));
    await publish(h.t, verifyCaller('B'), sub.flowId); // version 2: not the pinned one
    const parent = await publish(h.t, caller(sub.flowId, 1));
    const { run, placed, steps } = await call(parent.flowId);
    expect(run.endReason).toBe('completed');
    expect(resolvedIn(steps)).toMatchObject({ flowId: sub.flowId, version: 1 });
    expect(played(steps)).toEqual([`Welcome A-${CALLER}`]);
    expect(run.variables.accountId).toBe(`A-${CALLER}`);
    // The subflow's steps carry their frame; the ACS requests are one call's.
    const pin = steps.flatMap((s) => s.trace).find((t) => t.kind === 'enter' && t.nodeId === 'pin');
    expect(pin?.in).toEqual([expect.objectContaining({ nodeId: 'verify', version: 1 })]);
    const paths = (await acsRequests(h.emulator, placed.serverCallId)).map((r) => r.path);
    expect(paths).toEqual([':answer', '{id}:recognize', '{id}:play', '{id}:terminate']);
  });

  it('the other Return outcome when the PIN is wrong', async () => {
    const sub = await publish(h.t, verifyCaller('A'));
    const parent = await publish(h.t, caller(sub.flowId, 1));
    const { steps } = await call(parent.flowId, '9999');
    expect(played(steps)).toEqual(['Sorry']);
  });

  it('"latest published" is resolved when the call enters the node, and recorded in the run', async () => {
    const sub = await publish(h.t, verifyCaller('A'));
    await publish(h.t, verifyCaller('B'), sub.flowId);
    const parent = await publish(h.t, caller(sub.flowId, null));
    const first = await call(parent.flowId);
    expect(resolvedIn(first.steps)).toMatchObject({ version: 2 });
    expect(played(first.steps)).toEqual([`Welcome B-${CALLER}`]);
    // A newer version: the next call gets it, without republishing the caller.
    await publish(h.t, verifyCaller('C'), sub.flowId);
    const second = await call(parent.flowId);
    expect(resolvedIn(second.steps)).toMatchObject({ version: 3 });
    expect(resolvedIn(second.steps)?.versionId).not.toBe(resolvedIn(first.steps)?.versionId);
    expect(played(second.steps)).toEqual([`Welcome C-${CALLER}`]);
    // Replays of runs with subflow frames re-run the versions they recorded.
    const replay = await h.t.json('POST', `/api/flows/${parent.flowId}/replay`, {
      body: { runIds: [second.run.id], version: 1 },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.results[0]).toMatchObject({ status: 'same' });
    // The run's own path (analytics) counts the subflow node, not the subflow's nodes.
    const analytics = await h.t.json('GET', `/api/flows/${parent.flowId}/analytics`);
    const entered = (analytics.body.nodes as { id: string }[]).map((n) => n.id).sort();
    expect(entered).toEqual(['answer', 'hangUp', 'start', 'verify', 'welcome']);
  });

  it('publishing refuses a call that does not fit the subflow, naming it', async () => {
    const sub = await publish(h.t, verifyCaller('A'));
    const doc = caller(sub.flowId, 4);
    const created = await h.t.json('POST', '/api/flows', {
      body: { name: doc.name, document: doc },
    });
    const refused = await h.t.json('POST', `/api/flows/${created.body.id}/publish`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/calls version 4 of a flow, which is not published/);
    const noInput = caller(sub.flowId, 1);
    (noInput.nodes[2]!.config as { inputs: unknown[] }).inputs = [];
    const other = await h.t.json('POST', '/api/flows', { body: { name: 'x', document: noInput } });
    const refused2 = await h.t.json('POST', `/api/flows/${other.body.id}/publish`, { body: {} });
    expect(refused2.status).toBe(422);
    expect(refused2.body.detail).toMatch(
      /does not give “caller”, which “Verify caller A” requires/,
    );
  });

  it('splits calls by weight, deterministically: each run takes the branch its id hashes to, and a replay the same', async () => {
    const doc: FlowDocument = {
      schemaVersion: 1,
      name: 'Split',
      nodes: [
        node('start', 'trigger.incomingCall'),
        node('answer', 'call.answer'),
        node('ab', 'logic.split', {
          branches: [
            { label: 'Old', weight: 50 },
            { label: 'New', weight: 50 },
          ],
        }),
        node('old', 'media.play', { text: 'Old greeting' }),
        node('new', 'media.play', { text: 'New greeting' }),
        node('hangUp', 'call.hangUp', { forEveryone: true }),
      ],
      edges: [
        edge('start', 'next', 'answer'),
        edge('answer', 'connected', 'ab'),
        edge('ab', 'branch:0', 'old'),
        edge('ab', 'branch:1', 'new'),
        edge('old', 'completed', 'hangUp'),
        edge('new', 'completed', 'hangUp'),
        edge('old', 'failed', 'hangUp'),
        edge('new', 'failed', 'hangUp'),
      ],
    };
    const { flowId } = await publish(h.t, doc);
    const runIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { run, steps } = await call(flowId);
      const branch = splitBranch([50, 50], run.id, 'ab');
      expect(played(steps)).toEqual([branch === 0 ? 'Old greeting' : 'New greeting']);
      runIds.push(run.id);
    }
    const replay = await h.t.json('POST', `/api/flows/${flowId}/replay`, {
      body: { runIds, version: 1 },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.results.map((r: { status: string }) => r.status)).toEqual(
      runIds.map(() => 'same'),
    );
  });

  it('npm start seeds the Support line example linked to the Verify caller example it calls', async () => {
    const seeded = await seedExamples(h.t.engine.app, join(repoRoot(), 'flow', 'examples'));
    const support = seeded.find((f) => f.file === 'support-line.json')!;
    const verify = seeded.find((f) => f.file === 'verify-caller.json')!;
    expect(seeded.indexOf(verify)).toBeLessThan(seeded.indexOf(support));
    const doc = await h.t.json('GET', `/api/flows/${support.flowId}/versions/1`);
    const node = (doc.body.document as FlowDocument).nodes.find((n) => n.id === 'verify')!;
    expect((node.config.subflow as { flowId: string }).flowId).toBe(verify.flowId);
    const { run, steps } = await call(support.flowId);
    expect(run.endReason).toBe('completed');
    expect(resolvedIn(steps)).toMatchObject({ flowId: verify.flowId, version: 1 });
    expect(played(steps).at(-1)).toBe(
      'Thank you. Your account is ACC-15551234567. An agent will be with you shortly.',
    );
    // The subflow's PIN node is sensitive: masked in the caller's run as in the subflow's own.
    const typed = (
      steps as (Step & { event: { tones?: string[] }; variables: Record<string, string> })[]
    ).find((st) => st.eventType === 'RecognizeCompleted')!;
    expect(typed.event.tones).toEqual(['•', '•', '•', '•']);
    // After that step the subflow has returned: its variables (the PIN) are gone from the run.
    expect(typed.variables).not.toHaveProperty('pin');
    expect(JSON.stringify(steps)).not.toContain('"1234"');
  });
});
