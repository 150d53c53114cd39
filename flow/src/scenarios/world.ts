import type { AcsAction, ActionKind } from '../actions.js';
import { digitToTone, tonesToDigits, type CallEvent } from '../events.js';
import type { CalleeAnswer, ScenarioEvent, ScenarioInput } from './scenario.js';

/**
 * What ACS answers to each kind of request, for simulated calls: the one place that knows which
 * callback a request ends with. Generic over action kinds, never over node types: a node's
 * outcome comes from its own event rules, as in a real call.
 */

type Info = NonNullable<CallEvent['resultInformation']>;

/** Codes as the service (and the emulator's result-code table) gives them. */
const CALLEE_FAILURES: Record<Exclude<CalleeAnswer, 'answers'>, Info> = {
  declines: { code: 603, subCode: 560603, message: 'Call declined by the remote participant.' },
  busy: { code: 486, subCode: 560486, message: 'Busy here.' },
  noAnswer: { code: 408, subCode: 10004, message: 'Call timed out.' },
};

const NO_INPUT: Info = {
  code: 400,
  subCode: 8510,
  message: 'Action failed, initial silence timeout reached.',
};

/** The callback a request fails with, and its codes, when the scenario does not give them. */
const FAILURE: Partial<Record<ActionKind, { type: CallEvent['type']; info: Info }>> = {
  answerCall: {
    type: 'AnswerFailed',
    info: { code: 500, subCode: 8522, message: 'Answer failed.' },
  },
  createCall: {
    type: 'CreateCallFailed',
    info: { code: 500, subCode: 8500, message: 'Call failed.' },
  },
  transferCall: {
    type: 'CallTransferFailed',
    info: { code: 500, subCode: 7504, message: 'Transfer failed.' },
  },
  addParticipant: {
    type: 'AddParticipantFailed',
    info: { code: 500, subCode: 8500, message: 'Add failed.' },
  },
  cancelAddParticipant: {
    type: 'CancelAddParticipantFailed',
    info: { code: 400, subCode: 8519, message: 'Cancel failed.' },
  },
  removeParticipant: {
    type: 'RemoveParticipantFailed',
    info: { code: 400, subCode: 8519, message: 'Remove failed.' },
  },
  play: {
    type: 'PlayFailed',
    info: { code: 500, subCode: 8535, message: 'Action failed, file could not be played.' },
  },
  recognizeDtmf: {
    type: 'RecognizeFailed',
    info: {
      code: 500,
      subCode: 8511,
      message: 'Action failed, encountered failure while trying to play the prompt.',
    },
  },
  hold: { type: 'HoldFailed', info: { code: 500, subCode: 8500, message: 'Hold failed.' } },
  httpRequest: { type: 'HttpFailed', info: { message: 'could not connect to the server' } },
};

/** What the caller or a callee must say for the request to complete: nothing is assumed. */
export type Needs = 'digits' | 'callee' | 'response';

const NEEDS: Partial<Record<ActionKind, Needs>> = {
  recognizeDtmf: 'digits',
  createCall: 'callee',
  transferCall: 'callee',
  addParticipant: 'callee',
  httpRequest: 'response',
};

/** In plain words, for "the new path asks for …, which this call never gave". */
export function needsInWords(needs: Needs | undefined): string {
  return needs === 'digits'
    ? 'keys from the caller'
    : needs === 'callee'
      ? 'how the callee answers'
      : needs === 'response'
        ? 'what the server answers'
        : 'an input';
}

export function needsOf(action: AcsAction): Needs | undefined {
  return NEEDS[action.kind];
}

const invitation = (action: AcsAction): ScenarioEvent => ({
  type: 'ActionResult',
  invitationId: `invitation-${action.id}`,
});

function calleeEvents(action: AcsAction, answer: CalleeAnswer): ScenarioEvent[] | undefined {
  const failed = answer === 'answers' ? undefined : CALLEE_FAILURES[answer];
  switch (action.kind) {
    case 'createCall':
      return [
        failed
          ? { type: 'CreateCallFailed', resultInformation: failed }
          : { type: 'CallConnected' },
      ];
    case 'transferCall':
      return [
        failed
          ? { type: 'CallTransferFailed', resultInformation: failed }
          : { type: 'CallTransferAccepted' },
      ];
    case 'addParticipant':
      return [
        invitation(action),
        failed
          ? { type: 'AddParticipantFailed', resultInformation: failed }
          : { type: 'AddParticipantSucceeded' },
      ];
    default:
      return undefined;
  }
}

