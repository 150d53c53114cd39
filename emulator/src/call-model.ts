/**
 * The one object the REST API, the control API and the server talk to. The call model's
 * concerns live in their own files (entities, the shared core, lifecycle, participants, media
 * glue, the caller's side, scripts); this facade keeps the surface they had when they were one
 * class, so callers need not know how the work is divided.
 */
import type { CallbackEventType } from './api-registry.js';
import type { Call, Connection, Participant } from './call-entities.js';
import { CallCore, type CallModelDeps } from './call-core.js';
import { CallLifecycle, type PlacedCallInput } from './call-lifecycle.js';
import { Caller } from './caller.js';
import type { ScriptStep } from './endpoints.js';
import { badRequest } from './errors.js';
import type { InjectedResult } from './injections.js';
import { ParticipantMover } from './participant-move.js';
import { Participants } from './participants.js';
import type { Scheduler } from './scheduler.js';

export {
  Call,
  Connection,
  Participant,
  type CallModelOptions,
  type CallState,
  type ConnectionState,
  type ParticipantState,
} from './call-entities.js';
export type { CallModelDeps } from './call-core.js';

/**
 * Calls, connections and participants, and what the simulated endpoints do. Every REST action
 * lands here after validation of its envelope; every callback and Event Grid event starts here.
 */
export class CallModel {
  private readonly core: CallCore;
  private readonly lifecycle: CallLifecycle;
  private readonly people: Participants;
  private readonly caller: Caller;
  private readonly mover: ParticipantMover;

  constructor(deps: CallModelDeps) {
    this.core = new CallCore(deps);
    this.caller = new Caller(this.core);
    this.core.scripts = this.caller;
    this.people = new Participants(this.core);
    this.lifecycle = new CallLifecycle(this.core, this.people);
    this.mover = new ParticipantMover(this.core);
  }

  get calls(): Map<string, Call> {
    return this.core.calls;
  }

  get scheduler(): Scheduler {
    return this.core.scheduler;
  }

  /** Sends a callback for a connection; operation events may go to an operationCallbackUri. */
  emit(
    conn: Connection,
    type: CallbackEventType,
    data: Record<string, unknown>,
    uri?: string,
  ): void {
    this.core.emit(conn, type, data, uri);
  }

  endCall(call: Call, reason: string): void {
    this.core.endCall(call, reason);
  }

  // --- control API: the caller's side -----------------------------------------------------

  placeCall(input: PlacedCallInput): Call {
    return this.lifecycle.placeCall(input);
  }

  getCall(serverCallId: string): Call {
    return this.core.getCall(serverCallId);
  }

  callerDtmf(serverCallId: string, tones: unknown, participant?: string, gapMs?: number): number {
    return this.caller.dtmf(serverCallId, tones, participant, gapMs);
  }

  callerSpeech(
    serverCallId: string,
    text: string,
    participant?: string,
    confidence?: number,
  ): void {
    this.caller.speech(serverCallId, text, participant, confidence);
  }

  callerHangup(serverCallId: string, participant?: string): void {
    this.caller.hangup(serverCallId, participant);
  }

  /** Runs one script step; returns how long it keeps the endpoint busy (emulated ms). */
  perform(call: Call, rawId: string, step: ScriptStep): number {
    return this.caller.perform(call, rawId, step);
  }

  // --- control API: result injection -----------------------------------------------------

  /** Queues a failure for the next operation(s) of a kind; a serverCallId limits it to that call. */
  injectResult(injection: InjectedResult): InjectedResult {
    if (injection.serverCallId !== undefined) {
      const call = this.core.getCall(injection.serverCallId);
      if (call.state === 'disconnected') throw badRequest('The call has already ended.');
      if (injection.operation === 'createCall') {
        throw badRequest(
          "'createCall' starts a new call: inject it for the resource (POST /emulator/results).",
        );
      }
      this.core.record(call, { kind: 'injection', ...injection });
    } else {
      this.core.deps.monitor.record(undefined, { kind: 'injection', ...injection });
    }
    return this.core.injections.add(injection);
  }

  injectedResults(): InjectedResult[] {
    return this.core.injections.list();
  }

  clearInjectedResults(): void {
    this.core.injections.clear();
  }

  // --- REST: calls ------------------------------------------------------------------------

  /** A connection the REST API may act on: unknown or ended ones are 404 8522. */
  connection(id: string): Connection {
    return this.core.live(id);
  }

  /** A connection in any state (the timeline of requests made after it ended). */
  findConnection(id: string): Connection | undefined {
    return this.core.connections.get(id);
  }

  /** Mid-call actions need an established connection. */
  established(id: string): Connection {
    return this.core.established(id);
  }

  createCall(body: Record<string, unknown>): Connection {
    return this.lifecycle.createCall(body);
  }

  answerCall(body: Record<string, unknown>): Connection {
    return this.lifecycle.answerCall(body);
  }

  /** The call an incomingCallContext belongs to (for the timeline), if any. */
  callForContext(context: unknown): Call | undefined {
    return this.lifecycle.callForContext(context);
  }

  rejectCall(body: Record<string, unknown>): Call {
    return this.lifecycle.rejectCall(body);
  }

  redirectCall(body: Record<string, unknown>): Call {
    return this.lifecycle.redirectCall(body);
  }

  connectCall(body: Record<string, unknown>): Connection {
    return this.lifecycle.connectCall(body);
  }

  /** DELETE: the app leaves; in a 1:1 call that ends the call for the other person too. */
  hangUp(id: string): void {
    this.lifecycle.hangUp(id);
  }

  terminate(id: string): void {
    this.lifecycle.terminate(id);
  }

  transfer(id: string, body: Record<string, unknown>): { operationContext?: string } {
    return this.people.transfer(id, body);
  }

  // --- REST: participants -----------------------------------------------------------------

  addParticipant(id: string, body: Record<string, unknown>) {
    return this.people.addParticipant(id, body);
  }

  cancelAddParticipant(id: string, body: Record<string, unknown>) {
    return this.people.cancelAddParticipant(id, body);
  }

  removeParticipant(id: string, body: Record<string, unknown>) {
    return this.people.removeParticipant(id, body);
  }

  moveParticipants(id: string, body: Record<string, unknown>) {
    return this.mover.moveHere(id, body);
  }

  mute(id: string, body: Record<string, unknown>) {
    return this.people.mute(id, body);
  }

  hold(id: string, body: Record<string, unknown>, onHold: boolean): void {
    this.people.hold(id, body, onHold);
  }

  sendDtmf(id: string, body: Record<string, unknown>) {
    return this.people.sendDtmf(id, body);
  }

  participants(id: string): ReturnType<Participant['toModel']>[] {
    return this.people.list(id);
  }

  participant(id: string, rawId: string) {
    return this.people.get(id, rawId);
  }

  close(): void {
    this.core.close();
  }
}
