import type { CallEvent, RunTrigger } from '../../src/index.js';

/**
 * The inputs of the golden runs: which example flow, the trigger, when the call starts and the
 * events that follow. `npm run golden -w flow` runs them and writes what the interpreter did
 * next to them (test/golden/<document>/<name>.json); the replay test feeds the recorded events
 * back and expects the same actions. Changing an input here means re-recording on purpose.
 */
export interface GoldenScenario {
  /** File name of the fixture, unique within its document. */
  name: string;
  /** File name in flow/examples. */
  document: string;
  about: string;
  trigger: RunTrigger;
  /** When the trigger arrives (ISO 8601). */
  at: string;
  events: GoldenEventSpec[];
}

/**
 * An event as the scenario states it: its operation context, when left out, is the one the
 * run awaits when the event arrives (as ACS would echo it); `after` is the seconds since the
 * previous input (default 2).
 */
export type GoldenEventSpec = Omit<Partial<CallEvent>, 'type' | 'id'> & {
  type: CallEvent['type'];
  after?: number;
};

const caller: RunTrigger = {
  kind: 'incomingCall',
  runId: 'golden',
  from: '+15551234567',
  to: '+18005550100',
  callerDisplayName: 'Ann Caller',
  correlationId: 'golden-correlation',
  serverCallId: 'golden-server-call',
  incomingCallContext: 'golden-incoming-context',
};

// Los Angeles is UTC-8 until 8 March 2026, UTC-7 after.
const TUESDAY_10AM = '2026-03-03T18:00:00.000Z';
const FRIDAY_5_30PM = '2026-03-07T01:30:00.000Z';
const SUNDAY_NOON = '2026-03-08T20:00:00.000Z';
const CHRISTMAS_10AM = '2026-12-25T18:00:00.000Z';

const e = (
  type: CallEvent['type'],
  extra: Omit<GoldenEventSpec, 'type'> = {},
): GoldenEventSpec => ({ type, ...extra });
const press = (tone: string): GoldenEventSpec =>
  e('RecognizeCompleted', { tones: [tone], after: 4 });
const silence = e('RecognizeFailed', { resultInformation: { code: 400, subCode: 8510 }, after: 6 });
const recognizeBroke = e('RecognizeFailed', { resultInformation: { code: 500, subCode: 8511 } });
const played = e('PlayCompleted', { after: 5 });
const playFailed = e('PlayFailed', { resultInformation: { code: 500, subCode: 8535 } });
const connected = e('CallConnected', { after: 1 });

const ivr = (
  name: string,
  about: string,
  events: GoldenEventSpec[],
  at = TUESDAY_10AM,
): GoldenScenario => ({ name, document: 'main-ivr.json', about, trigger: caller, at, events });

