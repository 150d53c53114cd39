/**
 * How a call starts and ends from the application's side: an inbound call rings (placed by the
 * control API) until it is answered, rejected, redirected or abandoned; an application creates
 * an outbound call or connects to an existing one; it hangs up or terminates. Each path is
 * where ACS's asynchronous answer (CallConnected, CreateCallFailed, ConnectFailed) is timed,
 * which is what an app under test most often gets wrong.
 */
import { randomUUID } from 'node:crypto';
import { Call, Connection, Participant } from './call-entities.js';
import type { CallCore } from './call-core.js';
import { ScriptRunner } from './caller-script.js';
import type { EndpointBehaviour, ScriptStep } from './endpoints.js';
import { Results, badRequest, notFoundCall } from './errors.js';
import type { ResultInformation } from './errors.js';
import { parseIdentityString, toModel } from './identifiers.js';
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

export class CallLifecycle {
  constructor(
    private readonly core: CallCore,
    private readonly participants: Participants,
  ) {}

  // --- control API: the caller dials ------------------------------------------------------

  placeCall(input: {
    from: string;
    to: string;
    callerDisplayName?: string;
    script?: ScriptStep[];
    customContext?: Record<string, unknown>;
    /** Behaviours of this call's callees (transfer, add participant) by raw id. */
    endpoints?: Map<string, EndpointBehaviour>;
  }): Call {
    const { core } = this;
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
    core.calls.set(call.serverCallId, call);
    core.contexts.set(context, call);
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
    core.deps.eventGrid.publish(
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

  // --- REST: calls ------------------------------------------------------------------------

  createCall(body: Record<string, unknown>): Connection {
    const { core } = this;
    parseBody(CreateCallHead, body);
    const b = parseBody(CreateCallBody, body);
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
        'create',
        target,
        core.opts.defaultInvitationTimeoutSeconds * 1000,
        (outcome) => {
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
            core.join(call, target, false);
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

  private incomingCall(body: Record<string, unknown>): Call {
    const ctx = parseBody(IncomingCallHead, body).incomingCallContext;
    const call = this.core.contexts.get(ctx);
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
    const { core } = this;
    const call = this.incomingCall(body);
    const b = parseBody(AnswerCallBody, body);
    const app = b.answeredBy ?? core.newAppIdentity();
    const incoming = call.incoming!;
    incoming.outcome = 'answered';
    call.state = 'connecting';
    const conn = core.addConnection(
      new Connection(call, b.callbackUri, app, b.operationContext, incoming.from, [incoming.to], {
        answeredBy: b.answeredBy ? app : undefined,
        answeredFor: incoming.to.kind === 'phoneNumber' ? incoming.to.value : undefined,
        cognitiveServicesEndpoint: b.callIntelligenceOptions,
      }),
    );
    conn.origin = 'answer';
    core.record(call, { kind: 'call', state: 'answered', callConnectionId: conn.id });
    core.after(call, core.opts.connectLatencyMs, () => {
      const injected = core.injected(call, 'answer');
      if (injected) {
        core.endCall(call, 'answer failed: injected failure', injected);
        return;
      }
      call.state = 'connected';
      conn.state = 'connected';
      core.join(call, app, true);
      core.emit(conn, 'CallConnected', {
        operationContext: conn.operationContext,
        resultInformation: Results.connected,
      });
      core.join(call, incoming.from, false);
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
    const call = this.incomingCall(body);
    const reason = parseBody(RejectCallBody, body).callRejectReason;
    call.incoming!.outcome = 'rejected';
    core.record(call, { kind: 'call', state: 'rejected', reason });
    core.endCall(call, `rejected (${reason})`);
    return call;
  }

  redirectCall(body: Record<string, unknown>): Call {
    const { core } = this;
    const call = this.incomingCall(body);
    const target = parseBody(RedirectCallBody, body).target;
    const incoming = call.incoming!;
    incoming.outcome = 'redirected';
    core.record(call, { kind: 'call', state: 'redirected', target: target.rawId });
    this.participants.invite(
      call,
      'redirect',
      target,
      core.opts.defaultInvitationTimeoutSeconds * 1000,
      (o) => {
        if (o !== 'accept') {
          core.endCall(call, `redirect target ${o}`);
          return;
        }
        call.state = 'connected';
        core.join(call, incoming.from, false);
        core.join(call, target, false);
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
    if (kind === 'serverCallLocator') {
      call = core.calls.get(id);
    } else {
      call = core.groups.get(id);
      if (!call || call.state === 'disconnected') {
        call = new Call('group');
        call.state = 'connected';
        core.groups.set(id, call);
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
          resultInformation: injected || Results.callNotFound,
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
    if (call.humans().length <= 1 && otherApps.length === 0) {
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
