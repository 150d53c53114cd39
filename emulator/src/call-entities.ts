/**
 * The nouns of the emulated call: a call, the people and applications in it, each application's
 * connection to it, and the invitations still ringing. They hold state and render it in the
 * shapes ACS answers (call properties, participant models, the control API's summaries); they
 * never send callbacks or start timers themselves, so every concern that changes a call
 * (lifecycle, participants, media, the caller's side) can share them without importing each
 * other.
 */
import { randomUUID } from 'node:crypto';
import type { CallSummary } from './control-types.js';
import type { EndpointBehaviour } from './endpoints.js';
import { type Identity, toModel, toUserModel } from './identifiers.js';
import type { MediaSession, MediaTiming } from './media.js';
import type { TimelineEntry } from './monitor.js';
import type { TimerHandle } from './scheduler.js';
import type { ScriptRunner } from './caller-script.js';

export type CallState = 'ringing' | 'connecting' | 'connected' | 'disconnected';
export type ConnectionState =
  'connecting' | 'connected' | 'transferring' | 'transferAccepted' | 'disconnected';
export type ParticipantState = 'ringing' | 'connected' | 'hold' | 'disconnected';

export interface CallModelOptions {
  /** Emulated ms between an answer/accept and CallConnected. */
  connectLatencyMs: number;
  /** Emulated ms an inbound call rings before it is abandoned (nobody answered). */
  incomingRingTimeoutMs: number;
  /** Default invitation timeout (s) for addParticipant; transfers and createCall use it too. */
  defaultInvitationTimeoutSeconds: number;
  /** How many ended calls are kept for GET /emulator/calls. */
  retainEndedCalls: number;
  /**
   * The Cognitive Services endpoints linked to the emulated resource; undefined: any https
   * endpoint an app gives counts as linked.
   */
  cognitiveServicesEndpoints?: string[];
  media: MediaTiming;
}

export class Participant {
  state: ParticipantState = 'ringing';
  isMuted = false;
  isOnHold = false;
  script?: ScriptRunner;
  constructor(
    readonly identity: Identity,
    readonly isApp: boolean,
  ) {}

  get inCall(): boolean {
    return this.state === 'connected' || this.state === 'hold';
  }

  toModel() {
    return { identifier: toModel(this.identity), isMuted: this.isMuted, isOnHold: this.isOnHold };
  }
}

/** `forbidden` only comes from an application rejecting a call routed back into the resource. */
export type InviteOutcome = 'accept' | 'decline' | 'busy' | 'noAnswer' | 'forbidden';

export interface Invite {
  id: string;
  target: Identity;
  connection?: Connection;
  kind: 'create' | 'add' | 'transfer' | 'redirect';
  timers: TimerHandle[];
  settled: boolean;
  /** The application that answered it, when the target was the resource's own number or user. */
  answeredBy?: Connection;
  /** Where the answering side redirected it; that endpoint joins instead of the target. */
  redirectedTo?: Identity;
}

/** The custom calling context (voip/sip headers) an action sent, as IncomingCall carries it. */
export interface CustomContext {
  sipHeaders: Record<string, string>;
  voipHeaders: Record<string, string>;
}

/**
 * A call offered to the resource's applications through Event Grid (IncomingCall): an inbound
 * call placed by the control API, or an invitation to one of the resource's own numbers or users.
 */
export interface IncomingOffer {
  context: string;
  from: Identity;
  to: Identity;
  callerDisplayName: string;
  outcome?: 'answered' | 'rejected' | 'redirected' | 'abandoned';
  /** For an invitation: how the applications' answer decides it. */
  ring?: OfferRing;
}

export interface OfferRing {
  readonly invite: Invite;
  /** An application answered: the invitation no longer times out (nor cancels) while it connects. */
  hold(answeredBy: Connection): void;
  settle(outcome: InviteOutcome, answeredBy?: Connection): void;
  /** An application redirected it: the invitation rings `target` instead. */
  redirect(target: Identity): void;
}

