/**
 * The people's side of a call: what a simulated caller or callee does, whether a test asks for
 * it through the control API (press 1, say "sales", hang up) or the person's script does it on
 * its own. Both go through the same actions, so a scripted call and a hand-driven one behave
 * the same way for the application.
 */
import type { Call, Participant } from './call-entities.js';
import type { CallCore } from './call-core.js';
import { deliverSpeech, deliverTone } from './call-media.js';
import type { ScriptHost } from './caller-script.js';
import type { ScriptStep } from './endpoints.js';
import { Results, badRequest } from './errors.js';
import { parseIdentityString, parseTones } from './identifiers.js';
import type { Scheduler } from './scheduler.js';

export class Caller implements ScriptHost {
  constructor(private readonly core: CallCore) {}

  get scheduler(): Scheduler {
    return this.core.scheduler;
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

  dtmf(serverCallId: string, tones: unknown, participant?: string, gapMs?: number): number {
    const call = this.core.getCall(serverCallId);
    return this.pressTones(
      call,
      this.person(call, participant).identity.rawId,
      parseTones(tones),
      gapMs,
    );
  }

  speech(serverCallId: string, text: string, participant?: string, confidence?: number): void {
    const call = this.core.getCall(serverCallId);
    this.say(call, this.person(call, participant).identity.rawId, text, confidence);
  }

  hangup(serverCallId: string, participant?: string): void {
    const call = this.core.getCall(serverCallId);
    if (call.state === 'disconnected') throw badRequest('The call has already ended.');
    this.hangupPerson(call, this.person(call, participant).identity.rawId);
  }

  perform(call: Call, rawId: string, step: ScriptStep): number {
    if (step.dtmf !== undefined)
      return this.pressTones(call, rawId, parseTones(step.dtmf), step.gapMs);
    if (step.say !== undefined) this.say(call, rawId, step.say, step.confidence);
    if (step.hangup) this.hangupPerson(call, rawId);
    return 0;
  }

  private pressTones(call: Call, rawId: string, tones: string[], gapMs = 100): number {
    this.core.record(call, { kind: 'caller', rawId, dtmf: tones });
    tones.forEach((tone, i) => {
      const press = () => deliverTone(call, rawId, tone);
      if (i === 0) press();
      else this.core.after(call, i * gapMs, press);
    });
    return (tones.length - 1) * gapMs;
  }

  private say(call: Call, rawId: string, text: string, confidence?: number): void {
    this.core.record(call, {
      kind: 'caller',
      rawId,
      say: text,
      ...(confidence !== undefined ? { confidence } : {}),
    });
    deliverSpeech(call, rawId, text, confidence);
  }

  private hangupPerson(call: Call, rawId: string): void {
    const { core } = this;
    const p = call.participants.get(rawId);
    core.record(call, { kind: 'caller', rawId, hangup: true });
    if (call.state === 'ringing') {
      if (call.incoming) call.incoming.outcome = 'abandoned';
      core.endCall(call, 'caller hung up before an answer');
      return;
    }
    if (!p || p.state === 'disconnected') return;
    if (call.state === 'connecting' && call.incoming) {
      // Answered, not yet connected: the answer fails rather than the call being hung up.
      core.endCall(call, 'caller hung up before the call connected', Results.callerCanceled);
      return;
    }
    core.leave(call, p);
    core.afterDeparture(call, [p], 'hangup');
  }
}
