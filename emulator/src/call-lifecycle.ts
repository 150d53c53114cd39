/**
 * How a call starts and ends from the application's side: an inbound call rings (placed by the
 * control API) until it is answered, rejected, redirected or abandoned; an application creates
 * an outbound call or connects to an existing one; it hangs up or terminates. Each path is
 * where ACS's asynchronous answer (CallConnected, CreateCallFailed, ConnectFailed) is timed,
 * which is what an app under test most often gets wrong.
 */
import {
  Call,
  Connection,
  type IncomingOffer,
  type InviteOutcome,
  Participant,
} from './call-entities.js';
import type { CallCore } from './call-core.js';
import { ScriptRunner } from './caller-script.js';
import type { PlaceCallRequest } from './control-types.js';
import type { EndpointBehaviour } from './endpoints.js';
import { Results, badRequest, notFoundCall } from './errors.js';
import type { ResultInformation } from './errors.js';
import { parseIdentityString, phone } from './identifiers.js';
import { openOffer } from './incoming-offer.js';
import { type Participants, outcomeResult } from './participants.js';
import {
  AnswerCallBody,
  ConnectCallBody,
  CreateCallBody,
  CreateCallHead,
  IncomingCallHead,
  RedirectCallBody,
  RejectCallBody,
  parseBody,
} from './rest-schemas.js';

/** How an application's reject reason reaches the side that invited the resource's number. */
const rejectOutcome = {
  none: 'decline',
  busy: 'busy',
  forbidden: 'forbidden',
} as const satisfies Record<string, InviteOutcome>;

/** A caller dialling in (the control API's request, its callees' behaviours parsed). */
export interface PlacedCallInput extends Omit<PlaceCallRequest, 'endpoints'> {
  /** Behaviours of this call's callees (transfer, add participant) by raw id. */
  endpoints?: Map<string, EndpointBehaviour>;
}

export class CallLifecycle {
  constructor(
    private readonly core: CallCore,
    private readonly participants: Participants,
  ) {}

  // --- control API: the caller dials ------------------------------------------------------

  placeCall(input: PlacedCallInput): Call {
    const { core } = this;
    const from = parseIdentityString(input.from);
    const to = parseIdentityString(input.to);
    if (to.kind === 'phoneNumber') core.deps.resource.numbers.requireDialled(to.value);
    const call = new Call('inbound');
    if (input.endpoints?.size) call.endpoints = input.endpoints;
    call.state = 'ringing';
    core.calls.set(call.serverCallId, call);
    const caller = new Participant(from, false);
    caller.state = 'ringing';
    call.participants.set(from.rawId, caller);
    const script = input.script ?? core.deps.endpoints.get(from.rawId).script;
    if (script) {
      caller.script = new ScriptRunner(core.scripts, call, from.rawId, script);
      caller.script.startRinging();
    }
    core.record(call, { kind: 'call', state: 'ringing', from: from.rawId, to: to.rawId });
    core.after(call, core.opts.incomingRingTimeoutMs, () => {
      if (!call.incoming?.outcome) {
        call.incoming!.outcome = 'abandoned';
        core.endCall(call, 'not answered');
      }
    });
    openOffer(core, call, {
      from,
      to,
      callerDisplayName: input.callerDisplayName,
      customContext: input.customContext,
    });
    return call;
  }

  // --- REST: calls ------------------------------------------------------------------------

