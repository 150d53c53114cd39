import { randomUUID } from 'node:crypto';
import type { CallbackDispatcher } from './callbacks.js';
import type { EndpointBehaviour, EndpointRegistry, ScriptStep } from './endpoints.js';
import { AcsHttpError, Results, badRequest, notEstablished, notFoundCall } from './errors.js';
import type { ResultInformation } from './errors.js';
import type { EventGridPublisher } from './event-grid.js';
import {
  type Identity,
  acsUser,
  parseIdentifierModel,
  parseIdentityString,
  parseTones,
  toModel,
  toUserModel,
} from './identifiers.js';
import type { Logger } from './logger.js';
import { MediaSession, type MediaTiming } from './media.js';
import type { Monitor, TimelineEntry } from './monitor.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

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

interface Invite {
  id: string;
  target: Identity;
  connection?: Connection;
  kind: 'create' | 'add' | 'transfer' | 'redirect';
  timers: TimerHandle[];
  settled: boolean;
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
  incoming?: {
    context: string;
    from: Identity;
    to: Identity;
    callerDisplayName: string;
    outcome?: 'answered' | 'rejected' | 'redirected' | 'abandoned';
  };

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

  /** The people (not applications) still in the call. */
  humans(): Participant[] {
    return [...this.participants.values()].filter((p) => !p.isApp && p.inCall);
  }

  visible(): Participant[] {
    return [...this.participants.values()].filter((p) => p.inCall);
  }

