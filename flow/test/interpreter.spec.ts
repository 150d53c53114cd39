import { describe, expect, it } from 'vitest';
import {
  allNodeTypeVersions,
  compileFlow,
  defaultConfig,
  outcomesOf,
  start,
  step,
  validateFlow,
  type FlowDocument,
} from '../src/index.js';
import {
  answered,
  answeredThen,
  ev,
  flowOf,
  given,
  incoming,
  marker,
  NOW,
  stale,
} from './support/index.js';

const AGENT = '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000002';

/** "Where did the run go next": the text of the marker play it issued. */
function playedText(s: { actions: readonly { kind: string }[] }): string | undefined {
  const play = s.actions.find((a) => a.kind === 'play') as
    { sources: { kind: string; text?: string }[] } | undefined;
  return play?.sources[0]?.text;
}

describe('trigger.incomingCall', () => {
  it('given an incoming call, then the next node runs at once (here: answer)', () => {
    const s = given(answeredThen(marker('hi')));
    expect(s.started.actions).toEqual([
      {
        kind: 'answerCall',
        incomingCallContext: 'incoming-context',
        id: 'run1:1',
        operationContext: 'run1:1',
        nodeId: 'a',
      },
    ]);
    expect(s.started.state).toMatchObject({
      status: 'running',
      currentNodeId: 'a',
      awaiting: { nodeId: 'a', operationContext: 'run1:1', since: NOW, deadline: NOW + 30_000 },
      call: {
        from: '+15551234567',
        to: '+18005550100',
        callerDisplayName: 'Ann',
        correlationId: 'corr-1',
      },
    });
  });

  it('refuses to start an outbound run on an incoming-call flow', () => {
    const r = start(
      answeredThen(marker('hi')),
      { kind: 'outbound', runId: 'r', targets: ['+14255550100'] },
      NOW,
    );
    expect(r.actions).toEqual([{ kind: 'end', reason: 'failed' }]);
  });
});

describe('trigger.outboundCall', () => {
  const flow = flowOf(
    {
      call: [
        'trigger.outboundCall',
        {
          callerId: '+18005550100',
          displayName: 'Clinic',
          variables: [{ name: 'who', value: 'there' }],
        },
      ],
      p: marker('Hello {{ vars.who }}'),
    },
    [['call', 'connected', 'p']],
  );
  const trigger = { kind: 'outbound' as const, runId: 'out', targets: ['+14255550100'] };

  it('given a start request, then it places the call with the targets and caller ID', () => {
    const s = given(flow, trigger);
    expect(s.started.actions).toEqual([
      {
        kind: 'createCall',
        targets: ['+14255550100'],
        callerId: '+18005550100',
        displayName: 'Clinic',
        id: 'out:1',
        operationContext: 'out:1',
        nodeId: 'call',
      },
    ]);
    expect(s.state.vars).toEqual({ who: 'there' });
  });

  it('when the callee answers, then it takes "connected"; start-request variables win over defaults', () => {
    given(flow, { ...trigger, variables: { who: 'Bob' } })
      .when(ev('CallConnected', { callConnectionId: 'cc-9' }))
      .then({ outcomes: { call: ['connected'] }, actions: ['play'], awaiting: 'p' });
    const s = given(flow, { ...trigger, variables: { who: 'Bob' } }).when(ev('CallConnected'));
    expect(playedText(s)).toBe('Hello Bob');
  });

  it('when the call fails, then it takes "failed" and, with nothing connected, ends without hanging up', () => {
    given(flow, trigger)
      .when(ev('CreateCallFailed', { resultInformation: { code: 408, subCode: 10004 } }))
      .then({ outcomes: { call: ['failed'] }, actions: ['end'], ended: 'failed' });
  });
});

describe('call.answer', () => {
  it('when CallConnected arrives, then "connected" and the call ids are learnt', () => {
    const s = given(answeredThen(marker('hi'))).when(
      ev('CallConnected', { callConnectionId: 'cc-1', serverCallId: 'x' }),
    );
    s.then({ outcomes: { a: ['connected'] }, actions: ['play'], awaiting: 'n' });
    expect(s.state.call).toMatchObject({
      callConnectionId: 'cc-1',
      connected: true,
      serverCallId: 'server-1',
    });
  });

  it('keeps the incoming call context until the call is connected, then drops it (spent)', () => {
    const run = given(answeredThen(marker('hi')));
    const before = run.state;
    expect(before.call.incomingCallContext).toBe('incoming-context');
    run.when(ev('CallConnected', { callConnectionId: 'cc-1' }));
    expect(run.state.call).not.toHaveProperty('incomingCallContext');
    // The state the caller held is not changed.
    expect(before.call.incomingCallContext).toBe('incoming-context');
  });

  it('when AnswerFailed arrives, then "failed" (no edge: the still-ringing call is rejected)', () => {
    given(answeredThen(marker('hi')))
      .when(ev('AnswerFailed', { resultInformation: { code: 400, subCode: 8523 } }))
      .then({ outcomes: { a: ['failed'] }, actions: ['rejectCall', 'end'], ended: 'failed' });
  });

  it('hangs up, not rejects, an answered call whose CallConnected was lost (the wait timed out)', () => {
    const s = given(answeredThen(marker('hi'))).when(
      ev('ActionResult', { operationContext: 'run1:1', callConnectionId: 'cc-1' }),
    );
    s.when(ev('Timeout', { operationContext: 'run1:1' })).then({
      actions: ['hangUp', 'end'],
      ended: 'failed',
    });
  });
});

