import { describe, expect, it } from 'vitest';
import {
  documentsResolver,
  lookupOf,
  MAX_SUBFLOW_DEPTH,
  runScenario,
  splitBranch,
  validateFlow,
  type FlowDocument,
  type SubflowCatalog,
} from '../src/index.js';
import { answered, answeredThen, ev, flowOf, given, incoming, marker } from './support/index.js';

/** "Verify caller": asks for a PIN, returns verified (with the account) or notVerified. */
const verifyCaller: FlowDocument = {
  ...flowOf(
    {
      start: [
        'trigger.subflow',
        {
          inputs: [
            { name: 'caller', type: 'string', required: true },
            { name: 'attempts', type: 'number', required: false },
          ],
          outputs: [{ name: 'account', type: 'string' }],
        },
      ],
      pin: ['media.collectDigits', { prompt: 'Your PIN for {{ vars.caller }}', maxDigits: 4 }],
      check: [
        'logic.branch',
        { rules: [{ left: '{{ results.pin.digits }}', operator: 'equals', right: '1234' }] },
      ],
      ok: [
        'flow.return',
        { outcome: 'verified', outputs: [{ name: 'account', value: 'A-{{ vars.caller }}' }] },
      ],
      no: ['flow.return', { outcome: 'notVerified' }],
    },
    [
      ['start', 'next', 'pin'],
      ['pin', 'collected', 'check'],
      ['check', 'rule:0', 'ok'],
      ['check', 'else', 'no'],
    ],
  ),
  name: 'Verify caller',
};

const resolver = documentsResolver({ verify: [verifyCaller] });
const options = { flows: lookupOf(resolver) };

const callerNode = (version: number | null = 1, extra: Record<string, unknown> = {}) =>
  [
    'flow.runSubflow',
    {
      subflow: {
        flowId: 'verify',
        version,
        flowName: 'Verify caller',
        returns: [{ outcome: 'verified' }, { outcome: 'notVerified' }],
      },
      inputs: [{ name: 'caller', value: '{{ call.from }}' }],
      outputs: [{ name: 'accountId', output: 'account' }],
      ...extra,
    },
  ] as [string, Record<string, unknown>];

const parent = (node = callerNode()) =>
  answeredThen(
    node,
    { 'return:verified': 'yes', 'return:notVerified': 'no', failed: 'broken' },
    {
      yes: marker('Welcome {{ vars.accountId }} {{ vars.kept }}'),
      no: marker('Sorry'),
      broken: marker('Broken'),
    },
  );

const resolved = (version = 1) =>
  ev('ActionResult', { subflow: { flowId: 'verify', versionId: `verify@${version}`, version } });

