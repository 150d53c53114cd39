/**
 * The state every concern of the call model shares — calls by id, connections by id, incoming
 * contexts, group calls — and the few primitives they all build on: recording to the timeline,
 * call-scoped timers, sending a callback, people joining and leaving, a connection or a call
 * ending. Lifecycle, participants, media and the caller's side each change calls only through
 * these, so the rules that keep a call consistent (who is in it, when it ends, which callbacks
 * follow) live in one place.
 */
import { randomUUID } from 'node:crypto';
import { createMediaSession } from './call-media.js';
import {
  type Call,
  type CallModelOptions,
  type Connection,
  type Invite,
  Participant,
  type ParticipantState,
} from './call-entities.js';
import type { CallbackEventType } from './api-registry.js';
import type { CallbackDispatcher } from './callbacks.js';
import { ScriptRunner, type ScriptHost } from './caller-script.js';
import type { EndpointBehaviour, EndpointRegistry } from './endpoints.js';
import { AcsHttpError, Results, notEstablished, notFoundCall } from './errors.js';
import type { ResultInformation } from './errors.js';
import type { EventGridPublisher } from './event-grid.js';
import { type Identity, acsUser } from './identifiers.js';
import { type InjectableOperation, ResultInjector } from './injections.js';
import type { Logger } from './logger.js';
import type { Monitor, TimelineEntry } from './monitor.js';
import type { EmulatedResource } from './resource.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

export interface CallModelDeps {
  scheduler: Scheduler;
  callbacks: CallbackDispatcher;
  eventGrid: EventGridPublisher;
  monitor: Monitor;
  endpoints: EndpointRegistry;
  logger: Logger;
  resourceId: string;
  /** Its numbers, users and rooms: whose a caller id or a target is. */
  resource: EmulatedResource;
  options: CallModelOptions;
}

export class CallCore {
  readonly calls = new Map<string, Call>();
  readonly connections = new Map<string, Connection>();
  readonly contexts = new Map<string, Call>();
  readonly groups = new Map<string, Call>();
  private readonly ended: string[] = [];
  /** Failures a test queued through the control API. */
  readonly injections = new ResultInjector();
  /** Who carries out script steps; set by the facade, which owns the caller's side. */
  scripts!: ScriptHost;

  constructor(readonly deps: CallModelDeps) {}

  get scheduler(): Scheduler {
    return this.deps.scheduler;
  }

  get opts(): CallModelOptions {
    return this.deps.options;
  }

  record(call: Call, entry: Omit<TimelineEntry, 'at'>): void {
    this.deps.monitor.record(call, entry);
  }

  /** A timer that dies with the call. */
  after(call: Call, ms: number, fn: () => void): TimerHandle {
    const handle = this.deps.scheduler.after(ms, () => {
      call.timers.delete(handle);
      fn();
    });
    call.timers.add(handle);
    return handle;
  }

  newAppIdentity(): Identity {
    return acsUser(`8:acs:${this.deps.resourceId}_${randomUUID()}`);
  }

  addConnection(conn: Connection): Connection {
    conn.media = createMediaSession(this, conn);
    conn.call.connections.set(conn.id, conn);
    this.connections.set(conn.id, conn);
    return conn;
  }

  /** A connection in any state, ended ones included (the timeline, the control API). */
  connection(id: string): Connection {
    const conn = this.connections.get(id);
    if (!conn) throw notFoundCall();
    return conn;
  }

  /** What the REST API may act on: once a connection has ended ACS answers 404 8522 for it. */
  live(id: string): Connection {
    const conn = this.connection(id);
    if (conn.state === 'disconnected') throw notFoundCall();
    return conn;
  }

  /** Mid-call actions need an established connection. */
  established(id: string): Connection {
    const conn = this.live(id);
    if (conn.state !== 'connected' || conn.call.state === 'disconnected') throw notEstablished();
    return conn;
  }

  /** The injected failure for this operation on this call, if a test queued one. */
  injected(call: Call, operation: InjectableOperation): ResultInformation | undefined {
    const result = this.injections.take(call.serverCallId, operation);
    if (result) this.record(call, { kind: 'injection', operation, applied: true, ...result });
    return result;
  }

  getCall(serverCallId: string): Call {
    const call = this.calls.get(serverCallId);
    if (!call) throw new AcsHttpError(404, 'CallNotFound', `No call '${serverCallId}'.`);
    return call;
  }