describe('call.reject', () => {
  const flow = flowOf({ t: ['trigger.incomingCall'], r: ['call.reject', { reason: 'busy' }] }, [
    ['t', 'next', 'r'],
  ]);
  it('rejects with the reason and gives up control at once', () => {
    const s = given(flow);
    expect(s.started.actions).toEqual([
      {
        kind: 'rejectCall',
        incomingCallContext: 'incoming-context',
        reason: 'busy',
        id: 'run1:1',
        operationContext: 'run1:1',
        nodeId: 'r',
      },
      { kind: 'end', reason: 'rejected' },
    ]);
    s.when(ev('ActionFailed', { operationContext: 'run1:1' })).then({
      actions: [],
      ended: 'rejected',
    });
  });
});

describe('call.redirect', () => {
  it('redirects (with a caller ID for phone numbers) and ends', () => {
    const flow = flowOf(
      {
        t: ['trigger.incomingCall'],
        r: ['call.redirect', { target: '+14255550100', callerId: '+18005550100' }],
      },
      [['t', 'next', 'r']],
    );
    const r = start(flow, incoming, NOW);
    expect(r.actions[0]).toMatchObject({
      kind: 'redirectCall',
      target: '+14255550100',
      callerId: '+18005550100',
    });
    expect(r.actions[1]).toEqual({ kind: 'end', reason: 'redirected' });
    expect(r.state).toMatchObject({ status: 'ended', endReason: 'redirected' });
  });
});

describe('call.transfer', () => {
  const flow = answeredThen(
    [
      'call.transfer',
      {
        target: '+14255550100',
        sipHeaders: [{ name: 'User-To-User', value: 'caller={{ call.from }}' }],
      },
    ],
    { failed: 'sorry' },
    { sorry: marker('sorry') },
  );

  it('issues the transfer with rendered custom headers', () => {
    const s = answered(flow).when();
    const transfer = s.history[0]?.actions[0];
    expect(transfer).toMatchObject({
      kind: 'transferCall',
      target: '+14255550100',
      customCallingContext: {
        voipHeaders: {},
        sipHeaders: { 'User-To-User': 'caller=+15551234567' },
      },
    });
  });

  it('when CallTransferAccepted, then the run ends "transferred" without hanging up', () => {
    answered(flow)
      .when(ev('CallTransferAccepted'))
      .then({ outcomes: { n: ['accepted'] }, actions: ['end'], ended: 'transferred' });
  });

  it('when CallTransferFailed, then "failed" is followed', () => {
    const s = answered(flow).when(
      ev('CallTransferFailed', { resultInformation: { code: 500, subCode: 7004 } }),
    );
    s.then({ outcomes: { n: ['failed'] }, actions: ['play'], awaiting: 'sorry' });
  });
});