/** The callbacks for a request that simply completes; undefined when that needs an input. */
function succeeds(action: AcsAction): ScenarioEvent[] | undefined {
  if (NEEDS[action.kind]) return undefined;
  switch (action.kind) {
    case 'answerCall':
      return [{ type: 'CallConnected' }];
    case 'play':
      return [{ type: 'PlayCompleted' }];
    case 'cancelAddParticipant':
      return [{ type: 'CancelAddParticipantSucceeded' }];
    case 'removeParticipant':
      return [{ type: 'RemoveParticipantSucceeded' }];
    case 'hangUp':
      return [{ type: 'CallDisconnected' }];
    default:
      // mute, hold, unhold, reject, redirect: the HTTP answer is the completion.
      return [{ type: 'ActionResult' }];
  }
}

export type Answered = { ok: true; events: ScenarioEvent[] } | { ok: false; message: string };

/** The callbacks an input gives for a request, or why the input does not fit the request. */
export function eventsFor(action: AcsAction, input: ScenarioInput | undefined): Answered {
  if (!input || input.succeeds) {
    const events = succeeds(action);
    return events
      ? { ok: true, events }
      : { ok: false, message: `it needs ${needsInWords(NEEDS[action.kind])}` };
  }
  if (input.events) return { ok: true, events: input.events };
  if (input.hangUp) return { ok: true, events: [{ type: 'CallDisconnected' }] };
  if (input.fails) {
    const f = FAILURE[action.kind];
    const info = input.fails === true ? f?.info : { ...f?.info, ...input.fails };
    const events: ScenarioEvent[] = [
      f
        ? { type: f.type, ...(info ? { resultInformation: info } : {}) }
        : { type: 'ActionFailed', resultInformation: info ?? { code: 400 } },
    ];
    return {
      ok: true,
      events: action.kind === 'addParticipant' ? [invitation(action), ...events] : events,
    };
  }
  if (input.digits !== undefined || input.noInput) {
    if (action.kind !== 'recognizeDtmf') {
      return { ok: false, message: `it makes a ${action.kind} request, which takes no keys` };
    }
    if (input.noInput)
      return { ok: true, events: [{ type: 'RecognizeFailed', resultInformation: NO_INPUT }] };
    const tones = [...(input.digits ?? '')].map((d) => digitToTone(d) ?? d);
    return { ok: true, events: [{ type: 'RecognizeCompleted', tones }] };
  }
  if (input.http !== undefined) {
    if (action.kind !== 'httpRequest') {
      return { ok: false, message: `it makes a ${action.kind} request, not an HTTP request` };
    }
    if (input.http === 'timeout') {
      return {
        ok: true,
        events: [
          {
            type: 'HttpTimeout',
            resultInformation: { message: `no answer within ${action.timeoutMs / 1000} s` },
          },
        ],
      };
    }
    return { ok: true, events: [{ type: 'HttpResponse', http: input.http }] };
  }
  if (input.callee) {
    const events = calleeEvents(action, input.callee);
    return events
      ? { ok: true, events }
      : { ok: false, message: `it makes a ${action.kind} request, which calls nobody` };
  }
  return { ok: false, message: 'the input says nothing' };
}

/** The inputs worth trying at a request, for exploring a flow's paths (besides the node's own). */
export function genericAlternatives(action: AcsAction, hasFailure: boolean): ScenarioInput[] {
  const node = action.nodeId;
  const out: ScenarioInput[] = [];
  const needs = NEEDS[action.kind];
  if (needs === 'callee') {
    for (const callee of ['answers', 'declines', 'noAnswer'] as const) out.push({ node, callee });
  } else if (needs === 'digits') {
    out.push({ node, noInput: true });
  } else if (needs === 'response') {
    out.push({ node, http: { status: 200 } }, { node, http: 'timeout' });
  } else {
    out.push({ node, succeeds: true });
  }
  if (hasFailure && needs !== 'callee') out.push({ node, fails: true });
  return out;
}