describe('flow.runSubflow', () => {
  it('given the call enters the node, then it asks the engine to resolve the version (pinned or latest)', () => {
    const pinned = answered(parent()).action;
    const s = answered(parent(), options);
    s.then({ awaiting: 'n' });
    expect(s.history.at(-1)?.actions[0]).toMatchObject({
      kind: 'resolveSubflow',
      flowId: 'verify',
      version: 1,
    });
    const latest = answered(parent(callerNode(null)), options);
    expect(latest.history.at(-1)?.actions[0]).toMatchObject({
      kind: 'resolveSubflow',
      version: null,
    });
    expect(pinned).toBeTypeOf('function');
  });

  it('when the version is resolved, then the subflow runs with only its inputs, in a frame', () => {
    const s = answered(parent(), options).when(resolved());
    s.then({ actions: ['recognizeDtmf'], awaiting: 'pin' });
    expect(s.state.vars).toEqual({ caller: '+15551234567' });
    expect(s.state.frames).toEqual([
      { flowId: 'verify', versionId: 'verify@1', version: 1, nodeId: 'n', vars: {}, results: {} },
    ]);
    const recognize = s.action('recognizeDtmf');
    expect(recognize.prompts[0]).toMatchObject({ text: 'Your PIN for +15551234567' });
    // Entries inside the subflow carry the frame; the resolve event names the version.
    const enterPin = s.trace.find((t) => t.kind === 'enter' && t.nodeId === 'pin');
    expect(enterPin?.in).toEqual([
      { flowId: 'verify', versionId: 'verify@1', version: 1, nodeId: 'n' },
    ]);
    expect(s.trace.find((t) => t.kind === 'event' && t.nodeId === 'n')).toMatchObject({
      note: 'calls version 1 (verify@1)',
    });
  });

  it('when the subflow reaches a Return, then the caller takes its outcome with the outputs mapped, its variables back', () => {
    const s = answered(parent(), options)
      .given(resolved())
      .when(ev('RecognizeCompleted', { tones: ['one', 'two', 'three', 'four'] }));
    s.then({
      outcomes: { n: ['return:verified'] },
      actions: ['play'],
      vars: { accountId: 'A-+15551234567' },
    });
    expect(s.state.frames).toBeUndefined();
    expect(s.state.vars).not.toHaveProperty('caller');
    expect(s.action('play').sources[0]).toMatchObject({ text: 'Welcome A-+15551234567 ' });
    expect(s.state.currentNodeId).toBe('yes');
  });

  it('when the PIN is wrong, then the caller takes the other Return outcome', () => {
    const s = answered(parent(), options)
      .given(resolved())
      .when(ev('RecognizeCompleted', { tones: ['nine'] }));
    s.then({ outcomes: { n: ['return:notVerified'] } });
  });

  it('when the version cannot be resolved (ActionFailed), then the node takes "failed"', () => {
    const s = answered(parent(), options).when(
      ev('ActionFailed', { resultInformation: { code: 404 } }),
    );
    s.then({ outcomes: { n: ['failed'] }, actions: ['play'] });
  });

  it('when the resolved version is not in the lookup, then "failed", with the reason traced', () => {
    const s = answered(parent(), options).when(resolved(7));
    s.then({ outcomes: { n: ['failed'] } });
    expect(s.trace.find((t) => t.kind === 'error')).toMatchObject({
      message: 'version 7 of the subflow is not available',
    });
  });

  it('when a required input is missing or of the wrong type, then "failed"', () => {
    const s = answered(parent(callerNode(1, { inputs: [] })), options).when(resolved());
    s.then({ outcomes: { n: ['failed'] } });
    expect(s.trace.find((t) => t.kind === 'error')).toMatchObject({
      message: 'the input “caller” is required and was not given',
    });
    const typed = answered(
      parent(
        callerNode(1, {
          inputs: [
            { name: 'caller', value: 'x' },
            { name: 'attempts', value: 'many' },
          ],
        }),
      ),
      options,
    ).when(resolved());
    expect(typed.trace.find((t) => t.kind === 'error')).toMatchObject({
      message: 'the input “attempts” must be a number, not “many”',
    });
  });

  it('when the subflow returns an outcome the caller does not show, then "failed"', () => {
    const node = callerNode();
    (node[1].subflow as { returns: unknown[] }).returns = [{ outcome: 'verified' }];
    const flow = answeredThen(
      node,
      { 'return:verified': 'yes', failed: 'broken' },
      { yes: marker('Y'), broken: marker('B') },
    );
    const s = answered(flow, options)
      .given(resolved())
      .when(ev('RecognizeCompleted', { tones: ['nine'] }));
    s.then({ outcomes: { n: ['failed'] } });
  });

  it('when the caller hangs up inside the subflow, then the run ends there', () => {
    const s = answered(parent(), options).given(resolved()).when(ev('CallDisconnected'));
    s.then({ ended: 'callerHungUp' });
  });

  it(`given subflows nested ${MAX_SUBFLOW_DEPTH} deep, when one more is called, then "failed"`, () => {
    // A subflow that calls itself with nothing that waits, each level a frame.
    const loop: FlowDocument = flowOf(
      {
        start: ['trigger.subflow'],
        again: [
          'flow.runSubflow',
          {
            subflow: {
              flowId: 'loop',
              version: 1,
              flowName: 'Loop',
              returns: [{ outcome: 'done' }],
            },
          },
        ],
        back: ['flow.return', { outcome: 'done' }],
      },
      [
        ['start', 'next', 'again'],
        ['again', 'return:done', 'back'],
        ['again', 'failed', 'back'],
      ],
    );
    const lookup = { flows: lookupOf(documentsResolver({ loop: [loop] })) };
    const flow = parent([
      'flow.runSubflow',
      { subflow: { flowId: 'loop', version: 1, flowName: 'Loop', returns: [{ outcome: 'done' }] } },
    ]);
    let s = answered(flow, lookup);
    for (let i = 0; i < MAX_SUBFLOW_DEPTH; i++) {
      s = s.given(
        ev('ActionResult', { subflow: { flowId: 'loop', versionId: 'loop@1', version: 1 } }),
      );
      expect(s.state.frames).toHaveLength(i + 1);
    }
    s.when(ev('ActionResult', { subflow: { flowId: 'loop', versionId: 'loop@1', version: 1 } }));
    expect(s.trace.find((t) => t.kind === 'error')).toMatchObject({
      message: `subflows are nested more than ${MAX_SUBFLOW_DEPTH} deep`,
    });
    // Each level returns "done" to the one above; the outermost caller shows no "done" edge
    // here (its wiring is for verify), so the call ends there.
    expect(s.state.frames).toBeUndefined();
  });

  it('given a run inside a subflow, when the lookup lacks its version, then the run ends failed', () => {
    const s = answered(parent(), options).given(resolved());
    s.options!.flows = () => undefined;
    s.when(ev('RecognizeCompleted', { tones: ['one'] }));
    s.then({ ended: 'failed' });
  });
});