describe('call.addParticipant and call.cancelAddParticipant', () => {
  const waiting = answeredThen(
    ['call.addParticipant', { target: AGENT }],
    { added: 'ok', failed: 'ko' },
    { ok: marker('ok'), ko: marker('ko') },
  );

  it('waits for the answer: the HTTP result alone does not advance', () => {
    const s = answered(waiting).when(ev('ActionResult', { invitationId: 'inv-1' }));
    s.then({ actions: [], awaiting: 'n' });
    s.when(ev('AddParticipantSucceeded')).then({ outcomes: { n: ['added'] }, actions: ['play'] });
    expect(playedText(s)).toBe('ok');
  });

  it('when AddParticipantFailed, then "failed"', () => {
    const s = answered(waiting).when(
      ev('AddParticipantFailed', { resultInformation: { code: 408, subCode: 10004 } }),
    );
    s.then({ outcomes: { n: ['failed'] } });
    expect(playedText(s)).toBe('ko');
  });

  it('issues the invitation with its timeout', () => {
    const s = answered(waiting);
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'addParticipant',
      target: AGENT,
      invitationTimeoutSeconds: 30,
    });
    expect(s.state.awaiting?.deadline).toBe(NOW + 60_000);
  });

  const cancelling = answeredThen(
    ['call.addParticipant', { target: AGENT, waitForAnswer: false }],
    { added: 'cancel' },
    {
      cancel: ['call.cancelAddParticipant', { addParticipantNodeId: 'n' }],
      done: marker('done'),
      ko: marker('ko'),
    },
    [
      ['cancel', 'cancelled', 'done'],
      ['cancel', 'failed', 'ko'],
    ],
  );

  it('not waiting: continues on the HTTP result, and a later node cancels by invitation id', () => {
    const s = answered(cancelling).when(ev('ActionResult', { invitationId: 'inv-7' }));
    s.then({ outcomes: { n: ['added'] }, actions: ['cancelAddParticipant'], awaiting: 'cancel' });
    expect(s.action('cancelAddParticipant').invitationId).toBe('inv-7');
    expect(s.state.results.n).toMatchObject({ invitationId: 'inv-7', outcome: 'added' });
    s.when(ev('CancelAddParticipantSucceeded')).then({ outcomes: { cancel: ['cancelled'] } });
    expect(playedText(s)).toBe('done');
  });

  it('when the cancellation fails, then "failed"', () => {
    const s = answered(cancelling)
      .given(ev('ActionResult', { invitationId: 'inv-7' }))
      .when(ev('CancelAddParticipantFailed', { resultInformation: { code: 400, subCode: 8523 } }));
    s.then({ outcomes: { cancel: ['failed'] } });
    expect(playedText(s)).toBe('ko');
  });

  it('with no invitation to cancel, takes "failed" at once', () => {
    const flow = answeredThen(
      ['call.cancelAddParticipant', { addParticipantNodeId: 'x' }],
      { failed: 'ko' },
      { x: ['call.addParticipant', { target: AGENT }], ko: marker('ko') },
    );
    const s = given(flow).when(ev('CallConnected'));
    s.then({ outcomes: { n: ['failed'] }, actions: ['play'] });
  });
});

describe('call.removeParticipant', () => {
  const flow = answeredThen(
    ['call.removeParticipant', { target: '+14255550100' }],
    { removed: 'ok', failed: 'ko' },
    { ok: marker('ok'), ko: marker('ko') },
  );
  it('when RemoveParticipantSucceeded, then "removed"', () => {
    const s = answered(flow);
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'removeParticipant',
      target: '+14255550100',
    });
    s.when(ev('RemoveParticipantSucceeded')).then({ outcomes: { n: ['removed'] } });
  });
  it('when RemoveParticipantFailed (8519), then "failed"', () => {
    answered(flow)
      .when(ev('RemoveParticipantFailed', { resultInformation: { code: 400, subCode: 8519 } }))
      .then({ outcomes: { n: ['failed'] } });
  });
});

describe('call.muteParticipant, call.hold, call.unhold (HTTP 200 is the completion)', () => {
  it('mutes the caller by default; the ActionResult means "muted"', () => {
    const s = answered(
      answeredThen(['call.muteParticipant'], { muted: 'ok' }, { ok: marker('ok') }),
    );
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'muteParticipant',
      target: '+15551234567',
    });
    s.when(ev('ActionResult')).then({ outcomes: { n: ['muted'] }, actions: ['play'] });
  });
  it('when ACS refuses the mute, then "failed"', () => {
    answered(answeredThen(['call.muteParticipant']))
      .when(ev('ActionFailed'))
      .then({ outcomes: { n: ['failed'] }, ended: 'completed' });
  });
  it('holds with music and continues on the result; HoldFailed means "failed"', () => {
    const flow = answeredThen(
      ['call.hold', { musicUrl: 'https://example.com/hold.wav' }],
      { next: 'u' },
      { u: ['call.unhold'] },
    );
    const s = answered(flow);
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'hold',
      target: '+15551234567',
      music: { kind: 'file', url: 'https://example.com/hold.wav' },
    });
    s.when(ev('ActionResult')).then({
      outcomes: { n: ['next'] },
      actions: ['unhold'],
      awaiting: 'u',
    });
    s.when(ev('ActionResult')).then({ outcomes: { u: ['next'] }, ended: 'completed' });
    answered(flow)
      .when(ev('HoldFailed'))
      .then({ outcomes: { n: ['failed'] } });
  });
  it('when unhold is refused, then "failed"', () => {
    answered(answeredThen(['call.unhold']))
      .when(ev('ActionFailed'))
      .then({ outcomes: { n: ['failed'] } });
  });
});