  createCall(body: Record<string, unknown>): Connection {
    const { core } = this;
    parseBody(CreateCallHead, body);
    const b = parseBody(CreateCallBody, body);
    core.deps.resource.numbers.requireCallerId(b.sourceCallerIdNumber);
    const targets = b.targets;
    const app = b.source ?? core.newAppIdentity();
    const call = new Call(targets.length > 1 ? 'group' : 'outbound');
    core.calls.set(call.serverCallId, call);
    const conn = core.addConnection(
      new Connection(call, b.callbackUri, app, b.operationContext, app, targets, {
        sourceCallerIdNumber: b.sourceCallerIdNumber,
        sourceDisplayName: b.sourceDisplayName,
        cognitiveServicesEndpoint: b.callIntelligenceOptions,
      }),
    );
    core.record(call, { kind: 'call', state: 'connecting', targets: targets.map((t) => t.rawId) });
    const injected = core.injected(call, 'createCall');
    if (injected) {
      core.after(call, core.opts.connectLatencyMs, () => {
        core.emit(conn, 'CreateCallFailed', {
          operationContext: conn.operationContext,
          resultInformation: injected,
        });
        core.endCall(call, 'not connected: injected failure', injected);
      });
      return conn;
    }
    let failures = 0;
    let firstFailure: ResultInformation | undefined;
    for (const target of targets) {
      this.participants.invite(
        call,
        {
          kind: 'create',
          target,
          timeoutMs: core.opts.defaultInvitationTimeoutSeconds * 1000,
          connection: conn,
          from: b.sourceCallerIdNumber ? phone(b.sourceCallerIdNumber) : app,
          callerIdNumber: b.sourceCallerIdNumber,
          displayName: b.sourceDisplayName,
        },
        (outcome, inv) => {
          if (outcome === 'accept') {
            const firstAnswer = conn.state === 'connecting';
            if (firstAnswer) {
              core.join(call, app, true);
              call.state = 'connected';
              conn.state = 'connected';
              core.emit(conn, 'CallConnected', {
                operationContext: conn.operationContext,
                resultInformation: Results.connected,
              });
            }
            core.joinInvitee(call, inv);
            core.participantsUpdated(call);
            return;
          }
          failures++;
          firstFailure ??=
            outcome === 'noAnswer' ? Results.notAnsweredCreate : outcomeResult[outcome];
          if (failures === targets.length && conn.state === 'connecting') {
            core.emit(conn, 'CreateCallFailed', {
              operationContext: conn.operationContext,
              resultInformation: firstFailure,
            });
            core.endCall(call, `not connected: ${outcome}`, firstFailure);
          }
        },
      );
    }
    return conn;
  }

  /** The offer an incomingCallContext names, if it can still be answered, rejected or redirected. */
  private incomingCall(body: Record<string, unknown>): { call: Call; offer: IncomingOffer } {
    const ctx = parseBody(IncomingCallHead, body).incomingCallContext;
    const call = this.core.contexts.get(ctx);
    const offer = call?.offer(ctx);
    if (!call || !offer) throw badRequest('Invalid incomingCallContext.', '8523');
    // A cancelled or finished invitation can no longer be answered.
    if (offer.ring?.invite.settled && !offer.outcome) offer.outcome = 'abandoned';
    if (offer.outcome === 'abandoned' || call.state === 'disconnected') {
      throw notFoundCall();
    }
    if (offer.outcome) {
      throw badRequest(
        `The incomingCallContext has already been used (call ${offer.outcome}).`,
        '8523',
      );
    }
    return { call, offer };
  }

  answerCall(body: Record<string, unknown>): Connection {
    const { core } = this;
    const { call, offer } = this.incomingCall(body);
    const b = parseBody(AnswerCallBody, body);
    const app = b.answeredBy ?? core.newAppIdentity();
    offer.outcome = 'answered';
    const ring = offer.ring;
    if (!ring) call.state = 'connecting';
    const conn = core.addConnection(
      new Connection(call, b.callbackUri, app, b.operationContext, offer.from, [offer.to], {
        answeredBy: b.answeredBy ? app : undefined,
        answeredFor: offer.to.kind === 'phoneNumber' ? offer.to.value : undefined,
        cognitiveServicesEndpoint: b.callIntelligenceOptions,
      }),
    );
    conn.origin = 'answer';
    ring?.hold(conn);
    core.record(call, {
      kind: 'call',
      state: 'answered',
      callConnectionId: conn.id,
      ...(ring ? { invite: ring.invite.kind, target: offer.to.rawId } : {}),
    });
    core.after(call, core.opts.connectLatencyMs, () => {
      const injected = core.injected(call, 'answer');
      if (injected && ring) {
        // Only this app's answer failed: the call goes on, and the invitation is not answered.
        core.disconnect(conn, injected);
        ring.settle('noAnswer');
        return;
      }
      if (injected) {
        core.endCall(call, 'answer failed: injected failure', injected);
        return;
      }
      if (ring) {
        // An invitation answered by one of the resource's apps: it joins the call as it is,
        // and the inviting side learns the outcome (AddParticipantSucceeded, CallTransferAccepted…).
        core.join(call, app, true);
        core.emit(conn, 'CallConnected', {
          operationContext: conn.operationContext,
          resultInformation: Results.connected,
        });
        ring.settle('accept');
        if (call.state === 'disconnected') return;
        conn.state = 'connected';
        core.participantsUpdated(call, conn);
        return;
      }
      call.state = 'connected';
      conn.state = 'connected';
      core.join(call, app, true);
      core.emit(conn, 'CallConnected', {
        operationContext: conn.operationContext,
        resultInformation: Results.connected,
      });
      core.join(call, offer.from, false);
      core.participantsUpdated(call);
    });
    return conn;
  }

  /** The call an incomingCallContext belongs to (for the timeline), if any. */
  callForContext(context: unknown): Call | undefined {
    return typeof context === 'string' ? this.core.contexts.get(context) : undefined;
  }