describe('flow.return', () => {
  it('given a subflow started on its own (a test of it), when it reaches a Return, then the call completes', () => {
    const s = given(verifyCaller, { ...incoming, variables: { caller: '+1' } }).when(
      ev('RecognizeCompleted', { tones: ['nine'] }),
    );
    s.then({ ended: 'completed' });
  });
});

describe('logic.split', () => {
  const flow = answeredThen(
    [
      'logic.split',
      {
        branches: [
          { label: 'A', weight: 30 },
          { label: 'B', weight: 70 },
        ],
      },
    ],
    { 'branch:0': 'a0', 'branch:1': 'b1' },
    { a0: marker('A'), b1: marker('B') },
  );

  it('given a call, then it takes one branch within the same step, the same for the same call id', () => {
    const one = answered(flow).trace;
    const again = answered(flow).trace;
    const outcomeOf = (t: typeof one) => t.find((x) => x.kind === 'outcome' && x.nodeId === 'n');
    expect(outcomeOf(one)).toEqual(outcomeOf(again));
  });

  it('takes the branch that splitBranch computes from the run id and node id', () => {
    for (const runId of ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']) {
      const s = given(flow, { ...incoming, runId }).when(ev('CallConnected'));
      const want = splitBranch([30, 70], runId, 'n');
      s.then({ outcomes: { n: [`branch:${want}`] } });
    }
  });

  it('never takes a branch of weight 0', () => {
    const zero = answeredThen(
      [
        'logic.split',
        {
          branches: [
            { label: 'A', weight: 0 },
            { label: 'B', weight: 1 },
          ],
        },
      ],
      { 'branch:0': 'a0', 'branch:1': 'b1' },
      { a0: marker('A'), b1: marker('B') },
    );
    for (let i = 0; i < 50; i++) {
      const s = given(zero, { ...incoming, runId: `run-${i}` }).when(ev('CallConnected'));
      s.then({ outcomes: { n: ['branch:1'] } });
    }
  });

  it('spreads calls by weight (seeded call ids, the seed printed)', () => {
    const seed = Number(process.env.SPLIT_SEED ?? 20261201);
    console.log(`split distribution seed: ${seed} (SPLIT_SEED)`);
    let x = seed >>> 0;
    const next = () => {
      // xorshift32: call ids that look like the engine's (uuid-shaped), from the seed.
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x.toString(16).padStart(8, '0');
    };
    const counts = [0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const id = `${next()}-${next().slice(0, 4)}-4${next().slice(0, 3)}-8${next().slice(0, 3)}-${next()}${next().slice(0, 4)}`;
      counts[splitBranch([20, 30, 50], id, 'split') as number]! += 1;
    }
    const shares = counts.map((c) => c / n);
    console.log(
      `split shares for 20/30/50: ${shares.map((s) => (s * 100).toFixed(1)).join(' / ')}`,
    );
    // 20,000 calls: the standard error of a share is under 0.4 %; 2 % is 5 of them.
    expect(Math.abs(shares[0]! - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(shares[1]! - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(shares[2]! - 0.5)).toBeLessThan(0.02);
  });
});

describe('validator: subflows', () => {
  const catalog = (flows: Record<string, FlowDocument[]>, selfId?: string): SubflowCatalog => ({
    ...(selfId ? { selfId } : {}),
    version: (flowId, version) => {
      const list = flows[flowId];
      const v = version ?? list?.length ?? 0;
      const document = list?.[v - 1];
      return document ? { version: v, document } : undefined;
    },
  });
  const errors = (doc: FlowDocument, c?: SubflowCatalog) =>
    validateFlow(doc, c ? { subflows: c } : {})
      .filter((i) => i.severity === 'error')
      .map((i) => i.message);

  it('accepts a call that fits the subflow', () => {
    expect(errors(parent(), catalog({ verify: [verifyCaller] }))).toEqual([]);
    expect(errors(verifyCaller)).toEqual([]);
  });

  it('names a missing required input, an unknown input, a plain value of the wrong type and an unknown output', () => {
    const node = callerNode(1, {
      inputs: [
        { name: 'attempts', value: 'many' },
        { name: 'colour', value: 'red' },
      ],
      outputs: [{ name: 'x', output: 'nope' }],
    });
    expect(errors(parent(node), catalog({ verify: [verifyCaller] }))).toEqual([
      '“Run subflow” does not give “caller”, which “Verify caller” requires',
      '“attempts” of “Verify caller” is a number; “many” is not one',
      '“Verify caller” has no input “colour”',
      '“Verify caller” gives back no output “nope”',
    ]);
  });

  it('names an unpublished version and outcomes that differ from the version’s Returns', () => {
    expect(errors(parent(callerNode(3)), catalog({ verify: [verifyCaller] }))).toEqual([
      '“Run subflow” calls version 3 of a flow, which is not published',
    ]);
    const node = callerNode();
    (node[1].subflow as { returns: unknown[] }).returns = [{ outcome: 'verified' }];
    const wrong = answeredThen(
      node,
      { 'return:verified': 'yes', failed: 'broken' },
      { yes: marker('Y'), broken: marker('B') },
    );
    expect(errors(wrong, catalog({ verify: [verifyCaller] }))).toEqual([
      '“Run subflow” shows other outcomes than version 1 of “Verify caller” returns (verified, notVerified); choose the version again',
    ]);
  });

  it('refuses A → B → A with nothing that waits, allows it when a node waits on the cycle', () => {
    const b = (waits: boolean): FlowDocument =>
      flowOf(
        {
          start: ['trigger.subflow'],
          ...(waits ? { ask: ['media.play', { text: 'hi' }] } : {}),
          call: [
            'flow.runSubflow',
            { subflow: { flowId: 'A', version: null, flowName: 'A', returns: [] } },
          ],
          back: ['flow.return', { outcome: 'done' }],
        },
        waits
          ? [
              ['start', 'next', 'ask'],
              ['ask', 'completed', 'call'],
              ['call', 'failed', 'back'],
            ]
          : [
              ['start', 'next', 'call'],
              ['call', 'failed', 'back'],
            ],
      );
    const a = flowOf(
      {
        start: ['trigger.subflow'],
        call: [
          'flow.runSubflow',
          {
            subflow: { flowId: 'B', version: null, flowName: 'B', returns: [{ outcome: 'done' }] },
          },
        ],
        back: ['flow.return', { outcome: 'done' }],
      },
      [
        ['start', 'next', 'call'],
        ['call', 'return:done', 'back'],
        ['call', 'failed', 'back'],
      ],
    );
    const loopErrors = errors(a, catalog({ A: [a], B: [b(false)] }, 'A'));
    expect(
      loopErrors.some((m) => /would call itself again with nothing on the way that waits/.test(m)),
    ).toBe(true);
    const fine = errors(a, catalog({ A: [a], B: [b(true)] }, 'A'));
    expect(fine.some((m) => /would call itself again/.test(m))).toBe(false);
  });

  it('refuses a Return in a flow that does not start with “Subflow start”', () => {
    const doc = answeredThen(['flow.return', { outcome: 'x' }]);
    expect(errors(doc)).toContain(
      '“Return” returns to a calling flow, but this flow starts with “Incoming call”, not with “Subflow start”',
    );
  });
});

describe('scenarios with subflows', () => {
  it('simulates the subflow with a resolver; its prompts are named <caller>/<node>', () => {
    const r = runScenario(
      parent(),
      {
        name: 'verified',
        inputs: [{ node: 'n/pin', digits: '1234' }],
        expect: { path: ['t', 'a', 'n', 'yes'] },
      },
      { subflows: resolver },
    );
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('without a resolver, the subflow call takes "failed"', () => {
    const r = runScenario(parent(), { name: 'x', expect: { path: ['t', 'a', 'n', 'broken'] } });
    expect(r.failures).toEqual([]);
  });
});