describe('call.hangUp', () => {
  it('hangs up for everyone and ends "completed"', () => {
    const s = given(answeredThen(['call.hangUp'])).when(ev('CallConnected'));
    expect(s.actions).toEqual([
      { kind: 'hangUp', forEveryone: true, id: 'run1:2', operationContext: 'run1:2', nodeId: 'n' },
      { kind: 'end', reason: 'completed' },
    ]);
    s.when(ev('CallDisconnected')).then({ actions: ['hangUp', 'end'], ended: 'completed' });
  });
  it('can leave the call without ending it for the others', () => {
    const s = given(answeredThen(['call.hangUp', { forEveryone: false }])).when(
      ev('CallConnected'),
    );
    expect(s.action('hangUp').forEveryone).toBe(false);
  });
});

describe('media.play', () => {
  const flow = answeredThen(
    [
      'media.play',
      {
        text: 'Hello {{ call.callerDisplayName }} at {{ call.from }}',
        voice: 'en-GB-RyanNeural',
        locale: 'en-GB',
      },
    ],
    { completed: 'ok', failed: 'ko' },
    { ok: marker('ok'), ko: marker('ko') },
  );
  it('speaks rendered text with the voice and locale', () => {
    const s = answered(flow);
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'play',
      playTo: [],
      sources: [
        {
          kind: 'text',
          text: 'Hello Ann at +15551234567',
          voice: 'en-GB-RyanNeural',
          locale: 'en-GB',
        },
      ],
    });
  });
  it('plays an audio file instead when one is given', () => {
    const s = answered(answeredThen(['media.play', { audioUrl: 'https://example.com/a.wav' }]));
    expect(s.history[0]?.actions[0]).toMatchObject({
      sources: [{ kind: 'file', url: 'https://example.com/a.wav' }],
    });
  });
  it('when PlayCompleted, then "completed"', () => {
    const s = answered(flow).when(ev('PlayCompleted'));
    s.then({ outcomes: { n: ['completed'] } });
    expect(playedText(s)).toBe('ok');
  });
  it.each([
    ['PlayFailed', 8535],
    ['PlayFailed', 8536],
    ['PlayCanceled', 8508],
  ] as const)('when %s (%i), then "failed"', (type, subCode) => {
    const s = answered(flow).when(ev(type, { resultInformation: { code: 400, subCode } }));
    s.then({ outcomes: { n: ['failed'] } });
    expect(playedText(s)).toBe('ko');
  });
  it('when its callbacks are lost (the wait passed, the call is up), the message is said again, twice at most; then the run fails', () => {
    const s = answered(flow);
    const first = s.state.awaiting!;
    // "Thank you" + a margin: the deadline follows what is said, not a fixed five minutes.
    expect((first.deadline - first.since) / 1000).toBeLessThan(20);
    s.when(ev('Timeout', { operationContext: first.operationContext })).then({
      actions: ['play'],
      awaiting: 'n',
    });
    const second = s.state.awaiting!;
    expect(second.operationContext).not.toBe(first.operationContext);
    expect(s.trace).toContainEqual(
      expect.objectContaining({
        kind: 'retry',
        reason: expect.stringMatching(/^callbacks lost: /),
      }),
    );
    // (Actions accumulate over the `when` steps.)
    s.when(ev('Timeout', { id: 't2', operationContext: second.operationContext })).then({
      actions: ['play', 'play'],
    });
    s.when(ev('Timeout', { id: 't3', operationContext: s.state.awaiting!.operationContext })).then({
      actions: ['play', 'play', 'hangUp', 'end'],
      ended: 'failed',
    });
    expect(s.trace).toContainEqual(
      expect.objectContaining({
        kind: 'error',
        message: expect.stringMatching(/^callbacks lost: no callback for “Play” within \d+ s$/),
      }),
    );
  });
  it('never throws on a broken template: renders it empty and traces the error', () => {
    const s = answered(answeredThen(['media.play', { text: 'Hi {{ call.from ' }]));
    const r = s.history[0];
    expect(r?.actions[0]).toMatchObject({ sources: [{ text: '' }] });
    expect(r?.trace).toContainEqual(
      expect.objectContaining({ kind: 'templateError', nodeId: 'n' }),
    );
  });
});

