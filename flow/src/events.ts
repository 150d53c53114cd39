import * as z from 'zod';

/** ACS callback names the interpreter understands, plus the ones the engine makes up. */
export const ACS_EVENT_TYPES = [
  'CallConnected',
  'CallDisconnected',
  'ParticipantsUpdated',
  'CreateCallFailed',
  'AnswerFailed',
  'ConnectFailed',
  'CallTransferAccepted',
  'CallTransferFailed',
  'AddParticipantSucceeded',
  'AddParticipantFailed',
  'CancelAddParticipantSucceeded',
  'CancelAddParticipantFailed',
  'RemoveParticipantSucceeded',
  'RemoveParticipantFailed',
  'PlayStarted',
  'PlayCompleted',
  'PlayFailed',
  'PlayCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RecognizeCanceled',
  'HoldFailed',
] as const;

export const ENGINE_EVENT_TYPES = [
  /** The HTTP response of an action (e.g. carrying invitationId); completes mute/hold/unhold. */
  'ActionResult',
  /** ACS rejected the request: the node takes its failure outcome. */
  'ActionFailed',
  /** The wait deadline passed and the call still exists: the node takes its failure outcome. */
  'Timeout',
  /** Someone stopped the run: it ends with reason 'cancelled'. */
  'Cancel',
  /** An HTTP request node's answer: `http.status` and the parsed body (bounded by the engine). */
  'HttpResponse',
  /** An HTTP request that got no answer: refused address, network error, response too large… */
  'HttpFailed',
  /** An HTTP request that got no answer within its timeout. */
  'HttpTimeout',
] as const;

export const CALL_EVENT_TYPES = [...ACS_EVENT_TYPES, ...ENGINE_EVENT_TYPES] as const;

export type AcsEventType = (typeof ACS_EVENT_TYPES)[number];
export type EngineEventType = (typeof ENGINE_EVENT_TYPES)[number];
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

export interface EventParticipant {
  rawId: string;
  isMuted?: boolean;
  isOnHold?: boolean;
}

export interface ResultInformation {
  code?: number;
  subCode?: number;
  message?: string;
}

/** One input to `step`: an ACS callback as the SDK parses it, or an engine observation. */
export interface CallEvent {
  /** CloudEvent id (or an engine-made unique id): a second event with the same id is ignored. */
  id: string;
  type: CallEventType;
  operationContext?: string;
  callConnectionId?: string;
  serverCallId?: string;
  correlationId?: string;
  resultInformation?: ResultInformation;
  /** DTMF tones, either as ACS names ('one', 'pound') or as characters ('1', '#'). */
  tones?: string[];
  choiceLabel?: string;
  participants?: EventParticipant[];
  invitationId?: string;
  /** HttpResponse: the status and the body (JSON parsed, text as a string; else absent). */
  http?: HttpAnswer;
  /** The answer to a resolveSubflow action: the version the subflow node calls. */
  subflow?: SubflowVersion;
}

export interface HttpAnswer {
  status: number;
  body?: unknown;
}

/** A published version of a flow, as a "Run subflow" node calls it. */
export interface SubflowVersion {
  flowId: string;
  /** The FlowVersion id: the key a run's frames and the flow lookup use. */
  versionId: string;
  version: number;
}

const TONE_NAMES: Record<string, string> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  pound: '#',
  asterisk: '*',
  a: 'A',
  b: 'B',
  c: 'C',
  d: 'D',
};

const DIGIT_TONES: Record<string, string> = Object.fromEntries(
  Object.entries(TONE_NAMES).map(([name, digit]) => [digit, name]),
);

/** '1' → 'one', '#' → 'pound': the tone names ACS takes in recognize options; unknown → undefined. */
export function digitToTone(digit: string): string | undefined {
  return DIGIT_TONES[digit.trim().toUpperCase()];
}

/** 'one' → '1', 'pound' → '#'; characters pass through; unknown names are dropped. */
export function toneToDigit(tone: string): string {
  const t = tone.trim();
  if (/^[0-9*#]$/.test(t)) return t;
  if (/^[A-Da-d]$/.test(t)) return t.toUpperCase();
  return TONE_NAMES[t.toLowerCase()] ?? '';
}

export function tonesToDigits(tones: readonly string[] | undefined): string {
  if (!tones) return '';
  let s = '';
  for (const t of tones) s += toneToDigit(t);
  return s;
}

/**
 * Runtime check for events that come from outside the engine (e.g. a replay or a test
 * console). Loose about extra fields: ACS adds properties over time.
 */
export const CallEventSchema = z.object({
  id: z.string().min(1),
  type: z.enum(CALL_EVENT_TYPES),
  operationContext: z.string().optional(),
  callConnectionId: z.string().optional(),
  serverCallId: z.string().optional(),
  correlationId: z.string().optional(),
  resultInformation: z
    .object({
      code: z.number().optional(),
      subCode: z.number().optional(),
      message: z.string().optional(),
    })
    .optional(),
  tones: z.array(z.string()).optional(),
  choiceLabel: z.string().optional(),
  participants: z
    .array(
      z.object({
        rawId: z.string(),
        isMuted: z.boolean().optional(),
        isOnHold: z.boolean().optional(),
      }),
    )
    .optional(),
  invitationId: z.string().optional(),
  subflow: z.object({ flowId: z.string(), versionId: z.string(), version: z.number() }).optional(),
  http: z.object({ status: z.number().int(), body: z.unknown().optional() }).optional(),
});
