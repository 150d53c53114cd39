/**
 * The glue between a call and the media sessions of its connections. media.ts knows how one
 * connection plays prompts and recognizes input; this file says what that session may see of
 * the call (who is in it, whose scripts wake on a prompt, where its events and timeline entries
 * go) and carries what a person presses or says to every connection still listening.
 */
import type { Call, Connection } from './call-entities.js';
import type { CallCore } from './call-core.js';
import { cognitiveServicesLink } from './cognitive-services.js';
import { MediaSession } from './media.js';

export function createMediaSession(core: CallCore, conn: Connection): MediaSession {
  const call = conn.call;
  return new MediaSession({
    scheduler: core.scheduler,
    timing: core.opts.media,
    emit: (type, data, uri) => core.emit(conn, type, data, uri),
    isParticipant: (rawId) => call.participants.get(rawId)?.inCall === true,
    notifyScripts: (event, target) => {
      for (const p of call.participants.values()) {
        if (p.script && (event === 'play' || p.identity.rawId === target)) p.script.notify(event);
      }
    },
    record: (detail) => core.record(call, { kind: 'media', callConnectionId: conn.id, ...detail }),
    injected: (operation) => core.injected(call, operation),
    cognitiveServices: () =>
      cognitiveServicesLink(
        conn.extra.cognitiveServicesEndpoint,
        core.opts.cognitiveServicesEndpoints,
      ),
  });
}

/** Every application connected to the call hears the tone. */
export function deliverTone(call: Call, rawId: string, tone: string): void {
  for (const conn of call.connections.values()) {
    if (conn.state !== 'disconnected') conn.media.tone(rawId, tone);
  }
}

export function deliverSpeech(call: Call, rawId: string, text: string, confidence?: number): void {
  for (const conn of call.connections.values()) {
    if (conn.state !== 'disconnected') conn.media.speech(rawId, text, confidence);
  }
}