describe('media.menu', () => {
  const menuFlow = (config: Record<string, unknown> = {}): FlowDocument =>
    answeredThen(
      [
        'media.menu',
        {
          prompt: 'Press 1 for sales, 2 for support',
          choices: [
            { digit: '1', label: 'Sales' },
            { digit: '2', label: 'Support' },
          ],
          retries: 1,
          ...config,
        },
      ],
      {
        'choice:1': 'sales',
        'choice:2': 'support',
        noInput: 'noInput',
        invalid: 'invalid',
        failed: 'failed',
      },
      {
        sales: marker('sales'),
        support: marker('support'),
        noInput: marker('noInput'),
        invalid: marker('invalid'),
        failed: marker('failed'),
      },
    );

  it('asks for one key from the caller', () => {
    const s = answered(menuFlow());
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'recognizeDtmf',
      targetParticipant: '+15551234567',
      maxTones: 1,
      initialSilenceTimeoutSeconds: 5,
      prompts: [{ kind: 'text', text: 'Press 1 for sales, 2 for support' }],
    });
  });

  it.each([
    [['one'], 'sales'],
    [['2'], 'support'],
  ])('when the caller presses %j, then the matching choice', (tones, where) => {
    const s = answered(menuFlow()).when(
      ev('RecognizeCompleted', { tones, resultInformation: { code: 200, subCode: 8531 } }),
    );
    expect(playedText(s)).toBe(where);
    expect(s.outcomesOf('n')).toEqual([`choice:${where === 'sales' ? 1 : 2}`]);
  });

  it('when RecognizeFailed 8510 (no input), then it re-prompts; after the retries, "noInput"', () => {
    const s = answered(menuFlow()).when(
      ev('RecognizeFailed', { resultInformation: { code: 400, subCode: 8510 } }),
    );
    s.then({ actions: ['recognizeDtmf'], awaiting: 'n', outcomes: { n: [] } });
    expect(
      s.action('recognizeDtmf').prompts.map((p) => (p.kind === 'text' ? p.text : p.url)),
    ).toEqual(['Sorry, I did not hear a choice.', 'Press 1 for sales, 2 for support']);
    expect(s.state.attempts).toEqual({ n: 1 });
    s.when(ev('RecognizeFailed', { resultInformation: { code: 400, subCode: 8510 } }));
    s.then({ outcomes: { n: ['noInput'] } });
    expect(playedText(s)).toBe('noInput');
    expect(s.state.attempts).toEqual({});
  });

  it('when RecognizeFailed 8532 (inter-digit timeout), then it counts as no input', () => {
    answered(menuFlow({ retries: 0 }))
      .when(ev('RecognizeFailed', { resultInformation: { code: 400, subCode: 8532 } }))
      .then({ outcomes: { n: ['noInput'] } });
  });

  it('when a key with no choice is pressed, then "Wrong key" re-prompt; after the retries, "invalid"', () => {
    const s = answered(menuFlow()).when(ev('RecognizeCompleted', { tones: ['nine'] }));
    expect(s.action('recognizeDtmf').prompts[0]).toMatchObject({
      text: 'Sorry, that is not a valid choice.',
    });
    s.when(ev('RecognizeCompleted', { tones: ['pound'] })).then({ outcomes: { n: ['invalid'] } });
    expect(playedText(s)).toBe('invalid');
  });

  it('shares one retry budget between no input and wrong keys', () => {
    answered(menuFlow())
      .when(
        ev('RecognizeCompleted', { tones: ['9'] }),
        ev('RecognizeFailed', { resultInformation: { subCode: 8510 } }),
      )
      .then({ outcomes: { n: ['noInput'] } });
  });

  it.each([
    ['RecognizeFailed', 8511],
    ['RecognizeCanceled', 8508],
  ] as const)('when %s (%i), then "failed"', (type, subCode) => {
    answered(menuFlow())
      .when(ev(type, { resultInformation: { code: 500, subCode } }))
      .then({ outcomes: { n: ['failed'] } });
  });

  it('keeps a re-prompt inside the deadline of the new attempt', () => {
    const s = answered(menuFlow(), undefined, NOW).when(
      ev('RecognizeFailed', { resultInformation: { subCode: 8510 } }),
    );
    expect(s.state.awaiting?.operationContext).toBe('run1:3');
  });
});

