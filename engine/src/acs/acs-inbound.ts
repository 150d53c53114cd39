import { type CommunicationIdentifier, getIdentifierRawId } from '@azure/communication-common';
import { parseCallAutomationEvent } from '@azure/communication-call-automation';
import {
  ACS_EVENT_TYPES,
  type CallEvent,
  CallEventSchema,
  type CallEventType,
  toneToDigit,
} from '@switchboard/flow';

/**
 * Everything ACS sends the engine, parsed at the edge: Call Automation callbacks (CloudEvents,
 * through the SDK's own parser) and Event Grid deliveries (the validation handshake and
 * IncomingCall). What comes out is checked against the interpreter's event schema, so nothing
 * malformed gets past this file; what cannot be parsed is a MalformedEventError.
 */

const KNOWN_EVENTS = new Set<string>(ACS_EVENT_TYPES);

/** Parsing failed: the body is not a Call Automation callback or Event Grid delivery. */
export class MalformedEventError extends Error {}

export interface ParsedCallback {
  event: CallEvent;
  /** The SDK's name for the event (also for kinds the interpreter does not know). */
  kind: string;
  known: boolean;
}

/**
 * Parses a callback body (the JSON array ACS posts) with the SDK's parser and maps it to the
 * interpreter's CallEvent, keeping the CloudEvent id (which the SDK drops).
 */
export function parseCallback(body: unknown): ParsedCallback {
  if (!Array.isArray(body) || body.length === 0) {
    throw new MalformedEventError('expected a JSON array with one CloudEvent');
  }
  const raw = body[0] as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object') throw new MalformedEventError('not a CloudEvent');
  const id = raw.id;
  const type = raw.type;
  if (typeof id !== 'string' || id === '' || id.length > 200) {
    throw new MalformedEventError('the CloudEvent has no id');
  }
  if (typeof type !== 'string' || !type.startsWith('Microsoft.Communication.')) {
    throw new MalformedEventError('not a Call Automation event type');
  }
  if (!raw.data || typeof raw.data !== 'object') {
    throw new MalformedEventError('the CloudEvent has no data');
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseCallAutomationEvent(body as never) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new MalformedEventError(`unparseable: ${e instanceof Error ? e.message : String(e)}`);
  }
  const kind = typeof parsed.kind === 'string' ? parsed.kind : type.slice(24);
  const event: CallEvent = { id, type: kind as CallEventType };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const oc = str(parsed.operationContext);
  if (oc) event.operationContext = oc;
  const cc = str(parsed.callConnectionId);
  if (cc) event.callConnectionId = cc;
  const sc = str(parsed.serverCallId);
  if (sc) event.serverCallId = sc;
  const co = str(parsed.correlationId);
  if (co) event.correlationId = co;
  const info = parsed.resultInformation as
    { code?: number; subCode?: number; message?: string } | undefined;
  if (info && typeof info === 'object') {
    event.resultInformation = {
      ...(typeof info.code === 'number' ? { code: info.code } : {}),
      ...(typeof info.subCode === 'number' ? { subCode: info.subCode } : {}),
      ...(typeof info.message === 'string' ? { message: info.message } : {}),
    };
  }
  const inv = str(parsed.invitationId);
  if (inv) event.invitationId = inv;
  const dtmf = parsed.dtmfResult as { tones?: unknown[] } | undefined;
  if (dtmf && Array.isArray(dtmf.tones)) {
    event.tones = dtmf.tones.map((t) => toneToDigit(String(t)) || String(t));
  }
  const choice = parsed.choiceResult as { label?: unknown } | undefined;
  if (choice && typeof choice.label === 'string') event.choiceLabel = choice.label;
  if (Array.isArray(parsed.participants)) {
    event.participants = (parsed.participants as Record<string, unknown>[]).flatMap((p) => {
      try {
        const rawId = getIdentifierRawId(p.identifier as CommunicationIdentifier);
        return [
          {
            rawId,
            ...(typeof p.isMuted === 'boolean' ? { isMuted: p.isMuted } : {}),
            ...(typeof p.isOnHold === 'boolean' ? { isOnHold: p.isOnHold } : {}),
          },
        ];
      } catch {
        return [];
      }
    });
  }
  const known = KNOWN_EVENTS.has(kind);
  if (known) {
    // What the interpreter will read, checked once here (ACS adds fields over time: extra
    // ones are fine, wrong types are not).
    const checked = CallEventSchema.safeParse(event);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new MalformedEventError(`${issue?.path.join('.') || 'event'}: ${issue?.message}`);
    }
  }
  return { event, kind, known };
}

interface IdentifierModel {
  rawId?: string;
  kind?: string;
  phoneNumber?: { value?: string };
  communicationUser?: { id?: string };
}

/** E.164 for phone numbers ("4:+1…" or the phoneNumber model), the raw id for everything else. */
function address(id: unknown): string {
  if (!id || typeof id !== 'object') return '';
  const m = id as IdentifierModel;
  const phone = m.phoneNumber?.value;
  if (typeof phone === 'string' && phone) return phone;
  const raw = typeof m.rawId === 'string' ? m.rawId : (m.communicationUser?.id ?? '');
  return raw.startsWith('4:') ? raw.slice(2) : raw;
}

/** An IncomingCall from Event Grid, as the engine starts a run from it. */
export interface IncomingCall {
  /** The Event Grid event id (a redelivery carries the same). */
  id: string;
  from: string;
  to: string;
  callerDisplayName: string;
  correlationId: string;
  serverCallId: string;
  incomingCallContext: string;
}

export type EventGridDelivery =
  | { kind: 'validation'; validationCode: string }
  | {
      kind: 'events';
      /** In order; an event type other than IncomingCall is only named. */
      events: ({ type: 'IncomingCall'; call: IncomingCall } | { type: string })[];
    };

/** An Event Grid delivery (a JSON array of events), or the subscription validation handshake. */
export function parseEventGrid(body: unknown, eventType: string | undefined): EventGridDelivery {
  if (!Array.isArray(body) || body.length === 0) {
    throw new MalformedEventError('Expected a JSON array of Event Grid events');
  }
  const events = body as { id?: unknown; eventType?: unknown; data?: Record<string, unknown> }[];
  const validation = events.find(
    (e) => e?.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent',
  );
  if (validation || eventType === 'SubscriptionValidation') {
    const code = validation?.data?.validationCode;
    if (typeof code !== 'string') {
      throw new MalformedEventError('Validation event without validationCode');
    }
    return { kind: 'validation', validationCode: code };
  }
  const out: Extract<EventGridDelivery, { kind: 'events' }>['events'] = [];
  for (const e of events) {
    if (!e || typeof e !== 'object' || typeof e.eventType !== 'string') {
      throw new MalformedEventError('Every event needs an eventType');
    }
  }
  for (const e of events) {
    const type = String(e.eventType).replace(/^Microsoft\.\w+\./, '');
    if (e.eventType !== 'Microsoft.Communication.IncomingCall') {
      out.push({ type });
      continue;
    }
    const data = e.data;
    const id = typeof e.id === 'string' ? e.id : '';
    const context = data?.incomingCallContext;
    if (!data || !id || typeof context !== 'string' || !context) {
      throw new MalformedEventError('IncomingCall without id, data or incomingCallContext');
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    out.push({
      type: 'IncomingCall',
      call: {
        id,
        from: address(data.from),
        to: address(data.to),
        callerDisplayName: text(data.callerDisplayName),
        correlationId: text(data.correlationId),
        serverCallId: text(data.serverCallId),
        incomingCallContext: context,
      },
    });
  }
  return { kind: 'events', events: out };
}
