import { badRequest } from './errors.js';

export type IdentityKind = 'phoneNumber' | 'communicationUser' | 'microsoftTeamsUser' | 'unknown';

/** An endpoint in the emulator; keyed everywhere by its raw id (`4:+1555…`, `8:acs:…`). */
export interface Identity {
  kind: IdentityKind;
  rawId: string;
  /** E.164 number for phones, the user id for ACS/Teams users. */
  value: string;
}

/** Wire shape in call-connection bodies and callbacks: kind + rawId + nested object. */
export type IdentifierModel =
  | { kind: 'phoneNumber'; rawId: string; phoneNumber: { value: string } }
  | { kind: 'communicationUser'; rawId: string; communicationUser: { id: string } }
  | {
      kind: 'microsoftTeamsUser';
      rawId: string;
      microsoftTeamsUser: { userId: string; isAnonymous: boolean; cloud: string };
    }
  | { kind: 'unknown'; rawId: string };

const E164 = /^\+[1-9]\d{1,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

export function phone(value: string): Identity {
  if (!isE164(value)) throw badRequest(`Invalid phone number '${value}': expected E.164.`);
  return { kind: 'phoneNumber', rawId: `4:${value}`, value };
}

export function acsUser(id: string): Identity {
  return { kind: 'communicationUser', rawId: id, value: id };
}

/** Accepts "+15551234567", "4:+15551234567", "8:acs:…" (control API and CLI inputs). */
export function parseIdentityString(input: string): Identity {
  const s = input.trim();
  if (s.startsWith('+')) return phone(s);
  if (s.startsWith('4:')) return phone(s.slice(2));
  if (/^8:(acs|spool|dod-acs|gcch-acs):/.test(s)) return acsUser(s);
  if (s.startsWith('8:orgid:') || s.startsWith('8:teamsvisitor:')) {
    return { kind: 'microsoftTeamsUser', rawId: s, value: s.split(':').slice(2).join(':') };
  }
  throw badRequest(`Unrecognised identifier '${input}'.`);
}

/** Reads any identifier the SDK sends (with or without `kind`), validating phone numbers. */
export function parseIdentifierModel(model: unknown, field: string): Identity {
  if (!model || typeof model !== 'object') throw badRequest(`'${field}' is required.`);
  const m = model as Record<string, unknown>;
  const pn = m.phoneNumber as { value?: unknown } | undefined;
  if (pn && typeof pn === 'object') {
    if (typeof pn.value !== 'string') throw badRequest(`'${field}.phoneNumber.value' is required.`);
    return phone(pn.value);
  }
  const cu = m.communicationUser as { id?: unknown } | undefined;
  if (cu && typeof cu === 'object' && typeof cu.id === 'string') return acsUser(cu.id);
  const tu = m.microsoftTeamsUser as { userId?: unknown } | undefined;
  if (tu && typeof tu === 'object' && typeof tu.userId === 'string') {
    const rawId = typeof m.rawId === 'string' ? m.rawId : `8:orgid:${tu.userId}`;
    return { kind: 'microsoftTeamsUser', rawId, value: tu.userId };
  }
  if (typeof m.rawId === 'string' && m.rawId) return parseIdentityString(m.rawId);
  if (typeof m.id === 'string' && m.id) return parseIdentityString(m.id);
  throw badRequest(`'${field}' is not a valid communication identifier.`);
}

export function toModel(id: Identity): IdentifierModel {
  switch (id.kind) {
    case 'phoneNumber':
      return { kind: 'phoneNumber', rawId: id.rawId, phoneNumber: { value: id.value } };
    case 'communicationUser':
      return { kind: 'communicationUser', rawId: id.rawId, communicationUser: { id: id.value } };
    case 'microsoftTeamsUser':
      return {
        kind: 'microsoftTeamsUser',
        rawId: id.rawId,
        microsoftTeamsUser: { userId: id.value, isAnonymous: false, cloud: 'public' },
      };
    default:
      return { kind: 'unknown', rawId: id.rawId };
  }
}

/** `answeredBy` / `source` on call properties: only the communication user model `{id}`. */
export function toUserModel(id: Identity): { id: string } {
  return { id: id.rawId };
}

const toneNames: Record<string, string> = {
  '0': 'zero',
  '1': 'one',
  '2': 'two',
  '3': 'three',
  '4': 'four',
  '5': 'five',
  '6': 'six',
  '7': 'seven',
  '8': 'eight',
  '9': 'nine',
  '#': 'pound',
  '*': 'asterisk',
  A: 'a',
  B: 'b',
  C: 'c',
  D: 'd',
};
const allTones = new Set(Object.values(toneNames));

/** "12#" or ["one","two","pound"] → wire tone names. */
export function parseTones(input: unknown): string[] {
  const list = Array.isArray(input)
    ? input.map(String)
    : typeof input === 'string'
      ? [...input.replace(/\s+/g, '')]
      : null;
  if (!list || list.length === 0) throw badRequest("'tones' must be a digit string or an array.");
  return list.map((t) => {
    const lower = t.toLowerCase();
    if (allTones.has(lower)) return lower;
    const named = toneNames[t.toUpperCase()];
    if (!named) throw badRequest(`Invalid DTMF tone '${t}'.`);
    return named;
  });
}
