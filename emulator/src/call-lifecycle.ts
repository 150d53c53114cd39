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
import { Results, badRequest, notEstablished, notFoundCall } from './errors.js';
import type { ResultInformation } from './errors.js';
import { parseIdentifierModel, parseIdentityString, toModel } from './identifiers.js';
import { type Participants, outcomeResult } from './participants.js';
import { callerId, requireCallbackUri, str } from './rest-schemas.js';

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
    const app = sourceId ? parseIdentityString(sourceId) : core.newAppIdentity();
    const call = new Call(targets.length > 1 ? 'group' : 'outbound');
    core.calls.set(call.serverCallId, call);
    const conn = core.addConnection(
      new Connection(call, callbackUri, app, str(body.operationContext), app, targets, {
        sourceCallerIdNumber: callerIdNumber,
        sourceDisplayName: str(body.sourceDisplayName),
      }),
    );
    core.record(call, { kind: 'call', state: 'connecting', targets: targets.map((t) => t.rawId) });
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
            core.endCall(call, `not connected: ${outcome}`);
          }
        },
      );
    }
    return conn;
  }

  private incomingCall(context: unknown): Call {
    const ctx = str(context);
    if (!ctx) throw badRequest("'incomingCallContext' is required.");
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
    const call = this.incomingCall(body.incomingCallContext);
    const callbackUri = requireCallbackUri(body.callbackUri);
    const answeredById = str((body.answeredBy as { id?: unknown } | undefined)?.id);
    const app = answeredById ? parseIdentityString(answeredById) : core.newAppIdentity();
    const incoming = call.incoming!;
    incoming.outcome = 'answered';
    call.state = 'connecting';
    const conn = core.addConnection(
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
    core.record(call, { kind: 'call', state: 'answered', callConnectionId: conn.id });
    core.after(call, core.opts.connectLatencyMs, () => {
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
    const call = this.incomingCall(body.incomingCallContext);
    const reason = str(body.callRejectReason) ?? 'none';
    if (!['none', 'busy', 'forbidden'].includes(reason)) {
      throw badRequest("'callRejectReason' must be none, busy or forbidden.");
    }
    call.incoming!.outcome = 'rejected';
    core.record(call, { kind: 'call', state: 'rejected', reason });
    core.endCall(call, `rejected (${reason})`);
    return call;
  }

  redirectCall(body: Record<string, unknown>): Call {
    const { core } = this;
    const call = this.incomingCall(body.incomingCallContext);
    const target = parseIdentifierModel(body.target, 'target');
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
    const callbackUri = requireCallbackUri(body.callbackUri);
    const locator = (body.callLocator ?? {}) as Record<string, unknown>;
    const kind = str(locator.kind) ?? 'serverCallLocator';
    let call: Call | undefined;
    if (kind === 'serverCallLocator') {
      const id = str(locator.serverCallId);
      if (!id) throw badRequest("'callLocator.serverCallId' is required.");
      call = core.calls.get(id);
    } else if (kind === 'groupCallLocator' || kind === 'roomCallLocator') {
      const id = str(kind === 'groupCallLocator' ? locator.groupCallId : locator.roomId);
      if (!id) throw badRequest(`'callLocator' needs an id for ${kind}.`);
      call = core.groups.get(id);
      if (!call || call.state === 'disconnected') {
        call = new Call('group');
        call.state = 'connected';
        core.groups.set(id, call);
        core.calls.set(call.serverCallId, call);
      }
    } else {
      throw badRequest(`Unknown call locator kind '${kind}'.`);
    }
    const app = core.newAppIdentity();
    if (!call || call.state === 'disconnected' || call.state === 'ringing') {
      // The connection exists only to carry ConnectFailed, as ACS reports it asynchronously.
      const orphan = new Call(
        'outbound',
        kind === 'serverCallLocator' ? str(locator.serverCallId) : undefined,
      );
      orphan.state = 'disconnected';
      const conn = core.addConnection(
        new Connection(orphan, callbackUri, app, str(body.operationContext), app, []),
      );
      core.scheduler.after(core.opts.connectLatencyMs, () => {
        core.emit(conn, 'ConnectFailed', {
          operationContext: conn.operationContext,
          resultInformation: Results.callNotFound,
        });
        conn.state = 'disconnected';
        conn.media.close();
      });
      return conn;
    }
    const target = call;
    const conn = core.addConnection(
      new Connection(
        target,
        callbackUri,
        app,
        str(body.operationContext),
        app,
        target.humans().map((p) => p.identity),
      ),
    );
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
    const conn = core.connection(id);
    if (conn.state === 'disconnected') throw notEstablished();
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
    const conn = this.core.connection(id);
    if (conn.state === 'disconnected') throw notEstablished();
    this.core.endCall(conn.call, 'terminated by the application');
  }
}
