/**
 * Who is in a call and how they got there: ringing a simulated endpoint (the invitation every
 * add, transfer, redirect and outbound call goes through), adding, cancelling, removing and
 * transferring participants, mute, hold and the DTMF an application sends to someone. The
 * outcome of each invitation comes from the endpoint's behaviour — or, when the target is one of
 * the resource's own numbers or users, from the application that answers, rejects or redirects
 * the IncomingCall it raises. This is where "the agent is busy" or "the transfer target never
 * answers" is decided.
 */
import { randomUUID } from 'node:crypto';
import type {
  Call,
  Connection,
  CustomContext,
  IncomingOffer,
  Invite,
  InviteOutcome,
  Participant,
} from './call-entities.js';
import type { CallCore } from './call-core.js';
import type { EndpointBehaviour } from './endpoints.js';
import { AcsHttpError, Results, badRequest } from './errors.js';
import type { ResultInformation } from './errors.js';
import { type Identity, phone, toModel } from './identifiers.js';
import { openOffer, routesToApps } from './incoming-offer.js';
import {
  AddParticipantBody,
  AddParticipantHead,
  CancelAddParticipantBody,
  HoldBody,
  HoldOptionsBody,
  MuteBody,
  RemoveParticipantBody,
  SendDtmfBody,
  SendDtmfHead,
  TransferBody,
  TransferHead,
  parseBody,
} from './rest-schemas.js';

export const outcomeResult: Record<string, ResultInformation> = {
  decline: Results.declined,
  busy: Results.busy,
  noAnswer: Results.noAnswer,
  forbidden: Results.forbidden,
};

/** One invitation: whom it rings, and what the invitee is shown of who is calling. */
export interface InviteRequest {
  kind: Invite['kind'];
  target: Identity;
  timeoutMs: number;
  /** The connection whose action it is (none for a redirect before an answer). */
  connection?: Connection;
  /** Who calls: the caller id, the app, the transferee or the original caller. */
  from: Identity;
  /** The sourceCallerIdNumber the action presented, if any. */
  callerIdNumber?: string;
  displayName?: string;
  customContext?: CustomContext;
}

const hasHeaders = (c?: CustomContext) =>
  c !== undefined &&
  (Object.keys(c.sipHeaders).length > 0 || Object.keys(c.voipHeaders).length > 0);

export class Participants {
  constructor(private readonly core: CallCore) {}

  /**
   * Rings the target. A simulated endpoint answers after its ring time (accept/decline), at
   * once-ish (busy), or when the invitation times out (noAnswer, or a ring longer than it). The
   * resource's own number or user is offered to its applications instead (IncomingCall); the
   * one that answers joins this call, a rejection or a redirect decides it, silence times out.
   */
  invite(
    call: Call,
    req: InviteRequest,
    onOutcome: (outcome: InviteOutcome, inv: Invite) => void,
  ): Invite {
    const { core } = this;
    const { kind, target, timeoutMs, connection } = req;
    const inv: Invite = { id: randomUUID(), target, kind, connection, timers: [], settled: false };
    call.invites.set(inv.id, inv);
    const toApps = routesToApps(core, req.from, target);
    core.record(call, {
      kind: 'participant',
      rawId: target.rawId,
      state: 'ringing',
      invite: kind,
      from: req.from.rawId,
      ...(req.callerIdNumber ? { callerId: req.callerIdNumber } : {}),
      ...(req.displayName ? { displayName: req.displayName } : {}),
      ...(hasHeaders(req.customContext) ? { customContext: req.customContext } : {}),
      ...(toApps ? { offeredTo: 'resource' } : {}),
    });
    let offer: IncomingOffer | undefined;
    const settle = (outcome: InviteOutcome, answeredBy?: Connection) => {
      if (inv.settled || call.state === 'disconnected') return;
      core.settleInvite(inv);
      call.invites.delete(inv.id);
      if (offer && !offer.outcome) offer.outcome = 'abandoned';
      if (answeredBy) inv.answeredBy = answeredBy;
      core.record(call, { kind: 'participant', rawId: target.rawId, outcome, invite: kind });
      onOutcome(outcome, inv);
    };
    const stopTimers = () => {
      for (const t of inv.timers) t.cancel();
      inv.timers.length = 0;
    };
    if (toApps) {
      offer = openOffer(core, call, {
        from: req.from,
        to: target,
        callerDisplayName: req.displayName,
        customContext: req.customContext,
        ring: {
          invite: inv,
          hold: (answeredBy) => {
            inv.answeredBy = answeredBy;
            stopTimers();
          },
          settle,
          redirect: (to) => {
            stopTimers();
            const timeout = core.opts.defaultInvitationTimeoutSeconds * 1000;
            this.invite(call, { ...req, target: to, timeoutMs: timeout }, (o, inner) => {
              inv.redirectedTo = inner.redirectedTo ?? to;
              settle(o, inner.answeredBy);
            });
          },
        },
      });
    } else {
      const b: EndpointBehaviour = core.behaviour(call, target.rawId);
      const delay = b.onInvite === 'busy' ? Math.min(b.ringMs, 100) : b.ringMs;
      if (b.onInvite !== 'noAnswer' && delay < timeoutMs) {
        inv.timers.push(core.after(call, delay, () => settle(b.onInvite)));
      }
    }
    inv.timers.push(core.after(call, timeoutMs, () => settle('noAnswer')));
    return inv;
  }

