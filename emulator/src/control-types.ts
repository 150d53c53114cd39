/**
 * The /emulator/ control API's contract, written once for both ends: the request bodies as zod
 * schemas (the server reads them with these; the client's parameters are their input types)
 * and the response shapes. The CLI, the tests, the engine's test calls and the designer all go
 * through ControlClient, so a field renamed here is renamed for every one of them at compile
 * time rather than found missing at run time.
 */
import { z } from 'zod';
import { fromParser, requiredText, text } from './body-schema.js';
import {
  parseConfidence,
  parseScript,
  type EndpointBehaviour,
  type InviteBehaviour,
  type ScriptStep,
} from './endpoints.js';
import type { SubscriptionInfo } from './event-grid.js';
import type { EventSchema, SubscriptionFilter } from './event-grid-filters.js';
import type { TokenCheck, UserSummary } from './identities.js';
import type { Faults, InjectedFaults } from './faults.js';
import {
  INJECTABLE_OPERATIONS,
  type InjectableOperation,
  type InjectedResult,
} from './injections.js';
import type { TimelineEntry } from './monitor.js';

// --- requests ------------------------------------------------------------------------------
//
// Each request is an interface (what a client sends) and a schema of the same name (how the
// server reads it). The `Reads` lines fail to compile if what a schema produces stops being
// the interface, so the two cannot drift apart.

type Reads<S extends z.ZodType, T> = z.output<S> extends T ? true : never;

/** A field the server checks later (once the call is found). */
const checkedLater = z.unknown().optional();

/**
 * How one endpoint answers and what it does once connected. Read by endpoints.ts's
 * parseBehaviour, not a schema: it fills what is missing from defaults that differ by where
 * the behaviour is given (a PUT, a placed call's callees, the server's options).
 */
export interface EndpointBehaviourInput {
  onInvite?: InviteBehaviour;
  ringMs?: number;
  script?: ScriptStep[];
}

/** A caller dials `to`: Event Grid subscribers get IncomingCall. */
export interface PlaceCallRequest {
  from: string;
  to: string;
  callerDisplayName?: string;
  script?: ScriptStep[];
  customContext?: Record<string, unknown>;
  /** How this call's callees answer (transfer / add participant targets), by id. */
  endpoints?: Record<string, EndpointBehaviourInput>;
}

/** Both numbers are needed before anything else about the call is read. */
export const PlaceCallHead = z
  .object({ from: text, to: text })
  .refine((b) => b.from && b.to, { error: "'from' and 'to' are required." });

export const PlaceCallRequest = z.object({
  from: z.string(),
  to: z.string(),
  callerDisplayName: text,
  script: fromParser(parseScript),
  customContext: checkedLater.transform((v) => v as Record<string, unknown> | undefined),
  /** Read against the registry's defaults by parseCallEndpoints. */
  endpoints: checkedLater.transform((v) => v as Record<string, EndpointBehaviourInput> | undefined),
});
const _placeCall: Reads<typeof PlaceCallRequest, PlaceCallRequest> = true;

export interface CallerDtmfRequest {
  /** "12#" or tone names. */
  tones: string | string[];
  participant?: string;
  /** Emulated ms between tones (default 100). */
  gapMs?: number;
}

export const CallerDtmfRequest = z.object({
  /** Read once the call is found, so an unknown call is a 404 first. */
  tones: checkedLater,
  participant: text,
  gapMs: checkedLater.transform((v) => (typeof v === 'number' ? v : undefined)),
});
// tones stays unknown on purpose (see above); the rest must match.
const _callerDtmf: Reads<
  typeof CallerDtmfRequest,
  Omit<CallerDtmfRequest, 'tones'> & { tones?: unknown }
> = true;

export interface CallerSpeechRequest {
  text: string;
  participant?: string;
  /** Recognition confidence reported for it, 0..1 (default 0.95). */
  confidence?: number;
}

export const CallerSpeechRequest = z.object({
  text: requiredText("'text' is required."),
  participant: text,
  confidence: fromParser((v) => (v === undefined ? undefined : parseConfidence(v, 'confidence'))),
});
const _callerSpeech: Reads<typeof CallerSpeechRequest, CallerSpeechRequest> = true;

export interface CallerHangupRequest {
  participant?: string;
}

export const CallerHangupRequest = z.object({ participant: text });
const _callerHangup: Reads<typeof CallerHangupRequest, CallerHangupRequest> = true;

export interface AddSubscriptionRequest {
  url: string;
  /** `to` (numbers or raw ids), includedEventTypes, advancedFilters — as Event Grid filters. */
  filter?: SubscriptionFilter;
  /** Default EventGridSchema; CloudEventSchemaV1_0 validates by OPTIONS and delivers CloudEvents. */
  schema?: EventSchema;
}

export const AddSubscriptionRequest = z.object({
  url: requiredText("'url' is required."),
  /** Read by the publisher, which names the field at fault. */
  filter: checkedLater.transform((v) => v as SubscriptionFilter | undefined),
  schema: checkedLater.transform((v) => v as EventSchema | undefined),
});
const _addSubscription: Reads<typeof AddSubscriptionRequest, AddSubscriptionRequest> = true;