describe('media.collectDigits', () => {
  const flow = answeredThen(
    ['media.collectDigits', { maxDigits: 6, variable: 'account', retries: 1 }],
    { collected: 'ok', noInput: 'none', failed: 'ko' },
    {
      ok: marker('You typed {{ vars.account }} ({{ results.n.digits }})'),
      none: marker('none'),
      ko: marker('ko'),
    },
  );

  it('asks for up to N digits with the finish key', () => {
    const s = answered(flow);
    expect(s.history[0]?.actions[0]).toMatchObject({
      kind: 'recognizeDtmf',
      maxTones: 6,
      stopTones: ['#'],
      interToneTimeoutSeconds: 3,
    });
  });

  it('when RecognizeCompleted, then the digits are stored (without the finish key) and "collected"', () => {
    const s = answered(flow).when(
      ev('RecognizeCompleted', {
        tones: ['one', 'two', 'three', 'pound'],
        resultInformation: { code: 200, subCode: 8514 },
      }),
    );
    s.then({ outcomes: { n: ['collected'] }, vars: { account: '123' } });
    expect(playedText(s)).toBe('You typed 123 (123#)');
  });

  it('when the caller pauses after some digits (8532), then what was typed is kept', () => {
    answered(flow)
      .when(
        ev('RecognizeFailed', {
          tones: ['4', '2'],
          resultInformation: { code: 400, subCode: 8532 },
        }),
      )
      .then({ outcomes: { n: ['collected'] }, vars: { account: '42' } });
  });

  it('when nothing is typed (8510), then it asks again, then "noInput"', () => {
    const s = answered(flow).when(ev('RecognizeFailed', { resultInformation: { subCode: 8510 } }));
    s.then({ actions: ['recognizeDtmf'] });
    s.when(ev('RecognizeFailed', { resultInformation: { subCode: 8510 } })).then({
      outcomes: { n: ['noInput'] },
    });
    expect(playedText(s)).toBe('none');
  });

  it('when recognition fails otherwise, then "failed"', () => {
    answered(flow)
      .when(ev('RecognizeFailed', { resultInformation: { code: 500, subCode: 8511 } }))
      .then({ outcomes: { n: ['failed'] } });
  });
});

describe('logic.branch', () => {
  const flow = (rules: unknown[]) =>
    answeredThen(
      ['logic.branch', { rules }],
      { 'rule:0': 'r0', 'rule:1': 'r1', else: 'other' },
      { r0: marker('r0'), r1: marker('r1'), other: marker('else') },
    );
  it('follows the first matching rule, within the same step', () => {
    const s = given(
      flow([
        { left: '{{ call.from }}', operator: 'startsWith', right: '+44' },
        { left: '{{ call.from }}', operator: 'startsWith', right: '+1' },
      ]),
    ).when(ev('CallConnected'));
    s.then({ outcomes: { n: ['rule:1'] }, actions: ['play'] });
    expect(playedText(s)).toBe('r1');
  });
  it('takes "else" when no rule matches', () => {
    const s = given(flow([{ left: '{{ vars.none }}', operator: 'isNotEmpty' }])).when(
      ev('CallConnected'),
    );
    expect(playedText(s)).toBe('else');
  });
});

describe('logic.setVariables', () => {
  it('sets variables in order; later values see earlier ones', () => {
    const flow = answeredThen(
      [
        'logic.setVariables',
        {
          assignments: [
            { name: 'first', value: '{{ call.callerDisplayName }}' },
            { name: 'greeting', value: 'Hi {{ vars.first | upcase }}' },
          ],
        },
      ],
      { next: 'p' },
      { p: marker('{{ vars.greeting }}!') },
    );
    const s = given(flow).when(ev('CallConnected'));
    s.then({ vars: { first: 'Ann', greeting: 'Hi ANN' } });
    expect(playedText(s)).toBe('Hi ANN!');
  });
});

describe('logic.businessHours', () => {
  const flow = flowOf(
    {
      t: ['trigger.incomingCall'],
      h: ['logic.businessHours', { timezone: 'Europe/Paris', holidays: ['2026-12-25'] }],
      open: ['call.reject', { reason: 'none' }],
      closed: ['call.reject', { reason: 'busy' }],
      holiday: ['call.reject', { reason: 'forbidden' }],
    },
    [
      ['t', 'next', 'h'],
      ['h', 'open', 'open'],
      ['h', 'closed', 'closed'],
      ['h', 'holiday', 'holiday'],
    ],
  );
  it.each([
    ['2026-03-03T08:00:00Z', 'open'], // Tue 09:00 Paris
    ['2026-03-03T07:59:00Z', 'closed'], // Tue 08:59
    ['2026-03-03T16:00:00Z', 'closed'], // Tue 17:00: closing time is exclusive
    ['2026-07-01T14:59:00Z', 'open'], // Wed 16:59 in summer time (UTC+2)
    ['2026-03-07T10:00:00Z', 'closed'], // Saturday
    ['2026-12-25T10:00:00Z', 'holiday'],
  ])('at %s the business is %s', (at, outcome) => {
    const r = start(flow, incoming, Date.parse(at));
    expect(r.trace).toContainEqual(
      expect.objectContaining({ kind: 'outcome', nodeId: 'h', outcome }),
    );
  });
});