  summary() {
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

/** Plays one endpoint's script against the call. */
class ScriptRunner {
  private index = 0;
  private waitingFor?: string;
  private timer?: TimerHandle;
  private connected = false;
  private stopped = false;

  constructor(
    private readonly model: CallModel,
    private readonly call: Call,
    private readonly rawId: string,
    private readonly steps: ScriptStep[],
  ) {}

  startRinging(): void {
    this.arm();
  }

  onConnected(): void {
    this.connected = true;
    if (this.waitingFor === 'connected') this.fire();
    else if (this.index === 0 && !this.timer && !this.waitingFor) this.arm();
  }

  notify(event: 'recognize' | 'play'): void {
    if (this.waitingFor === event) this.fire();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private arm(): void {
    if (this.stopped) return;
    const step = this.steps[this.index];
    if (!step) return;
    const on = step.on ?? (this.index === 0 ? 'connected' : 'previous');
    if (on === 'previous' || on === 'ringing' || (on === 'connected' && this.connected))
      this.fire();
    else this.waitingFor = on;
  }

  private fire(): void {
    this.waitingFor = undefined;
    const step = this.steps[this.index]!;
    this.timer = this.model.scheduler.after(step.afterMs ?? 0, () => {
      this.timer = undefined;
      if (this.stopped) return;
      const busyMs = this.model.perform(this.call, this.rawId, step);
      this.index++;
      if (busyMs > 0) this.timer = this.model.scheduler.after(busyMs, () => this.arm());
      else this.arm();
    });
  }
}

interface Deps {
  scheduler: Scheduler;
  callbacks: CallbackDispatcher;
  eventGrid: EventGridPublisher;
  monitor: Monitor;
  endpoints: EndpointRegistry;
  logger: Logger;
  resourceId: string;
  options: CallModelOptions;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

function requireCallbackUri(v: unknown, field = 'callbackUri'): string {
  const s = str(v);
  if (!s) throw badRequest(`'${field}' is required.`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw badRequest(`'${field}' must be an absolute URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw badRequest(`'${field}' must be an http(s) URL.`);
  }
  return s;
}

function optionalUri(v: unknown, field: string): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : requireCallbackUri(v, field);
}

function callerId(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const value = (v as { value?: unknown }).value;
  if (typeof value !== 'string') throw badRequest("'sourceCallerIdNumber.value' is required.");
  return parseIdentityString(value).value;
}

const outcomeResult: Record<string, ResultInformation> = {
  decline: Results.declined,
  busy: Results.busy,
  noAnswer: Results.noAnswer,
};

/**
 * Calls, connections and participants, and what the simulated endpoints do. Every REST action
 * lands here after validation of its envelope; every callback and Event Grid event starts here.
 */
export class CallModel {
  readonly calls = new Map<string, Call>();
  private readonly connections = new Map<string, Connection>();
  private readonly contexts = new Map<string, Call>();
  private readonly groups = new Map<string, Call>();
  private readonly ended: string[] = [];

  constructor(private readonly deps: Deps) {}

  get scheduler(): Scheduler {
    return this.deps.scheduler;
  }

  private get opts(): CallModelOptions {
    return this.deps.options;
  }

  // --- bookkeeping ------------------------------------------------------------------------

  private record(call: Call, entry: Omit<TimelineEntry, 'at'>): void {
    this.deps.monitor.record(call, entry);
  }

  private after(call: Call, ms: number, fn: () => void): TimerHandle {
    const handle = this.deps.scheduler.after(ms, () => {
      call.timers.delete(handle);
      fn();
    });
    call.timers.add(handle);
    return handle;
  }

  private newAppIdentity(): Identity {
    return acsUser(`8:acs:${this.deps.resourceId}_${randomUUID()}`);
  }

  private addConnection(conn: Connection): Connection {
    const call = conn.call;
    conn.media = new MediaSession({
      scheduler: this.deps.scheduler,
      timing: this.opts.media,
      emit: (type, data, uri) => this.emit(conn, type, data, uri),
      isParticipant: (rawId) => call.participants.get(rawId)?.inCall === true,
      notifyScripts: (event, target) => {
        for (const p of call.participants.values()) {
          if (p.script && (event === 'play' || p.identity.rawId === target)) p.script.notify(event);
        }
      },
      record: (detail) =>
        this.record(call, { kind: 'media', callConnectionId: conn.id, ...detail }),
    });
    call.connections.set(conn.id, conn);
    this.connections.set(conn.id, conn);
    return conn;
  }

  /** Sends a callback for a connection; operation events may go to an operationCallbackUri. */
  emit(conn: Connection, type: string, data: Record<string, unknown>, uri?: string): void {
    this.deps.callbacks.send(
      uri ?? conn.callbackUri,
      conn.id,
      type,
      {
        ...data,
        callConnectionId: conn.id,
        serverCallId: conn.call.serverCallId,
        correlationId: conn.call.correlationId,
      },
      conn.call,
    );
  }

  private participantsUpdated(call: Call, only?: Connection): void {
    const participants = call.visible().map((p) => p.toModel());
    for (const conn of only ? [only] : call.connections.values()) {
      if (conn.state === 'disconnected' || conn.state === 'connecting') continue;
      this.emit(conn, 'ParticipantsUpdated', { participants, sequenceNumber: ++conn.sequence });
    }
  }

  private setParticipant(call: Call, p: Participant, state: ParticipantState): void {
    p.state = state;
    this.record(call, { kind: 'participant', rawId: p.identity.rawId, isApp: p.isApp, state });
  }

  private join(call: Call, identity: Identity, isApp: boolean): Participant {
    let p = call.participants.get(identity.rawId);
    if (!p || p.state === 'disconnected') {
      p = new Participant(identity, isApp);
      call.participants.set(identity.rawId, p);
    }
    this.setParticipant(call, p, 'connected');
    const behaviour = isApp ? undefined : this.behaviour(call, identity.rawId);
    if (behaviour?.script && !p.script) {
      p.script = new ScriptRunner(this, call, identity.rawId, behaviour.script);
    }
    p.script?.onConnected();
    return p;
  }

  private leave(call: Call, p: Participant): void {
    if (p.state === 'disconnected') return;
    p.script?.stop();
    this.setParticipant(call, p, 'disconnected');
  }

  private disconnect(conn: Connection): void {
    if (conn.state === 'disconnected') return;
    conn.state = 'disconnected';
    conn.media.close();
    const app = conn.call.participants.get(conn.app.rawId);
    if (app) this.leave(conn.call, app);
    this.emit(conn, 'CallDisconnected', {
      operationContext: conn.operationContext,
      resultInformation: Results.ended,
    });
  }

  endCall(call: Call, reason: string): void {
    if (call.state === 'disconnected') return;
    call.state = 'disconnected';
    call.endedAt = new Date();
    for (const t of call.timers) t.cancel();
    call.timers.clear();
    for (const inv of call.invites.values()) this.settleInvite(inv);
    for (const conn of call.connections.values()) this.disconnect(conn);
    for (const p of call.participants.values()) this.leave(call, p);
    this.record(call, { kind: 'call', state: 'disconnected', reason });
    this.retain(call);
  }

  /** Keeps a bounded number of ended calls so a long benchmark does not grow without limit. */
  private retain(call: Call): void {
    this.ended.push(call.serverCallId);
    while (this.ended.length > this.opts.retainEndedCalls) {
      const old = this.calls.get(this.ended.shift()!);
      if (!old) continue;
      this.calls.delete(old.serverCallId);
      for (const c of old.connections.keys()) this.connections.delete(c);
      if (old.incoming) this.contexts.delete(old.incoming.context);
    }
  }

  /** Ends the call when no person is left in it; otherwise tells the apps who is. */
  private afterDeparture(call: Call): void {
    if (call.state === 'disconnected') return;
    if (call.humans().length === 0) this.endCall(call, 'everyone left');
    else this.participantsUpdated(call);
  }

  // --- simulated endpoints ----------------------------------------------------------------

  private settleInvite(inv: Invite): void {
    inv.settled = true;
    for (const t of inv.timers) t.cancel();
  }

  /**
   * Rings a simulated endpoint. The outcome arrives after its ring time (accept/decline), at
   * once-ish (busy), or when the invitation times out (noAnswer, or a ring longer than it).
   */
  private invite(
    call: Call,
    kind: Invite['kind'],
    target: Identity,
    timeoutMs: number,
    onOutcome: (outcome: 'accept' | 'decline' | 'busy' | 'noAnswer', inv: Invite) => void,
    connection?: Connection,
  ): Invite {
    const inv: Invite = { id: randomUUID(), target, kind, connection, timers: [], settled: false };
    call.invites.set(inv.id, inv);
    const b: EndpointBehaviour = this.behaviour(call, target.rawId);
    this.record(call, { kind: 'participant', rawId: target.rawId, state: 'ringing', invite: kind });
    const settle = (outcome: 'accept' | 'decline' | 'busy' | 'noAnswer') => {
      if (inv.settled || call.state === 'disconnected') return;
      this.settleInvite(inv);
      call.invites.delete(inv.id);
      this.record(call, { kind: 'participant', rawId: target.rawId, outcome, invite: kind });
      onOutcome(outcome, inv);
    };
    const delay = b.onInvite === 'busy' ? Math.min(b.ringMs, 100) : b.ringMs;
    if (b.onInvite !== 'noAnswer' && delay < timeoutMs) {
      inv.timers.push(this.after(call, delay, () => settle(b.onInvite)));
    }
    inv.timers.push(this.after(call, timeoutMs, () => settle('noAnswer')));
    return inv;
  }

  private behaviour(call: Call, rawId: string): EndpointBehaviour {
    return call.endpoints?.get(rawId) ?? this.deps.endpoints.get(rawId);
  }

  // --- control API: the caller's side -----------------------------------------------------

  placeCall(input: {
    from: string;
    to: string;
    callerDisplayName?: string;
    script?: ScriptStep[];
    customContext?: Record<string, unknown>;
    /** Behaviours of this call's callees (transfer, add participant) by raw id. */
    endpoints?: Map<string, EndpointBehaviour>;
  }): Call {
    const from = parseIdentityString(input.from);
    const to = parseIdentityString(input.to);
    const call = new Call('inbound');
    if (input.endpoints?.size) call.endpoints = input.endpoints;
    call.state = 'ringing';
    const context =
      'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.' +
      Buffer.from(JSON.stringify({ cc: randomUUID(), sc: call.serverCallId })).toString(
        'base64url',
      ) +
      '.';
    call.incoming = { context, from, to, callerDisplayName: input.callerDisplayName ?? '' };
    this.calls.set(call.serverCallId, call);
    this.contexts.set(context, call);
    const caller = new Participant(from, false);
    caller.state = 'ringing';
    call.participants.set(from.rawId, caller);
    const script = input.script ?? this.deps.endpoints.get(from.rawId).script;
    if (script) {
      caller.script = new ScriptRunner(this, call, from.rawId, script);
      caller.script.startRinging();
    }
    this.record(call, { kind: 'call', state: 'ringing', from: from.rawId, to: to.rawId });
    this.after(call, this.opts.incomingRingTimeoutMs, () => {
      if (!call.incoming?.outcome) {
        call.incoming!.outcome = 'abandoned';
        this.endCall(call, 'not answered');
      }
    });
    this.deps.eventGrid.publish(
      'Microsoft.Communication.IncomingCall',
      `/caller/${from.rawId}/recipient/${to.rawId}`,
      {
        to: toModel(to),
        from: toModel(from),
        serverCallId: call.serverCallId,
        callerDisplayName: call.incoming.callerDisplayName,
        customContext: input.customContext ?? { sipHeaders: {}, voipHeaders: {} },
        incomingCallContext: context,
        correlationId: call.correlationId,
      },
      call,
    );
    return call;
  }

  getCall(serverCallId: string): Call {
    const call = this.calls.get(serverCallId);
    if (!call) throw new AcsHttpError(404, 'CallNotFound', `No call '${serverCallId}'.`);
    return call;
  }

  private person(call: Call, rawId?: string): Participant {
    if (rawId) {
      const p = call.participants.get(parseIdentityString(rawId).rawId);
      if (!p || p.isApp) throw badRequest(`'${rawId}' is not a person in this call.`);
      return p;
    }
    const p =
      (call.incoming && call.participants.get(call.incoming.from.rawId)) ?? call.humans()[0];
    if (!p) throw badRequest('Nobody is left in this call.');
    return p;
  }

  callerDtmf(serverCallId: string, tones: unknown, participant?: string, gapMs?: number): number {
    const call = this.getCall(serverCallId);
    return this.pressTones(
      call,
      this.person(call, participant).identity.rawId,
      parseTones(tones),
      gapMs,
    );
  }

  callerSpeech(serverCallId: string, text: string, participant?: string): void {
    const call = this.getCall(serverCallId);
    this.say(call, this.person(call, participant).identity.rawId, text);
  }

  callerHangup(serverCallId: string, participant?: string): void {
    const call = this.getCall(serverCallId);
    if (call.state === 'disconnected') throw badRequest('The call has already ended.');
    this.hangupPerson(call, this.person(call, participant).identity.rawId);
  }

  /** Runs one script step; returns how long it keeps the endpoint busy (emulated ms). */
  perform(call: Call, rawId: string, step: ScriptStep): number {
    if (step.dtmf !== undefined)
      return this.pressTones(call, rawId, parseTones(step.dtmf), step.gapMs);
    if (step.say !== undefined) this.say(call, rawId, step.say);
    if (step.hangup) this.hangupPerson(call, rawId);
    return 0;
  }

  private pressTones(call: Call, rawId: string, tones: string[], gapMs = 100): number {
    this.record(call, { kind: 'caller', rawId, dtmf: tones });
    tones.forEach((tone, i) => {
      const press = () => {
        for (const conn of call.connections.values()) {
          if (conn.state !== 'disconnected') conn.media.tone(rawId, tone);
        }
      };
      if (i === 0) press();
      else this.after(call, i * gapMs, press);
    });
    return (tones.length - 1) * gapMs;
  }

  private say(call: Call, rawId: string, text: string): void {
    this.record(call, { kind: 'caller', rawId, say: text });
    for (const conn of call.connections.values()) {
      if (conn.state !== 'disconnected') conn.media.speech(rawId, text);
    }
  }

  private hangupPerson(call: Call, rawId: string): void {
    const p = call.participants.get(rawId);
    this.record(call, { kind: 'caller', rawId, hangup: true });
    if (call.state === 'ringing') {
      if (call.incoming) call.incoming.outcome = 'abandoned';
      this.endCall(call, 'caller hung up before an answer');
      return;
    }
    if (!p || p.state === 'disconnected') return;
    this.leave(call, p);
    this.afterDeparture(call);
  }

  // --- REST: calls ------------------------------------------------------------------------

  connection(id: string): Connection {
    const conn = this.connections.get(id);
    if (!conn) throw notFoundCall();
    return conn;
  }

  /** Mid-call actions need an established connection. */
  established(id: string): Connection {
    const conn = this.connection(id);
    if (conn.state !== 'connected' || conn.call.state === 'disconnected') throw notEstablished();
    return conn;
  }

  createCall(body: Record<string, unknown>): Connection {
    const callbackUri = requireCallbackUri(body.callbackUri);
    if (!Array.isArray(body.targets) || body.targets.length === 0) {
      throw badRequest("'targets' must contain at least one participant.");
    }
    const targets = body.targets.map((t, i) => parseIdentifierModel(t, `targets[${i}]`));
    const callerIdNumber = callerId(body.sourceCallerIdNumber);
    if (targets.some((t) => t.kind === 'phoneNumber') && !callerIdNumber) {
      throw badRequest(
        "'sourceCallerIdNumber' is required when calling a phone number (a number your resource owns).",
      );
    }
    const sourceId = str((body.source as { id?: unknown } | undefined)?.id);
    const app = sourceId ? parseIdentityString(sourceId) : this.newAppIdentity();
    const call = new Call(targets.length > 1 ? 'group' : 'outbound');
    this.calls.set(call.serverCallId, call);
    const conn = this.addConnection(
      new Connection(call, callbackUri, app, str(body.operationContext), app, targets, {
        sourceCallerIdNumber: callerIdNumber,
        sourceDisplayName: str(body.sourceDisplayName),
      }),
    );
    this.record(call, { kind: 'call', state: 'connecting', targets: targets.map((t) => t.rawId) });
    let failures = 0;
    let firstFailure: ResultInformation | undefined;
    for (const target of targets) {
      this.invite(
        call,
        'create',
        target,
        this.opts.defaultInvitationTimeoutSeconds * 1000,
        (outcome) => {
          if (outcome === 'accept') {
            const firstAnswer = conn.state === 'connecting';
            if (firstAnswer) {
              this.join(call, app, true);
              call.state = 'connected';
              conn.state = 'connected';
              this.emit(conn, 'CallConnected', {
                operationContext: conn.operationContext,
                resultInformation: Results.connected,
              });
            }
            this.join(call, target, false);
            this.participantsUpdated(call);
            return;
          }
          failures++;
          firstFailure ??=
            outcome === 'noAnswer' ? Results.notAnsweredCreate : outcomeResult[outcome];
          if (failures === targets.length && conn.state === 'connecting') {
            this.emit(conn, 'CreateCallFailed', {
              operationContext: conn.operationContext,
              resultInformation: firstFailure,
            });
            this.endCall(call, `not connected: ${outcome}`);
          }
        },
      );
    }
    return conn;
  }

  private incomingCall(context: unknown): Call {
    const ctx = str(context);
    if (!ctx) throw badRequest("'incomingCallContext' is required.");
    const call = this.contexts.get(ctx);
    if (!call?.incoming) throw badRequest('Invalid incomingCallContext.', '8523');
    if (call.incoming.outcome === 'abandoned' || call.state === 'disconnected') {
      throw notFoundCall();
    }
    if (call.incoming.outcome) {
      throw badRequest(
        `The incomingCallContext has already been used (call ${call.incoming.outcome}).`,
        '8523',
      );
    }
    return call;
  }

  answerCall(body: Record<string, unknown>): Connection {
    const call = this.incomingCall(body.incomingCallContext);
    const callbackUri = requireCallbackUri(body.callbackUri);
    const answeredById = str((body.answeredBy as { id?: unknown } | undefined)?.id);
    const app = answeredById ? parseIdentityString(answeredById) : this.newAppIdentity();
    const incoming = call.incoming!;
    incoming.outcome = 'answered';
    call.state = 'connecting';
    const conn = this.addConnection(
      new Connection(
        call,
        callbackUri,
        app,
        str(body.operationContext),
        incoming.from,
        [incoming.to],
        {
          answeredBy: answeredById ? app : undefined,
          answeredFor: incoming.to.kind === 'phoneNumber' ? incoming.to.value : undefined,
        },
      ),
    );
    this.record(call, { kind: 'call', state: 'answered', callConnectionId: conn.id });
    this.after(call, this.opts.connectLatencyMs, () => {
      call.state = 'connected';
      conn.state = 'connected';
      this.join(call, app, true);
      this.emit(conn, 'CallConnected', {
        operationContext: conn.operationContext,
        resultInformation: Results.connected,
      });
      this.join(call, incoming.from, false);
      this.participantsUpdated(call);
    });
    return conn;
  }

  /** The call an incomingCallContext belongs to (for the timeline), if any. */
  callForContext(context: unknown): Call | undefined {
    return typeof context === 'string' ? this.contexts.get(context) : undefined;
  }

  rejectCall(body: Record<string, unknown>): Call {
    const call = this.incomingCall(body.incomingCallContext);
    const reason = str(body.callRejectReason) ?? 'none';
    if (!['none', 'busy', 'forbidden'].includes(reason)) {
      throw badRequest("'callRejectReason' must be none, busy or forbidden.");
    }
    call.incoming!.outcome = 'rejected';
    this.record(call, { kind: 'call', state: 'rejected', reason });
    this.endCall(call, `rejected (${reason})`);
    return call;
  }

  redirectCall(body: Record<string, unknown>): Call {
    const call = this.incomingCall(body.incomingCallContext);
    const target = parseIdentifierModel(body.target, 'target');
    const incoming = call.incoming!;
    incoming.outcome = 'redirected';
    this.record(call, { kind: 'call', state: 'redirected', target: target.rawId });
    this.invite(call, 'redirect', target, this.opts.defaultInvitationTimeoutSeconds * 1000, (o) => {
      if (o !== 'accept') {
        this.endCall(call, `redirect target ${o}`);
        return;
      }
      call.state = 'connected';
      this.join(call, incoming.from, false);
      this.join(call, target, false);
    });
    return call;
  }

  connectCall(body: Record<string, unknown>): Connection {
    const callbackUri = requireCallbackUri(body.callbackUri);
    const locator = (body.callLocator ?? {}) as Record<string, unknown>;
    const kind = str(locator.kind) ?? 'serverCallLocator';
    let call: Call | undefined;
    if (kind === 'serverCallLocator') {
      const id = str(locator.serverCallId);
      if (!id) throw badRequest("'callLocator.serverCallId' is required.");
      call = this.calls.get(id);
    } else if (kind === 'groupCallLocator' || kind === 'roomCallLocator') {
      const id = str(kind === 'groupCallLocator' ? locator.groupCallId : locator.roomId);
      if (!id) throw badRequest(`'callLocator' needs an id for ${kind}.`);
      call = this.groups.get(id);
      if (!call || call.state === 'disconnected') {
        call = new Call('group');
        call.state = 'connected';
        this.groups.set(id, call);
        this.calls.set(call.serverCallId, call);
      }
    } else {
      throw badRequest(`Unknown call locator kind '${kind}'.`);
    }
    const app = this.newAppIdentity();
    if (!call || call.state === 'disconnected' || call.state === 'ringing') {
      // The connection exists only to carry ConnectFailed, as ACS reports it asynchronously.
      const orphan = new Call(
        'outbound',
        kind === 'serverCallLocator' ? str(locator.serverCallId) : undefined,
      );
      orphan.state = 'disconnected';
      const conn = this.addConnection(
        new Connection(orphan, callbackUri, app, str(body.operationContext), app, []),
      );
      this.deps.scheduler.after(this.opts.connectLatencyMs, () => {
        this.emit(conn, 'ConnectFailed', {
          operationContext: conn.operationContext,
          resultInformation: Results.callNotFound,
        });
        conn.state = 'disconnected';
        conn.media.close();
      });
      return conn;
    }
    const target = call;
    const conn = this.addConnection(
      new Connection(
        target,
        callbackUri,
        app,
        str(body.operationContext),
        app,
        target.humans().map((p) => p.identity),
      ),
    );
    this.after(target, this.opts.connectLatencyMs, () => {
      conn.state = 'connected';
      this.join(target, app, true);
      this.emit(conn, 'CallConnected', {
        operationContext: conn.operationContext,
        resultInformation: Results.connected,
      });
      this.participantsUpdated(target);
    });
    return conn;
  }

  /** DELETE: the app leaves; in a 1:1 call that ends the call for the other person too. */
  hangUp(id: string): void {
    const conn = this.connection(id);
    if (conn.state === 'disconnected') throw notEstablished();
    const call = conn.call;
    const otherApps = [...call.connections.values()].filter(
      (c) => c !== conn && c.state !== 'disconnected',
    );
    if (call.humans().length <= 1 && otherApps.length === 0) {
      this.endCall(call, 'hung up by the application');
      return;
    }
    this.disconnect(conn);
    this.participantsUpdated(call);
  }

  terminate(id: string): void {
    const conn = this.connection(id);
    if (conn.state === 'disconnected') throw notEstablished();
    this.endCall(conn.call, 'terminated by the application');
  }

  transfer(id: string, body: Record<string, unknown>): { operationContext?: string } {
    const conn = this.established(id);
    const call = conn.call;
    const target = parseIdentifierModel(body.targetParticipant, 'targetParticipant');
    const humans = call.humans();
    let transferee: Identity | undefined;
    if (body.transferee) {
      transferee = parseIdentifierModel(body.transferee, 'transferee');
      if (!call.participants.get(transferee.rawId)?.inCall) {
        throw badRequest(`Transferee '${transferee.rawId}' is not in the call.`, '8519');
      }
    } else if (humans.length === 1) {
      transferee = humans[0]!.identity;
    } else {
      throw badRequest("'transferee' is required when the call has more than one participant.");
    }
    const operationContext = str(body.operationContext);
    const uri = optionalUri(body.operationCallbackUri, 'operationCallbackUri');
    conn.state = 'transferring';
    this.invite(
      call,
      'transfer',
      target,
      this.opts.defaultInvitationTimeoutSeconds * 1000,
      (outcome) => {
        if (outcome !== 'accept') {
          conn.state = 'connected';
          this.emit(
            conn,
            'CallTransferFailed',
            {
              operationContext,
              resultInformation: {
                ...outcomeResult[outcome]!,
                message: `Call transfer failed: ${outcomeResult[outcome]!.message}`,
              },
            },
            uri,
          );
          return;
        }
        conn.state = 'transferAccepted';
        this.emit(
          conn,
          'CallTransferAccepted',
          {
            operationContext,
            transferTarget: toModel(target),
            transferee: toModel(transferee),
            resultInformation: Results.ok,
          },
          uri,
        );
        this.join(call, target, false);
        // A transfer hands the call over: the application's leg ends.
        this.disconnect(conn);
        if (humans.length > 1) this.participantsUpdated(call);
      },
      conn,
    );
    return { operationContext };
  }

  // --- REST: participants -----------------------------------------------------------------

  addParticipant(id: string, body: Record<string, unknown>) {
    const conn = this.established(id);
    const call = conn.call;
    const target = parseIdentifierModel(body.participantToAdd, 'participantToAdd');
    const callerIdNumber = callerId(body.sourceCallerIdNumber);
    if (target.kind === 'phoneNumber' && !callerIdNumber) {
      throw badRequest("'sourceCallerIdNumber' is required when adding a phone number.");
    }
    if (call.participants.get(target.rawId)?.inCall) {
      throw badRequest(`'${target.rawId}' is already in the call.`, '8523');
    }
    const timeout = body.invitationTimeoutInSeconds ?? this.opts.defaultInvitationTimeoutSeconds;
    if (typeof timeout !== 'number' || timeout <= 0 || timeout > 180) {
      throw badRequest("'invitationTimeoutInSeconds' must be between 1 and 180.");
    }
    const operationContext = str(body.operationContext);
    const uri = optionalUri(body.operationCallbackUri, 'operationCallbackUri');
    const inv = this.invite(
      call,
      'add',
      target,
      timeout * 1000,
      (outcome) => {
        if (conn.state === 'disconnected') return;
        if (outcome === 'accept') {
          this.join(call, target, false);
          this.emit(
            conn,
            'AddParticipantSucceeded',
            { operationContext, participant: toModel(target), resultInformation: Results.addOk },
            uri,
          );
          this.participantsUpdated(call);
        } else {
          this.emit(
            conn,
            'AddParticipantFailed',
            {
              operationContext,
              participant: toModel(target),
              resultInformation: outcomeResult[outcome],
            },
            uri,
          );
          this.participantsUpdated(call, conn);
        }
      },
      conn,
    );
    return {
      participant: { identifier: toModel(target), isMuted: false, isOnHold: false },
      operationContext,
      invitationId: inv.id,
    };
  }

  cancelAddParticipant(id: string, body: Record<string, unknown>) {
    const conn = this.established(id);
    const invitationId = str(body.invitationId);
    if (!invitationId) throw badRequest("'invitationId' is required.");
    const operationContext = str(body.operationContext);
    const uri = optionalUri(body.operationCallbackUri, 'operationCallbackUri');
    const inv = conn.call.invites.get(invitationId);
    const data = { operationContext, invitationId };
    this.deps.scheduler.after(this.opts.connectLatencyMs / 4, () => {
      if (inv && !inv.settled && inv.kind === 'add') {
        this.settleInvite(inv);
        conn.call.invites.delete(invitationId);
        this.record(conn.call, {
          kind: 'participant',
          rawId: inv.target.rawId,
          outcome: 'canceled',
        });
        this.emit(
          conn,
          'CancelAddParticipantSucceeded',
          { ...data, resultInformation: Results.ok },
          uri,
        );
      } else {
        this.emit(
          conn,
          'CancelAddParticipantFailed',
          { ...data, resultInformation: Results.alreadyDone },
          uri,
        );
      }
    });
    return { invitationId, operationContext };
  }

  removeParticipant(id: string, body: Record<string, unknown>) {
    const conn = this.established(id);
    const call = conn.call;
    const target = parseIdentifierModel(body.participantToRemove, 'participantToRemove');
    const operationContext = str(body.operationContext);
    const uri = optionalUri(body.operationCallbackUri, 'operationCallbackUri');
    this.deps.scheduler.after(this.opts.connectLatencyMs / 4, () => {
      if (conn.state === 'disconnected') return;
      const p = call.participants.get(target.rawId);
      if (!p?.inCall || p.isApp) {
        this.emit(
          conn,
          'RemoveParticipantFailed',
          {
            operationContext,
            participant: toModel(target),
            resultInformation: Results.participantNotFound,
          },
          uri,
        );
        return;
      }
      this.leave(call, p);
      this.emit(
        conn,
        'RemoveParticipantSucceeded',
        { operationContext, participant: toModel(target), resultInformation: Results.ok },
        uri,
      );
      this.afterDeparture(call);
    });
    return { operationContext };
  }

  private inCallParticipant(conn: Connection, model: unknown, field: string): Participant {
    const id = parseIdentifierModel(model, field);
    const p = conn.call.participants.get(id.rawId);
    if (!p?.inCall) throw badRequest(`Participant '${id.rawId}' is not in the call.`, '8519');
    return p;
  }

  mute(id: string, body: Record<string, unknown>) {
    const conn = this.established(id);
    const list = body.targetParticipants;
    if (!Array.isArray(list) || list.length !== 1) {
      throw badRequest("'targetParticipants' must contain exactly one participant.");
    }
    const p = this.inCallParticipant(conn, list[0], 'targetParticipants[0]');
    if (!p.isMuted) {
      p.isMuted = true;
      this.participantsUpdated(conn.call);
    }
    return { operationContext: str(body.operationContext) };
  }

  hold(id: string, body: Record<string, unknown>, onHold: boolean): void {
    const conn = this.established(id);
    const p = this.inCallParticipant(conn, body.targetParticipant, 'targetParticipant');
    if (p.isOnHold !== onHold) {
      p.isOnHold = onHold;
      this.setParticipant(conn.call, p, onHold ? 'hold' : 'connected');
      this.participantsUpdated(conn.call);
    }
  }

  sendDtmf(id: string, body: Record<string, unknown>) {
    const conn = this.established(id);
    this.inCallParticipant(conn, body.targetParticipant, 'targetParticipant');
    const tones = parseTones(body.tones);
    const operationContext = str(body.operationContext);
    const uri = optionalUri(body.operationCallbackUri, 'operationCallbackUri');
    this.after(conn.call, tones.length * 250, () =>
      this.emit(
        conn,
        'SendDtmfTonesCompleted',
        { operationContext, resultInformation: Results.ok },
        uri,
      ),
    );
    return { operationContext };
  }

  participants(id: string): ReturnType<Participant['toModel']>[] {
    const conn = this.connection(id);
    if (conn.state === 'disconnected') throw notEstablished();
    return conn.call.visible().map((p) => p.toModel());
  }

  participant(id: string, rawId: string) {
    const conn = this.connection(id);
    if (conn.state === 'disconnected') throw notEstablished();
    const p = conn.call.participants.get(rawId);
    if (!p?.inCall) throw new AcsHttpError(404, '8519', 'Participant not found.');
    return p.toModel();
  }

  close(): void {
    for (const call of this.calls.values()) {
      for (const t of call.timers) t.cancel();
      for (const c of call.connections.values()) c.media?.close();
      for (const p of call.participants.values()) p.script?.stop();
    }
  }
}
