import type { Action, EndReason } from './actions.js';
import type { EventParticipant } from './events.js';

export type JsonPrimitive = string | number | boolean | null;

/** What a node left behind for later nodes and templates (`results.<nodeId>.digits`, …). */
export interface NodeResult {
  outcome?: string;
  /** ms epoch when the result was recorded. */
  at: number;
  code?: number;
  subCode?: number;
  message?: string;
  /** DTMF digits as characters ('1', '#'). */
  digits?: string;
  choiceLabel?: string;
  invitationId?: string;
  /** HTTP request nodes: the answer's status. */
  status?: number;
}

export interface CallInfo {
  direction: 'incoming' | 'outbound';
  from: string;
  to: string;
  callerDisplayName: string;
  correlationId: string;
  serverCallId: string;
  callConnectionId: string;
  /** Incoming calls until they are connected (ACS's opaque context for answer/redirect/reject). */
  incomingCallContext?: string;
  /** Outbound runs: who the run dials (from the start request, else the trigger's config). */
  targets?: string[];
  /** True once ACS reported CallConnected; a run only hangs up calls it holds. */
  connected: boolean;
}

export interface Awaiting {
  nodeId: string;
  operationContext: string;
  /** ms epoch the wait began. */
  since: number;
  /** ms epoch after which the engine sends a Timeout event if the call still exists. */
  deadline: number;
}

/**
 * One level of subflow nesting: the run is inside `versionId` of `flowId`, called by the node
 * `nodeId` of the flow one level out. The caller's variables and results wait here until a
 * Return node hands control back (the subflow sees only its inputs).
 */
export interface Frame {
  flowId: string;
  versionId: string;
  version: number;
  /** The "Run subflow" node that called it, in the flow one level out. */
  nodeId: string;
  vars: Record<string, string>;
  results: Record<string, NodeResult>;
}

/** Where a trace entry happened: the frames it was inside (outermost first), without their scopes. */
export interface TraceFrame {
  flowId: string;
  versionId: string;
  version: number;
  nodeId: string;
}

/** Everything a run needs between callbacks; plain JSON so the engine can store it as is. */
export interface RunState {
  runId: string;
  status: 'running' | 'ended';
  endReason?: EndReason;
  currentNodeId?: string;
  awaiting?: Awaiting;
  /** Counts issued actions; operation contexts are `${runId}:${seq}`. */
  seq: number;
  /** Counts node entries, for the step limit. */
  stepCount: number;
  call: CallInfo;
  vars: Record<string, string>;
  /** Results of nodes that something reads (templates `results.<id>` or node references). */
  results: Record<string, NodeResult>;
  participants: EventParticipant[];
  /** Re-prompts spent by the node being waited on (cleared when it is left). */
  attempts: Record<string, number>;
  /** Ids of the last events applied, to drop redelivered copies. */
  recentEventIds: string[];
  /** Media actions issued again because their callbacks were lost (bounded). */
  lostCallbacks?: number;
  /** Subflows the run is inside, outermost first; absent or empty: the run's own flow. */
  frames?: Frame[];
}

/** `in`: set on entries made inside a subflow, the frames they were in (outermost first). */
export type TraceEntry = TraceEntryBody & { in?: TraceFrame[] };

export type TraceEntryBody =
  | { at: number; kind: 'enter'; nodeId: string; type: string }
  | { at: number; kind: 'outcome'; nodeId: string; outcome: string }
  | { at: number; kind: 'action'; nodeId: string; action: string; id: string }
  | { at: number; kind: 'event'; nodeId?: string; event: string; eventId: string; note?: string }
  | { at: number; kind: 'retry'; nodeId: string; reason: string; attempt: number }
  | { at: number; kind: 'ignored'; nodeId?: string; event: string; eventId: string; reason: string }
  | { at: number; kind: 'templateError'; nodeId: string; message: string }
  | { at: number; kind: 'error'; nodeId?: string; message: string }
  | { at: number; kind: 'end'; nodeId?: string; reason: EndReason };

export interface StepResult {
  state: RunState;
  actions: Action[];
  trace: TraceEntry[];
}

export type RunTrigger =
  | {
      kind: 'incomingCall';
      runId: string;
      from: string;
      to: string;
      callerDisplayName?: string;
      correlationId?: string;
      serverCallId?: string;
      incomingCallContext: string;
      /** Values for the flow's variables before the first node (a test call's). */
      variables?: Record<string, string>;
    }
  | {
      kind: 'outbound';
      runId: string;
      targets: string[];
      callerId?: string;
      variables?: Record<string, string>;
    };

/**
 * The compiled flows a run's subflow frames run, by FlowVersion id. Pure: the engine fills it
 * from its flow cache before stepping (every version on the run's frames, and the one an event
 * resolves), scenarios and replays from the documents they were given.
 */
export type FlowLookup = (versionId: string) => CompiledFlowLike | undefined;

/** A compiled flow or a document (compiled once on first use). */
export type CompiledFlowLike =
  import('./interpreter/compile.js').CompiledFlow | import('./document.js').FlowDocument;

export interface RunOptions {
  /** Node entries allowed per run before it ends with 'stepLimit' (default 1,000). */
  stepLimit?: number;
  /** Flows that subflow nodes call; without it a subflow call takes its failure outcome. */
  flows?: FlowLookup;
  /**
   * The environment's values, read by templates as `env.<NAME>`: given by the engine from the
   * database it runs on (and by replays and scenarios), never stored in a document or the state.
   */
  env?: Readonly<Record<string, string>>;
}

/** Subflows a run may be inside at once (A calls B calls C … five levels deep). */
export const MAX_SUBFLOW_DEPTH = 5;

export const DEFAULT_STEP_LIMIT = 1000;
export const RECENT_EVENT_IDS = 64;