const mainIvr: GoldenScenario[] = [
  ivr('sales-transferred', 'open; 1: transferred to sales', [
    connected,
    press('one'),
    e('CallTransferAccepted'),
  ]),
  ivr('sales-transfer-failed', 'open; 1: the transfer fails, sorry, hang up', [
    connected,
    press('one'),
    e('CallTransferFailed', { resultInformation: { code: 500, subCode: 7504 } }),
    played,
  ]),
  ivr('support-added', 'open; 2: the agent joins, the caller is told, the app leaves', [
    connected,
    press('two'),
    e('AddParticipantSucceeded', { after: 12 }),
    played,
  ]),
  ivr('support-added-message-failed', 'open; 2: the agent joins, the message fails, app leaves', [
    connected,
    press('two'),
    e('AddParticipantSucceeded', { after: 12 }),
    playFailed,
  ]),
  ivr('support-add-failed', 'open; 2: adding the agent fails, sorry (which fails), hang up', [
    connected,
    press('two'),
    e('AddParticipantFailed', { resultInformation: { code: 408, subCode: 5001 }, after: 30 }),
    playFailed,
  ]),
  ivr('operator-transferred', 'open; 0: transferred to the operator', [
    connected,
    press('zero'),
    e('CallTransferAccepted'),
  ]),
  ivr('operator-transfer-failed', 'open; 0: the transfer fails, sorry, hang up', [
    connected,
    press('zero'),
    e('CallTransferFailed', { resultInformation: { code: 500, subCode: 7504 } }),
    played,
  ]),
  ivr('no-input', 'open; nothing pressed twice: goodbye, hang up', [
    connected,
    silence,
    silence,
    played,
  ]),
  ivr('invalid', 'open; 5 then 7: goodbye (which fails), hang up', [
    connected,
    press('five'),
    press('seven'),
    playFailed,
  ]),
  ivr('invalid-then-sales', 'open; 9, then 1 on the second prompt', [
    connected,
    press('nine'),
    press('one'),
    e('CallTransferAccepted'),
  ]),
  ivr('menu-failed', 'open; recognizing fails: hang up', [connected, recognizeBroke]),
  ivr('menu-callbacks-lost', 'open; the menu callback is lost: the prompt again, then 1', [
    connected,
    e('Timeout', { after: 60 }),
    press('one'),
    e('CallTransferAccepted'),
  ]),
  ivr('caller-hangs-up-in-menu', 'open; the caller hangs up during the menu', [
    connected,
    e('CallDisconnected', { after: 3 }),
  ]),
  ivr('answer-failed', 'open; answering fails', [
    e('AnswerFailed', { resultInformation: { code: 400, subCode: 8523 } }),
  ]),
  ivr(
    'closed-sunday',
    'closed (Sunday): the hours message, hang up',
    [connected, played],
    SUNDAY_NOON,
  ),
  ivr(
    'closed-friday-evening',
    'closed (Friday after 17:00): the message fails, hang up',
    [connected, playFailed],
    FRIDAY_5_30PM,
  ),
  ivr(
    'holiday',
    'holiday (Christmas): the holiday message, hang up',
    [connected, played],
    CHRISTMAS_10AM,
  ),
  ivr(
    'holiday-message-failed',
    'holiday (Christmas): the message fails, hang up',
    [connected, playFailed],
    CHRISTMAS_10AM,
  ),
];

const patient: RunTrigger = {
  kind: 'outbound',
  runId: 'golden',
  targets: ['+14255550123'],
  variables: { patientName: 'Ann', appointmentTime: 'on Monday at 9 AM' },
};

const reminder = (
  name: string,
  about: string,
  events: GoldenEventSpec[],
  trigger: RunTrigger = patient,
): GoldenScenario => ({
  name,
  document: 'appointment-reminder.json',
  about,
  trigger,
  at: TUESDAY_10AM,
  events,
});

const appointmentReminder: GoldenScenario[] = [
  reminder('confirmed', '1: confirmed, goodbye, hang up', [connected, press('one'), played]),
  reminder('confirmed-message-failed', '1: the confirmation fails, hang up', [
    connected,
    press('one'),
    playFailed,
  ]),
  reminder('cancelled', '2: cancelled, hang up', [connected, press('two'), played]),
  reminder('cancelled-message-failed', '2: the message fails, hang up', [
    connected,
    press('two'),
    playFailed,
  ]),
  reminder('no-input', 'nothing pressed three times: we will call again, hang up', [
    connected,
    silence,
    silence,
    silence,
    played,
  ]),
  reminder('invalid', '3, 4, 5: the message fails, hang up', [
    connected,
    press('three'),
    press('four'),
    press('five'),
    playFailed,
  ]),
  reminder('menu-failed', 'recognizing fails: hang up', [connected, recognizeBroke]),
  reminder('not-answered', 'the call cannot be placed', [
    e('CreateCallFailed', { resultInformation: { code: 408, subCode: 5001 }, after: 30 }),
  ]),
  reminder('patient-hangs-up', 'the patient hangs up during the question', [
    connected,
    e('CallDisconnected', { after: 3 }),
  ]),
  reminder(
    'default-variables',
    'no variables given: the trigger’s defaults are spoken; 1',
    [connected, press('one'), played],
    { kind: 'outbound', runId: 'golden', targets: ['+14255550123'] },
  ),
];

export const goldenScenarios: readonly GoldenScenario[] = [...mainIvr, ...appointmentReminder];