export class Call {
  readonly serverCallId: string;
  readonly correlationId = randomUUID();
  readonly createdAt = new Date();
  endedAt?: Date;
  state: CallState = 'connecting';
  readonly participants = new Map<string, Participant>();
  readonly connections = new Map<string, Connection>();
  readonly timeline: TimelineEntry[] = [];
  readonly invites = new Map<string, Invite>();
  readonly timers = new Set<TimerHandle>();
  /**
   * How endpoints invited into this call behave, ahead of the registry's (a test call's own
   * callees: concurrent calls to the same number can each have theirs).
   */
  endpoints?: Map<string, EndpointBehaviour>;
  /** The inbound call's own offer (placed by the control API). */
  incoming?: IncomingOffer;
  /** Invitations offered to the resource's applications, by incomingCallContext. */
  readonly offers = new Map<string, IncomingOffer>();
  /** The room whose call this is (connectCall with a room locator). */
  roomId?: string;

  constructor(
    readonly direction: 'inbound' | 'outbound' | 'group',
    serverCallId?: string,
  ) {
    this.serverCallId =
      serverCallId ??
      Buffer.from(
        `https://emulator.switchboard.local/conv/${randomUUID()}?i=${Math.floor(Math.random() * 100)}`,
      ).toString('base64url');
  }

  offer(context: string): IncomingOffer | undefined {
    return this.incoming?.context === context ? this.incoming : this.offers.get(context);
  }

  /** The people (not applications) still in the call. */
  humans(): Participant[] {
    return [...this.participants.values()].filter((p) => !p.isApp && p.inCall);
  }

  visible(): Participant[] {
    return [...this.participants.values()].filter((p) => p.inCall);
  }

  summary(): CallSummary {
    return {
      serverCallId: this.serverCallId,
      correlationId: this.correlationId,
      direction: this.direction,
      state: this.state,
      createdAt: this.createdAt.toISOString(),
      endedAt: this.endedAt?.toISOString(),
      from: this.incoming?.from.rawId,
      to: this.incoming?.to.rawId,
      participants: [...this.participants.values()].map((p) => ({
        rawId: p.identity.rawId,
        kind: p.identity.kind,
        isApp: p.isApp,
        state: p.state,
        isMuted: p.isMuted,
        isOnHold: p.isOnHold,
      })),
      connections: [...this.connections.values()].map((c) => ({
        callConnectionId: c.id,
        state: c.state,
        callbackUri: c.callbackUri,
        app: c.app.rawId,
      })),
    };
  }
}

export class Connection {
  readonly id = randomUUID();
  state: ConnectionState = 'connecting';
  /** How the application got this leg: an answer that never connects reports AnswerFailed. */
  origin: 'create' | 'answer' | 'connect' = 'create';
  sequence = 0;
  media!: MediaSession;
  constructor(
    readonly call: Call,
    readonly callbackUri: string,
    /** The application's identity in the call. */
    readonly app: Identity,
    readonly operationContext: string | undefined,
    readonly source: Identity,
    readonly targets: Identity[],
    readonly extra: {
      sourceCallerIdNumber?: string;
      sourceDisplayName?: string;
      answeredBy?: Identity;
      answeredFor?: string;
      /** callIntelligenceOptions.cognitiveServicesEndpoint: the call's speech services. */
      cognitiveServicesEndpoint?: string;
    } = {},
  ) {}

  properties() {
    const p: Record<string, unknown> = {
      callConnectionId: this.id,
      serverCallId: this.call.serverCallId,
      targets: this.targets.map(toModel),
      callConnectionState: this.state,
      callbackUri: this.callbackUri,
      source: toModel(this.source),
      correlationId: this.call.correlationId,
    };
    if (this.extra.sourceCallerIdNumber) {
      p.sourceCallerIdNumber = { value: this.extra.sourceCallerIdNumber };
    }
    if (this.extra.sourceDisplayName) p.sourceDisplayName = this.extra.sourceDisplayName;
    if (this.extra.answeredBy) p.answeredBy = toUserModel(this.extra.answeredBy);
    if (this.extra.answeredFor) p.answeredFor = { value: this.extra.answeredFor };
    return p;
  }
}
