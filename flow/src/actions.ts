/**
 * What a run asks the engine to do; one kind per ACS Call Automation operation, an HTTP request
 * (`httpRequest`, sent by the engine's HTTP executor), plus `end`.
 */

export type PlaySource =
  { kind: 'text'; text: string; voice?: string; locale?: string } | { kind: 'file'; url: string };

export interface CustomCallingContext {
  voipHeaders: Record<string, string>;
  sipHeaders: Record<string, string>;
}

export type RejectReason = 'none' | 'busy' | 'forbidden';

interface AcsActionBase {
  /** Unique within the run (`${runId}:${seq}`); the engine seeds Repeatability-Request-ID with it. */
  id: string;
  /** `${runId}:${seq}`: ACS echoes it in callbacks so the engine can route them to this run step. */
  operationContext: string;
  /** The flow node that issued the action. */
  nodeId: string;
}

export type AnswerCallAction = AcsActionBase & { kind: 'answerCall'; incomingCallContext: string };
export type RejectCallAction = AcsActionBase & {
  kind: 'rejectCall';
  incomingCallContext: string;
  reason: RejectReason;
};
export type RedirectCallAction = AcsActionBase & {
  kind: 'redirectCall';
  incomingCallContext: string;
  target: string;
  callerId?: string;
};
export type CreateCallAction = AcsActionBase & {
  kind: 'createCall';
  targets: string[];
  callerId?: string;
  displayName?: string;
};
export type TransferCallAction = AcsActionBase & {
  kind: 'transferCall';
  target: string;
  transferee?: string;
  customCallingContext?: CustomCallingContext;
};
export type AddParticipantAction = AcsActionBase & {
  kind: 'addParticipant';
  target: string;
  callerId?: string;
  invitationTimeoutSeconds: number;
  customCallingContext?: CustomCallingContext;
};
export type CancelAddParticipantAction = AcsActionBase & {
  kind: 'cancelAddParticipant';
  invitationId: string;
};
export type RemoveParticipantAction = AcsActionBase & { kind: 'removeParticipant'; target: string };
export type MuteParticipantAction = AcsActionBase & { kind: 'muteParticipant'; target: string };
export type HoldAction = AcsActionBase & { kind: 'hold'; target: string; music?: PlaySource };
export type UnholdAction = AcsActionBase & { kind: 'unhold'; target: string };
export type HangUpAction = AcsActionBase & { kind: 'hangUp'; forEveryone: boolean };
export type PlayAction = AcsActionBase & {
  kind: 'play';
  sources: PlaySource[];
  /** Empty: play to everyone in the call. */
  playTo: string[];
};
export type RecognizeDtmfAction = AcsActionBase & {
  kind: 'recognizeDtmf';
  targetParticipant: string;
  /** Played in order before listening; a re-prompt comes first on retries. */
  prompts: PlaySource[];
  maxTones: number;
  initialSilenceTimeoutSeconds: number;
  interToneTimeoutSeconds: number;
  /** Tone names as digits: '0'-'9', '*', '#'. */
  stopTones: string[];
  interruptPrompt: boolean;
};

/**
 * Asks the engine which published version of another flow a "Run subflow" node calls (the
 * pinned one, or the latest published at this moment): answered by an ActionResult carrying
 * `subflow`, or an ActionFailed when there is no such version. Not an ACS operation: the
 * engine's subflow executor answers it from the flows it holds.
 */
export type ResolveSubflowAction = AcsActionBase & {
  kind: 'resolveSubflow';
  flowId: string;
  /** null: the latest published version when the call enters the node. */
  version: number | null;
};

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * A request to an external system. Everything is rendered except secrets: a header value keeps
 * each `{{ secret.NAME }}` as a marker (see secretMarker), replaced by the engine's HTTP
 * executor at send time, so no secret is ever in a run's state, step records or outbox.
 */
export type HttpRequestAction = AcsActionBase & {
  kind: 'httpRequest';
  method: HttpMethod;
  url: string;
  headers: { name: string; value: string }[];
  /** JSON text (already checked to parse), absent for no body. */
  body?: string;
  timeoutMs: number;
};

export type AcsAction =
  | ResolveSubflowAction
  | HttpRequestAction
  | AnswerCallAction
  | RejectCallAction
  | RedirectCallAction
  | CreateCallAction
  | TransferCallAction
  | AddParticipantAction
  | CancelAddParticipantAction
  | RemoveParticipantAction
  | MuteParticipantAction
  | HoldAction
  | UnholdAction
  | HangUpAction
  | PlayAction
  | RecognizeDtmfAction;

/** Why a run ended: one list, so that schemas and types cannot drift apart. */
export const END_REASONS = [
  'completed',
  'callerHungUp',
  'transferred',
  'redirected',
  'rejected',
  /** The app left the call at an unconnected outcome; the other parties stay connected. */
  'appLeft',
  'failed',
  'stepLimit',
  'cancelled',
] as const;

export type EndReason = (typeof END_REASONS)[number];

export type EndAction = { kind: 'end'; reason: EndReason };

export type Action = AcsAction | EndAction;

export type ActionKind = Action['kind'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An action as a node type describes it; the interpreter adds id, operationContext and nodeId. */
export type ActionDraft = DistributiveOmit<AcsAction, 'id' | 'operationContext' | 'nodeId'>;
