/**
 * participants:moveHere — people move from another call of the resource into this one. The
 * lobby pattern: a lobby app answers the caller and keeps them waiting in call A; the agent
 * app, connected to the agent in call B, moves the caller into B. `fromCall` is the call
 * connection id of call A (the spec's and the SDK's reading), whichever application holds it.
 *
 * The move itself happens after the 202: MoveParticipantSucceeded or MoveParticipantFailed
 * per person on the moving connection, ParticipantsUpdated on both calls, and call A ends
 * when nobody is left in it.
 */
import type { Connection, Participant } from './call-entities.js';
import type { CallCore } from './call-core.js';
import { Results, badRequest } from './errors.js';
import type { ResultInformation } from './errors.js';
import { type Identity, toModel } from './identifiers.js';
import { MoveParticipantsBody, parseBody } from './rest-schemas.js';

export class ParticipantMover {
  constructor(private readonly core: CallCore) {}

  moveHere(id: string, body: Record<string, unknown>) {
    const { core } = this;
    const conn = core.established(id);
    const b = parseBody(MoveParticipantsBody, body);
    const from = core.connections.get(b.fromCall);
    if (from?.call === conn.call) {
      throw badRequest("'fromCall' is this call: people can only be moved in from another call.");
    }
    const injected = core.injected(conn.call, 'moveParticipants');
    core.after(conn.call, core.opts.connectLatencyMs / 4, () =>
      this.move(
        conn,
        from,
        b.targetParticipants,
        injected,
        b.operationContext,
        b.operationCallbackUri,
      ),
    );
    const source = from?.call;
    return {
      participants: b.targetParticipants.map(
        (t) =>
          source?.participants.get(t.rawId)?.toModel() ?? {
            identifier: toModel(t),
            isMuted: false,
            isOnHold: false,
          },
      ),
      operationContext: b.operationContext,
      fromCall: b.fromCall,
    };
  }

  private move(
    conn: Connection,
    from: Connection | undefined,
    targets: Identity[],
    injected: ResultInformation | undefined,
    operationContext: string | undefined,
    uri: string | undefined,
  ): void {
    const { core } = this;
    if (conn.state !== 'connected') return;
    const fromCall = from?.id;
    // An ended connection is as unknown as none: ACS no longer knows that call leg.
    const source =
      from && from.state !== 'disconnected' && from.call.state !== 'disconnected'
        ? from.call
        : undefined;
    const moved: Participant[] = [];
    for (const target of targets) {
      const data = { operationContext, participant: toModel(target), fromCall };
      const p = source?.participants.get(target.rawId);
      const failure =
        injected ??
        (!source ? Results.callNotFound : undefined) ??
        (!p?.inCall || p.isApp ? Results.participantNotFound : undefined);
      if (failure || !source || !p) {
        const resultInformation = failure ?? Results.participantNotFound;
        core.emit(conn, 'MoveParticipantFailed', { ...data, resultInformation }, uri);
        continue;
      }
      // The person keeps their script: what they do next, they do in the call they join.
      const script = p.script;
      p.script = undefined;
      core.leave(source, p);
      core.record(source, {
        kind: 'participant',
        rawId: target.rawId,
        movedTo: conn.call.serverCallId,
      });
      core.join(conn.call, target, false, script);
      core.record(conn.call, {
        kind: 'participant',
        rawId: target.rawId,
        movedFrom: source.serverCallId,
      });
      core.emit(conn, 'MoveParticipantSucceeded', { ...data, resultInformation: Results.ok }, uri);
      moved.push(p);
    }
    if (moved.length === 0 || !source) return;
    core.participantsUpdated(conn.call);
    core.afterDeparture(source, moved, 'moved');
  }
}