const CANDIDATES = (action: AcsAction, recorded: readonly ScenarioEvent[]): ScenarioInput[] => {
  const node = action.nodeId;
  const out: ScenarioInput[] = [
    { node, succeeds: true },
    { node, hangUp: true },
    { node, noInput: true },
  ];
  const digits = tonesToDigits(recorded.find((e) => e.type === 'RecognizeCompleted')?.tones);
  if (digits !== '') out.push({ node, digits });
  for (const callee of ['answers', 'declines', 'busy', 'noAnswer'] as const)
    out.push({ node, callee });
  out.push({ node, fails: true });
  const answer = recorded.find((e) => e.type === 'HttpResponse')?.http;
  if (answer) out.push({ node, http: answer });
  if (recorded.some((e) => e.type === 'HttpTimeout')) out.push({ node, http: 'timeout' });
  return out;
};

/** Event types that say nothing about how the request ended. */
const NOISE = new Set<string>(['ParticipantsUpdated', 'PlayStarted']);

/**
 * Whether an event ends its request badly: only then do its result codes decide an outcome
 * (node rules match failures by subCode). A success's codes — ACS sends 200/8531 "max digits
 * received", 202/0 for an added participant — say nothing a scenario must repeat.
 */
const isFailure = (e: ScenarioEvent): boolean =>
  /Failed$|Canceled$|^Timeout$/.test(e.type) || (e.resultInformation?.code ?? 200) >= 300;

function sameEvents(a: readonly ScenarioEvent[], b: readonly ScenarioEvent[]): boolean {
  // The HTTP answer (ActionResult) may come before or after the callbacks, as on ACS.
  const x = a.filter((e) => !NOISE.has(e.type) && e.type !== 'ActionResult');
  const y = b.filter((e) => !NOISE.has(e.type) && e.type !== 'ActionResult');
  if (x.length !== y.length) return false;
  return x.every((e, i) => {
    const f = y[i] as ScenarioEvent;
    if (e.type !== f.type || tonesToDigits(e.tones) !== tonesToDigits(f.tones)) return false;
    if (JSON.stringify(e.http) !== JSON.stringify(f.http)) return false;
    if (!isFailure(e) && !isFailure(f)) return true;
    return (
      e.resultInformation?.subCode === f.resultInformation?.subCode &&
      (e.resultInformation?.code ?? 0) === (f.resultInformation?.code ?? 0)
    );
  });
}

const MAX_EVENTS = 20;

/**
 * A recorded callback as a scenario may spell it: only what the interpreter decides on, without
 * the call's routing ids (callConnectionId, serverCallId, correlationId) ACS puts on each.
 */
function asScenarioEvent(e: ScenarioEvent): ScenarioEvent {
  const out: ScenarioEvent = { type: e.type };
  if (e.resultInformation) {
    const { code, subCode, message } = e.resultInformation;
    out.resultInformation = {
      ...(code !== undefined ? { code } : {}),
      ...(subCode !== undefined ? { subCode } : {}),
      ...(message ? { message: message.slice(0, 500) } : {}),
    };
  }
  if (e.tones) out.tones = [...e.tones];
  if (e.choiceLabel !== undefined) out.choiceLabel = e.choiceLabel;
  if (e.invitationId !== undefined) out.invitationId = e.invitationId;
  if (e.http !== undefined) out.http = e.http;
  if (e.participants) {
    out.participants = e.participants.slice(0, 50).map((p) => ({
      rawId: p.rawId,
      ...(p.isMuted !== undefined ? { isMuted: p.isMuted } : {}),
      ...(p.isOnHold !== undefined ? { isOnHold: p.isOnHold } : {}),
    }));
  }
  return out;
}

/**
 * The plainest input that gives the recorded callbacks (keys, no input, the callee declined…),
 * or the callbacks themselves: what "Save as test" writes.
 */
export function describeRecorded(
  action: AcsAction,
  recorded: readonly ScenarioEvent[],
): ScenarioInput {
  for (const candidate of CANDIDATES(action, recorded)) {
    const r = eventsFor(action, candidate);
    if (r.ok && sameEvents(r.events, recorded)) return candidate;
  }
  // Too many to write down: the ones that decide nothing (participant lists, play started) go first.
  const kept = recorded.length > MAX_EVENTS ? recorded.filter((e) => !NOISE.has(e.type)) : recorded;
  return { node: action.nodeId, events: kept.slice(0, MAX_EVENTS).map(asScenarioEvent) };
}