describe('run semantics', () => {
  const flow = answeredThen(
    ['media.play', { text: 'one' }],
    { completed: 'p2' },
    { p2: marker('two') },
  );

  it('ignores an event for another step (stale operationContext): same state, no actions, traced', () => {
    const s = answered(flow);
    const before = s.state;
    s.when(stale('PlayCompleted'));
    expect(s.state).toBe(before);
    expect(s.actions).toEqual([]);
    expect(s.trace).toEqual([expect.objectContaining({ kind: 'ignored', event: 'PlayCompleted' })]);
  });

  it('ignores a second copy of an event already applied', () => {
    const s = answered(flow);
    const e = {
      id: 'dup',
      type: 'PlayCompleted' as const,
      operationContext: s.state.awaiting?.operationContext ?? '',
    };
    const first = step(flow, s.state, e, NOW);
    const again = step(flow, first.state, e, NOW);
    expect(first.actions.map((a) => a.kind)).toEqual(['play']);
    expect(again.state).toBe(first.state);
    expect(again.actions).toEqual([]);
    expect(again.trace[0]).toMatchObject({ kind: 'ignored', reason: 'already applied' });
  });

  it('keeps the recent event ids bounded', () => {
    let s = answered(flow).state;
    for (let i = 0; i < 100; i++)
      s = step(flow, s, { id: `p${i}`, type: 'ParticipantsUpdated', participants: [] }, NOW).state;
    expect(s.recentEventIds).toHaveLength(64);
    expect(s.recentEventIds.at(-1)).toBe('p99');
  });

  it('when CallDisconnected at any point, then the run ends "callerHungUp" with no hang-up', () => {
    answered(flow)
      .when(ev('CallDisconnected', { operationContext: 'whatever' }))
      .then({ actions: ['end'], ended: 'callerHungUp' });
    given(flow)
      .when(ev('CallDisconnected'))
      .then({ actions: ['end'], ended: 'failed' });
  });

  it('when ParticipantsUpdated, then the participant list changes and the run stays where it is', () => {
    const s = answered(flow).when(
      ev('ParticipantsUpdated', {
        participants: [{ rawId: '4:+15551234567', isMuted: true, isOnHold: false }],
      }),
    );
    s.then({ actions: [], awaiting: 'n' });
    expect(s.state.participants).toEqual([
      { rawId: '4:+15551234567', isMuted: true, isOnHold: false },
    ]);
  });

  it('when cancelled, then it hangs up and ends "cancelled"', () => {
    answered(flow)
      .when(ev('Cancel'))
      .then({ actions: ['hangUp', 'end'], ended: 'cancelled' });
  });

  it('when an outcome has no edge, then it hangs up for everyone and ends "completed"', () => {
    const s = answered(flow).when(ev('PlayCompleted'), ev('PlayCompleted'));
    s.then({ actions: ['play', 'hangUp', 'end'], ended: 'completed' });
    expect(s.action('hangUp').forEveryone).toBe(true);
  });

  it('after the run ended, nothing happens any more', () => {
    const s = answered(flow).given(ev('Cancel'));
    const ended = s.state;
    s.when(ev('PlayCompleted', { operationContext: 'run1:2' }), ev('CallDisconnected'));
    expect(s.actions).toEqual([]);
    expect(s.state).toBe(ended);
  });

  it('stops at the step limit', () => {
    const loop = answeredThen(['media.play', { text: 'again' }], { completed: 'n' });
    const s = answered(loop, { stepLimit: 5 });
    for (let i = 0; i < 3; i++) s.when(ev('PlayCompleted'));
    s.then({ actions: ['play', 'play', 'hangUp', 'end'], ended: 'stepLimit' });
    expect(s.state.stepCount).toBe(6);
  });

  it('gives every ACS action a unique id and an operation context naming the run step', () => {
    const s = answered(flow).when(ev('PlayCompleted'), ev('PlayCompleted'));
    const all = [...s.history.flatMap((h) => h.actions), ...given(flow).started.actions];
    expect(all.length).toBeGreaterThan(3);
    for (const a of all) {
      if (a.kind === 'end') continue;
      expect(a.operationContext).toMatch(/^run1:\d+$/);
      expect(a.id).toBe(a.operationContext);
    }
    const ids = s.history.flatMap((h) =>
      h.actions.flatMap((a) => (a.kind === 'end' ? [] : [a.id])),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not mutate the state it is given', () => {
    const s = answered(flow);
    const snapshot = structuredClone(s.state);
    step(
      flow,
      s.state,
      {
        id: 'x',
        type: 'PlayCompleted',
        operationContext: s.state.awaiting?.operationContext ?? '',
      },
      NOW,
    );
    expect(s.state).toEqual(snapshot);
  });

  it('gives the same result for a document and its compiled form', () => {
    const compiled = compileFlow(flow);
    const a = start(flow, incoming, NOW);
    const b = start(compiled, incoming, NOW);
    expect(b).toEqual(a);
    const e = { id: 'c', type: 'CallConnected' as const, operationContext: 'run1:1' };
    expect(step(compiled, b.state, e, NOW)).toEqual(step(flow, a.state, e, NOW));
  });

  it('keeps only results that something reads', () => {
    const s = answered(flow).when(ev('PlayCompleted'));
    expect(s.state.results).toEqual({});
  });
});

describe('an outcome with no edge does what the catalogue says, and the validator says what', () => {
  it('an incoming call never answered is rejected at once (business hours "closed" before Answer)', () => {
    const flow = flowOf(
      {
        t: ['trigger.incomingCall'],
        h: [
          'logic.businessHours',
          {
            timezone: 'UTC',
            weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
          },
        ],
        a: ['call.answer'],
      },
      [
        ['t', 'next', 'h'],
        ['h', 'open', 'a'],
      ],
    );
    const s = given(flow);
    expect(s.started.actions.map((a) => a.kind)).toEqual(['rejectCall', 'end']);
    expect(s.started.actions[0]).toMatchObject({ incomingCallContext: 'incoming-context' });
    expect(s.state.endReason).toBe('rejected');
    expect(validateFlow(flow).find((i) => i.message.startsWith('“Closed”'))?.message).toBe(
      '“Closed” of “Business hours” is not connected. The call is rejected',
    );
  });

  it('after the participant joined ("Added", version 2), the app leaves and the parties stay connected', () => {
    const flow = answeredThen(
      ['call.addParticipant', { target: AGENT }, 2],
      { failed: 'ko' },
      {
        ko: marker('ko'),
      },
    );
    const s = answered(flow).when(ev('AddParticipantSucceeded'));
    s.then({ outcomes: { n: ['added'] }, actions: ['hangUp', 'end'], ended: 'appLeft' });
    expect(s.action('hangUp').forEveryone).toBe(false);
    expect(validateFlow(flow).find((i) => i.nodeId === 'n')?.message).toBe(
      '“Added” of “Add participant” is not connected. The caller and the added participant stay connected; the flow stops',
    );
  });

  it('"Added" of version 1 (a node recording no version) hangs up for everyone, as it did', () => {
    const flow = answeredThen(
      ['call.addParticipant', { target: AGENT }],
      { failed: 'ko' },
      {
        ko: marker('ko'),
      },
    );
    const s = answered(flow).when(ev('AddParticipantSucceeded'));
    s.then({ outcomes: { n: ['added'] }, actions: ['hangUp', 'end'], ended: 'completed' });
    expect(s.action('hangUp').forEveryone).toBe(true);
    expect(validateFlow(flow).find((i) => i.nodeId === 'n')?.message).toBe(
      '“Added” of “Add participant” is not connected. The caller is disconnected',
    );
  });

  it('otherwise the app hangs up for everyone', () => {
    const flow = answeredThen(marker('hi'));
    answered(flow)
      .when(ev('PlayCompleted'))
      .then({ outcomes: { n: ['completed'] }, actions: ['hangUp', 'end'], ended: 'completed' });
  });

  it('a cancelled run of a call still ringing rejects it; a run that fails before answering too', () => {
    const flow = flowOf(
      { t: ['trigger.incomingCall'], h: ['logic.businessHours', { timezone: 'UTC' }] },
      [],
    );
    expect(given(flow).started.actions.map((a) => a.kind)).toEqual(['rejectCall', 'end']);
  });

  it('every outcome of every version of every node type: the warning names what the caller gets, as the interpreter does it', () => {
    for (const type of allNodeTypeVersions()) {
      if (type.terminal || type.trigger) continue;
      const config = defaultConfig(type.type, type.version) ?? {};
      for (const o of outcomesOf(type, config)) {
        if (o.endsRun) continue;
        const expected =
          o.unconnected?.does === 'leave'
            ? `${o.unconnected.who} stay connected; the flow stops`
            : 'The caller is disconnected';
        const reachedAnswered =
          type.callControl !== 'releases' && type.callControl !== 'establishes';
        if (!reachedAnswered) continue;
        const issues = validateFlow(answeredThen([type.type, config, type.version]));
        const warning = issues.find(
          (i) => i.nodeId === 'n' && i.message.startsWith(`“${o.label}” of`),
        );
        expect(warning?.message, `${type.type}@${type.version} ${o.id}`).toMatch(
          new RegExp(`is not connected\\. ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        );
      }
    }
  });
});