  transfer(id: string, body: Record<string, unknown>): { operationContext?: string } {
    const { core } = this;
    const conn = core.established(id);
    const call = conn.call;
    const head = parseBody(TransferHead, body);
    const target = head.targetParticipant;
    const humans = call.humans();
    let transferee: Identity | undefined;
    if (head.transferee) {
      transferee = head.transferee;
      if (!call.participants.get(transferee.rawId)?.inCall) {
        throw badRequest(`Transferee '${transferee.rawId}' is not in the call.`, '8519');
      }
    } else if (humans.length === 1) {
      transferee = humans[0]!.identity;
    } else {
      throw badRequest("'transferee' is required when the call has more than one participant.");
    }
    const b = parseBody(TransferBody, body);
    const { operationContext, operationCallbackUri: uri } = b;
    core.deps.resource.numbers.requireCallerId(b.sourceCallerIdNumber);
    conn.state = 'transferring';
    const injected = core.injected(call, 'transfer');
    if (injected) {
      core.after(call, core.opts.connectLatencyMs, () => {
        conn.state = 'connected';
        core.emit(
          conn,
          'CallTransferFailed',
          { operationContext, resultInformation: injected },
          uri,
        );
      });
      return { operationContext };
    }
    const original = call.incoming;
    this.invite(
      call,
      {
        kind: 'transfer',
        target,
        timeoutMs: core.opts.defaultInvitationTimeoutSeconds * 1000,
        connection: conn,
        from: transferee,
        callerIdNumber: b.sourceCallerIdNumber,
        // The transferee keeps the name it called in with.
        displayName:
          original?.from.rawId === transferee.rawId ? original.callerDisplayName : undefined,
        customContext: b.customCallingContext,
      },
      (outcome, inv) => {
        if (outcome !== 'accept') {
          conn.state = 'connected';
          core.emit(
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
        core.emit(
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
        core.joinInvitee(call, inv);
        // A transfer hands the call over: the application's leg ends.
        core.disconnect(conn, Results.transferCompleted);
        if (humans.length > 1) core.participantsUpdated(call);
      },
    );
    return { operationContext };
  }

  addParticipant(id: string, body: Record<string, unknown>) {
    const { core } = this;
    const conn = core.established(id);
    const call = conn.call;
    const target = parseBody(AddParticipantHead, body).participantToAdd;
    if (call.participants.get(target.rawId)?.inCall) {
      throw badRequest(`'${target.rawId}' is already in the call.`, '8523');
    }
    // The configured default is held to the same range as a timeout the app sends.
    const b = parseBody(AddParticipantBody, {
      ...body,
      invitationTimeoutInSeconds:
        body.invitationTimeoutInSeconds ?? core.opts.defaultInvitationTimeoutSeconds,
    });
    const timeout = b.invitationTimeoutInSeconds;
    const { operationContext, operationCallbackUri: uri } = b;
    core.deps.resource.numbers.requireCallerId(b.sourceCallerIdNumber);
    if (target.kind === 'phoneNumber' && call.roomId !== undefined) {
      const room = core.deps.resource.rooms.get(call.roomId);
      if (!room?.pstnDialOutEnabled) {
        throw new AcsHttpError(
          403,
          'Forbidden',
          `PSTN dial-out is not enabled in room '${call.roomId}' (pstnDialOutEnabled is false).`,
        );
      }
    }
    const injected = core.injected(call, 'addParticipant');
    if (injected) {
      core.after(call, core.opts.connectLatencyMs / 4, () => {
        if (conn.state === 'disconnected') return;
        core.emit(
          conn,
          'AddParticipantFailed',
          { operationContext, participant: toModel(target), resultInformation: injected },
          uri,
        );
        core.participantsUpdated(call, conn);
      });
      const participant = { identifier: toModel(target), isMuted: false, isOnHold: false };
      return { participant, operationContext, invitationId: randomUUID() };
    }
    const inv = this.invite(
      call,
      {
        kind: 'add',
        target,
        timeoutMs: timeout * 1000,
        connection: conn,
        from: b.sourceCallerIdNumber ? phone(b.sourceCallerIdNumber) : conn.app,
        callerIdNumber: b.sourceCallerIdNumber,
        displayName: b.sourceDisplayName,
        customContext: b.customCallingContext,
      },
      (outcome, inv) => {
        if (conn.state === 'disconnected') return;
        if (outcome === 'accept') {
          core.joinInvitee(call, inv);
          core.emit(
            conn,
            'AddParticipantSucceeded',
            { operationContext, participant: toModel(target), resultInformation: Results.addOk },
            uri,
          );
          core.participantsUpdated(call);
        } else {
          core.emit(
            conn,
            'AddParticipantFailed',
            {
              operationContext,
              participant: toModel(target),
              resultInformation: outcomeResult[outcome],
            },
            uri,
          );
          core.participantsUpdated(call, conn);
        }
      },
    );
    return {
      participant: { identifier: toModel(target), isMuted: false, isOnHold: false },
      operationContext,
      invitationId: inv.id,
    };
  }

  cancelAddParticipant(id: string, body: Record<string, unknown>) {
    const { core } = this;
    const conn = core.established(id);
    const {
      invitationId,
      operationContext,
      operationCallbackUri: uri,
    } = parseBody(CancelAddParticipantBody, body);
    const inv = conn.call.invites.get(invitationId);
    const data = { operationContext, invitationId };
    const injected = core.injected(conn.call, 'cancelAddParticipant');
    core.scheduler.after(core.opts.connectLatencyMs / 4, () => {
      if (injected) {
        core.emit(
          conn,
          'CancelAddParticipantFailed',
          { ...data, resultInformation: injected },
          uri,
        );
      } else if (inv && !inv.settled && inv.kind === 'add' && !inv.answeredBy) {
        core.settleInvite(inv);
        conn.call.invites.delete(invitationId);
        core.record(conn.call, {
          kind: 'participant',
          rawId: inv.target.rawId,
          outcome: 'canceled',
        });
        core.emit(
          conn,
          'CancelAddParticipantSucceeded',
          { ...data, resultInformation: Results.ok },
          uri,
        );
      } else {
        core.emit(
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
    const { core } = this;
    const conn = core.established(id);
    const call = conn.call;
    const {
      participantToRemove: target,
      operationContext,
      operationCallbackUri: uri,
    } = parseBody(RemoveParticipantBody, body);
    const injected = core.injected(call, 'removeParticipant');
    core.scheduler.after(core.opts.connectLatencyMs / 4, () => {
      if (conn.state === 'disconnected') return;
      const p = call.participants.get(target.rawId);
      if (injected || !p?.inCall || p.isApp) {
        core.emit(
          conn,
          'RemoveParticipantFailed',
          {
            operationContext,
            participant: toModel(target),
            resultInformation: injected ?? Results.participantNotFound,
          },
          uri,
        );
        return;
      }
      core.leave(call, p);
      core.emit(
        conn,
        'RemoveParticipantSucceeded',
        { operationContext, participant: toModel(target), resultInformation: Results.ok },
        uri,
      );
      core.afterDeparture(call, [p], 'removed');
    });
    return { operationContext };
  }

  private inCallParticipant(conn: Connection, id: Identity): Participant {
    const p = conn.call.participants.get(id.rawId);
    if (!p?.inCall) throw badRequest(`Participant '${id.rawId}' is not in the call.`, '8519');
    return p;
  }

  mute(id: string, body: Record<string, unknown>) {
    const conn = this.core.established(id);
    const b = parseBody(MuteBody, body);
    const target = b.targetParticipants[0];
    // ACS mutes Communication Services users only (not phones, not Teams users).
    if (target.kind !== 'communicationUser') {
      throw badRequest(
        `Invalid TargetParticipants in request: only Communication Services users can be muted, '${target.rawId}' is a ${target.kind} participant.`,
        '8523',
      );
    }
    const p = this.inCallParticipant(conn, target);
    if (!p.isMuted) {
      p.isMuted = true;
      this.core.participantsUpdated(conn.call);
    }
    return { operationContext: b.operationContext };
  }

  hold(id: string, body: Record<string, unknown>, onHold: boolean): void {
    const { core } = this;
    const conn = core.established(id);
    const p = this.inCallParticipant(conn, parseBody(HoldBody, body).targetParticipant);
    const rawId = p.identity.rawId;
    if (onHold) {
      const o = parseBody(HoldOptionsBody, body);
      const failure =
        core.injected(conn.call, 'hold') ??
        (o.playSourceInfo
          ? conn.media.startHoldMusic(rawId, o.playSourceInfo, o.operationContext)
          : undefined);
      if (failure) {
        // Accepted (200), then reported: the music is fetched after the request returns.
        core.after(conn.call, core.opts.connectLatencyMs / 4, () =>
          core.emit(
            conn,
            'HoldFailed',
            { operationContext: o.operationContext, resultInformation: failure },
            o.operationCallbackUri,
          ),
        );
        return;
      }
    } else {
      conn.media.stopHoldMusic(rawId);
    }
    if (p.isOnHold !== onHold) {
      p.isOnHold = onHold;
      this.core.setParticipant(conn.call, p, onHold ? 'hold' : 'connected');
      this.core.participantsUpdated(conn.call);
    }
  }

  sendDtmf(id: string, body: Record<string, unknown>) {
    const { core } = this;
    const conn = core.established(id);
    const p = this.inCallParticipant(conn, parseBody(SendDtmfHead, body).targetParticipant);
    const { tones, operationContext, operationCallbackUri: uri } = parseBody(SendDtmfBody, body);
    conn.media.sendTones(p.identity.rawId, tones.length, operationContext, uri);
    return { operationContext };
  }

  list(id: string): ReturnType<Participant['toModel']>[] {
    return this.core
      .live(id)
      .call.visible()
      .map((p) => p.toModel());
  }

  get(id: string, rawId: string) {
    const conn = this.core.live(id);
    const p = conn.call.participants.get(rawId);
    if (!p?.inCall) throw new AcsHttpError(404, '8519', 'Participant not found.');
    return p.toModel();
  }
}