  /**
   * Sends a callback for a connection; operation events may go to an operationCallbackUri (an
   * empty one means the connection's, as for the requests that only check it loosely).
   */
  emit(
    conn: Connection,
    type: CallbackEventType,
    data: Record<string, unknown>,
    uri?: string,
  ): void {
    this.deps.callbacks.send(
      uri || conn.callbackUri,
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

  participantsUpdated(call: Call, only?: Connection): void {
    const participants = call.visible().map((p) => p.toModel());
    for (const conn of only ? [only] : call.connections.values()) {
      if (conn.state === 'disconnected' || conn.state === 'connecting') continue;
      this.emit(conn, 'ParticipantsUpdated', {
        participants,
        sequenceNumber: ++conn.sequence,
        resultInformation: Results.participantsUpdated,
      });
    }
  }

  setParticipant(call: Call, p: Participant, state: ParticipantState): void {
    p.state = state;
    this.record(call, { kind: 'participant', rawId: p.identity.rawId, isApp: p.isApp, state });
  }

  behaviour(call: Call, rawId: string): EndpointBehaviour {
    return call.endpoints?.get(rawId) ?? this.deps.endpoints.get(rawId);
  }

  /** `script`: a person moved from another call keeps doing what they were doing there. */
  join(call: Call, identity: Identity, isApp: boolean, script?: ScriptRunner): Participant {
    let p = call.participants.get(identity.rawId);
    if (!p || p.state === 'disconnected') {
      p = new Participant(identity, isApp);
      call.participants.set(identity.rawId, p);
    }
    if (script) p.script = script.moveTo(call);
    this.setParticipant(call, p, 'connected');
    const behaviour = isApp ? undefined : this.behaviour(call, identity.rawId);
    if (behaviour?.script && !p.script) {
      p.script = new ScriptRunner(this.scripts, call, identity.rawId, behaviour.script);
    }
    p.script?.onConnected();
    return p;
  }

  /**
   * Whoever accepted an invitation joins the call as a person — unless one of the resource's
   * applications answered it, which joined with its own connection when it connected.
   */
  joinInvitee(call: Call, inv: Invite): void {
    if (!inv.answeredBy) this.join(call, inv.redirectedTo ?? inv.target, false);
  }

  leave(call: Call, p: Participant): void {
    if (p.state === 'disconnected') return;
    p.script?.stop();
    this.setParticipant(call, p, 'disconnected');
  }

  /**
   * The application's leg ends, for the reason `result` tells it. An answered call that had not
   * connected yet reports AnswerFailed first, as ACS does when the caller gives up meanwhile.
   */
  disconnect(conn: Connection, result: ResultInformation = Results.endedByApp): void {
    if (conn.state === 'disconnected') return;
    const answering = conn.state === 'connecting' && conn.origin === 'answer';
    conn.state = 'disconnected';
    conn.media.close();
    const app = conn.call.participants.get(conn.app.rawId);
    if (app) this.leave(conn.call, app);
    const data = { operationContext: conn.operationContext, resultInformation: result };
    if (answering) this.emit(conn, 'AnswerFailed', data);
    this.emit(conn, 'CallDisconnected', data);
  }

  settleInvite(inv: Invite): void {
    inv.settled = true;
    for (const t of inv.timers) t.cancel();
  }

  /** `result`: what each application's CallDisconnected says about why. */
  endCall(call: Call, reason: string, result: ResultInformation = Results.endedByApp): void {
    if (call.state === 'disconnected') return;
    call.state = 'disconnected';
    call.endedAt = new Date();
    for (const t of call.timers) t.cancel();
    call.timers.clear();
    for (const inv of call.invites.values()) this.settleInvite(inv);
    for (const conn of call.connections.values()) this.disconnect(conn, result);
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
      this.injections.forget(old.serverCallId);
      for (const c of old.connections.keys()) this.connections.delete(c);
      if (old.incoming) this.contexts.delete(old.incoming.context);
      for (const context of old.offers.keys()) this.contexts.delete(context);
    }
  }

  /**
   * Ends the call when no person is left in it — CallDisconnected says whether the last one, on
   * a phone, hung up — otherwise tells the apps who is, and fails the media operations aimed
   * at those who left.
   */
  afterDeparture(
    call: Call,
    departed: Participant[] = [],
    how: 'hangup' | 'removed' | 'moved' = 'hangup',
  ): void {
    if (call.state === 'disconnected') return;
    if (call.humans().length === 0) {
      const byPhone = how === 'hangup' && departed.at(-1)?.identity.kind === 'phoneNumber';
      this.endCall(
        call,
        how === 'moved' ? 'everyone moved to another call' : 'everyone left',
        byPhone ? Results.endedByPstnUser : Results.everyoneLeft,
      );
      return;
    }
    this.participantsUpdated(call);
    for (const conn of call.connections.values()) {
      if (conn.state === 'disconnected') continue;
      for (const p of departed) conn.media.participantLeft(p.identity.rawId);
    }
  }

  close(): void {
    for (const call of this.calls.values()) {
      for (const t of call.timers) t.cancel();
      for (const c of call.connections.values()) c.media?.close();
      for (const p of call.participants.values()) p.script?.stop();
    }
  }
}