/**
 * "The next `operation` fails with code/subCode": POST /emulator/calls/:id/results for one call,
 * POST /emulator/results for whichever call does it next (createCall can only be this way).
 */
export interface InjectResultRequest {
  operation: InjectableOperation;
  /** A failure code: 400–699 (SIP-style, as resultInformation.code). */
  code: number;
  subCode: number;
  /** Default: the result-code table's message for code/subCode. */
  message?: string;
  /** How many of the next operations fail; default 1. */
  times?: number;
}

const operationError = `'operation' must be one of ${INJECTABLE_OPERATIONS.join(', ')}.`;
const codeError = "'code' must be a failure code: an integer from 400 to 699.";
const subCodeError = "'subCode' must be a non-negative integer.";
const timesError = "'times' must be an integer from 1 to 1000.";

export const InjectResultRequest = z.object({
  operation: z.enum(INJECTABLE_OPERATIONS as [InjectableOperation, ...InjectableOperation[]], {
    error: operationError,
  }),
  code: z
    .number({ error: codeError })
    .int({ error: codeError })
    .gte(400, { error: codeError })
    .lte(699, { error: codeError }),
  subCode: z
    .number({ error: subCodeError })
    .int({ error: subCodeError })
    .gte(0, { error: subCodeError }),
  message: z.string({ error: "'message' must be a string." }).optional(),
  times: z
    .number({ error: timesError })
    .int({ error: timesError })
    .gte(1, { error: timesError })
    .lte(1000, { error: timesError })
    .optional(),
});
const _injectResult: Reads<typeof InjectResultRequest, InjectResultRequest> = true;

export interface VerifyTokenRequest {
  token: string;
}

export const VerifyTokenRequest = z.object({ token: requiredText("'token' is required.") });
const _verifyToken: Reads<typeof VerifyTokenRequest, VerifyTokenRequest> = true;

/** Read by FaultInjector.set, which validates the whole update before applying any of it. */
export type FaultsUpdate = Partial<Faults>;

// --- responses -----------------------------------------------------------------------------

export interface ControlInfo {
  url: string;
  httpsUrl?: string;
  connectionString: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
  openIdConfigUrl: string;
  caCertPath?: string;
  timeScale: number;
  /** The seed of the fault RNG: start again with it to repeat a run's injected faults. */
  seed: number;
  /** Callback delivery in force: timeout (real ms), retry back-off (emulated ms), ordering. */
  callbackDelivery: { timeoutMs: number; retryDelaysMs: number[]; ordering: string };
  /** A linked Cognitive Services endpoint, for callIntelligenceOptions (TTS and speech input). */
  cognitiveServicesEndpoint: string;
}

export interface PlacedCall {
  serverCallId: string;
  correlationId: string;
  incomingCallContext: string;
}

export interface ParticipantSummary {
  rawId: string;
  kind: string;
  isApp: boolean;
  state: string;
  isMuted: boolean;
  isOnHold: boolean;
}

export interface CallSummary {
  serverCallId: string;
  correlationId: string;
  direction: 'inbound' | 'outbound' | 'group';
  state: string;
  createdAt: string;
  endedAt?: string;
  from?: string;
  to?: string;
  participants: ParticipantSummary[];
  connections: { callConnectionId: string; state: string; callbackUri: string; app: string }[];
}

export interface CallDetail extends CallSummary {
  timeline: TimelineEntry[];
}

export interface CallList {
  calls: CallSummary[];
}

export interface ControlStats {
  calls: number;
  callbacks: { sent: number; delivered: number; failed: number };
  /** Faults injected so far, by kind. */
  faults: InjectedFaults;
  subscriptions: SubscriptionInfo[];
}

export interface EndpointList {
  default: EndpointBehaviour;
  endpoints: Record<string, EndpointBehaviour>;
}

/** PUT /emulator/endpoints/:id answers the stored behaviour, with its raw id unless default. */
export type EndpointAnswer = EndpointBehaviour & { rawId?: string };

export interface SubscriptionList {
  subscriptions: SubscriptionInfo[];
}

export type { InjectedResult } from './injections.js';

export interface InjectedResultList {
  /** Failures not used up yet, resource-wide ones first. */
  pending: InjectedResult[];
}

/** Caller actions answer 202 with an empty object. */
export type Accepted = Record<string, never>;

/** The numbers the emulated resource owns (GET /emulator/phone-numbers). */
export interface PhoneNumberList {
  phoneNumbers: string[];
  /** `allow`: numbers outside the list may be presented and dialled too. */
  unlistedNumbers: 'refuse' | 'allow';
}

/** PUT /emulator/phone-numbers/:number answers the number (201 when newly added). */
export interface PhoneNumberAnswer {
  phoneNumber: string;
}

/** The ACS users the resource owns (created through the Identity API). */
export interface UserList {
  users: UserSummary[];
}

/** POST /emulator/tokens/verify: what the service would say of an access token. */
export type TokenVerdict = TokenCheck;