  rejectCall(body: Record<string, unknown>): Call {
    const { core } = this;
    const { call, offer } = this.incomingCall(body);
    const reason = parseBody(RejectCallBody, body).callRejectReason;
    offer.outcome = 'rejected';
    core.record(call, { kind: 'call', state: 'rejected', reason, target: offer.to.rawId });
    if (offer.ring) offer.ring.settle(rejectOutcome[reason]);
    else core.endCall(call, `rejected (${reason})`);
    return call;
  }

  redirectCall(body: Record<string, unknown>): Call {
    const { core } = this;
    const { call, offer } = this.incomingCall(body);
    const target = parseBody(RedirectCallBody, body).target;
    offer.outcome = 'redirected';
    core.record(call, { kind: 'call', state: 'redirected', target: target.rawId });
    if (offer.ring) {
      offer.ring.redirect(target);
      return call;
    }
    this.participants.invite(
      call,
      {
        kind: 'redirect',
        target,
        timeoutMs: core.opts.defaultInvitationTimeoutSeconds * 1000,
        from: offer.from,
        displayName: offer.callerDisplayName || undefined,
      },
      (o, inv) => {
        if (o !== 'accept') {
          core.endCall(call, `redirect target ${o}`);
          return;
        }
        call.state = 'connected';
        core.join(call, offer.from, false);
        core.joinInvitee(call, inv);
      },
    );
    return call;
  }

  connectCall(body: Record<string, unknown>): Connection {
    const { core } = this;
    const b = parseBody(ConnectCallBody, body);
    const { callbackUri, operationContext } = b;
    const { kind, id } = b.callLocator;
    let call: Call | undefined;
    // A room call needs the room, open now; a group call starts with the first connect.
    const refusal = kind === 'roomCallLocator' ? core.deps.resource.rooms.refusal(id) : undefined;
    if (kind === 'serverCallLocator') {
      call = core.calls.get(id);
    } else if (!refusal) {
      const key = kind === 'roomCallLocator' ? `room:${id}` : id;
      call = core.groups.get(key);
      if (!call || call.state === 'disconnected') {
        call = new Call('group');
        call.state = 'connected';
        if (kind === 'roomCallLocator') call.roomId = id;
        core.groups.set(key, call);
        core.calls.set(call.serverCallId, call);
      }
    }
    const app = core.newAppIdentity();
    const injected = call?.state === 'connected' ? core.injected(call, 'connect') : undefined;
    if (!call || call.state === 'disconnected' || call.state === 'ringing' || injected) {
      // The connection exists only to carry ConnectFailed, as ACS reports it asynchronously.
      const orphan = new Call('outbound', kind === 'serverCallLocator' ? id : undefined);
      orphan.state = 'disconnected';
      const conn = core.addConnection(
        new Connection(orphan, callbackUri, app, operationContext, app, []),
      );
      conn.origin = 'connect';
      core.scheduler.after(core.opts.connectLatencyMs, () => {
        core.emit(conn, 'ConnectFailed', {
          operationContext: conn.operationContext,
          resultInformation: injected ?? refusal ?? Results.callNotFound,
        });
        conn.state = 'disconnected';
        conn.media.close();
      });
      return conn;
    }
    const target = call;
    const conn: Connection = core.addConnection(
      new Connection(
        target,
        callbackUri,
        app,
        operationContext,
        app,
        target.humans().map((p) => p.identity),
        { cognitiveServicesEndpoint: b.callIntelligenceOptions },
      ),
    );
    conn.origin = 'connect';
    core.after(target, core.opts.connectLatencyMs, () => {
      conn.state = 'connected';
      core.join(target, app, true);
      core.emit(conn, 'CallConnected', {
        operationContext: conn.operationContext,
        resultInformation: Results.connected,
      });
      core.participantsUpdated(target);
    });
    return conn;
  }

  /** DELETE: the app leaves; in a 1:1 call that ends the call for the other person too. */
  hangUp(id: string): void {
    const { core } = this;
    const conn = core.live(id);
    const call = conn.call;
    const otherApps = [...call.connections.values()].filter(
      (c) => c !== conn && c.state !== 'disconnected',
    );
    const humans = call.humans().length;
    // An app's call to the resource's own number, answered by another app, has no person in
    // it: it is still a call between two parties, and either hanging up ends it.
    const twoApps = call.direction === 'outbound' && humans === 0 && otherApps.length <= 1;
    if ((humans <= 1 && otherApps.length === 0) || twoApps) {
      core.endCall(call, 'hung up by the application');
      return;
    }
    core.disconnect(conn);
    core.participantsUpdated(call);
  }

  terminate(id: string): void {
    this.core.endCall(this.core.live(id).call, 'terminated by the application');
  }
}
