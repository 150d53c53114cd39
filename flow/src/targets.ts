import { parsePhoneNumber } from 'awesome-phonenumber';
/** Call targets are stored in configs as one string; these are the three spellings ACS accepts. */
export type ParsedTarget =
  | { kind: 'phoneNumber'; phoneNumber: string }
  | { kind: 'communicationUser'; id: string }
  | { kind: 'microsoftTeamsUser'; id: string };

export const E164 = /^\+[1-9]\d{1,14}$/;
// ACS raw ids: "8:acs:<resource>_<user>"; Teams users "8:orgid:<aad object id>".
const ACS_USER = /^8:acs:[^\s]+$/;
const TEAMS_USER = /^8:orgid:[^\s]+$/;

export function isPhoneNumber(s: string): boolean {
  return E164.test(s);
}

export function parseTarget(s: string): ParsedTarget | null {
  if (E164.test(s)) return { kind: 'phoneNumber', phoneNumber: s };
  // ACS also writes phone numbers as raw ids ("4:+1425..."); accept them for events and configs.
  if (s.startsWith('4:') && E164.test(s.slice(2)))
    return { kind: 'phoneNumber', phoneNumber: s.slice(2) };
  if (ACS_USER.test(s)) return { kind: 'communicationUser', id: s };
  if (TEAMS_USER.test(s)) return { kind: 'microsoftTeamsUser', id: s };
  return null;
}

/** The raw id ACS uses for a target (what ParticipantsUpdated reports), or null for a bad target. */
export function targetRawId(s: string): string | null {
  const t = parseTarget(s);
  if (!t) return null;
  return t.kind === 'phoneNumber' ? `4:${t.phoneNumber}` : t.id;
}

/** "+14255550100" → "+1 425 555 0100", "+442079460958" → "+44 20 7946 0958", for summaries. */
export function formatTarget(s: string): string {
  const t = parseTarget(s);
  if (!t) return s;
  if (t.kind !== 'phoneNumber') {
    return t.kind === 'microsoftTeamsUser'
      ? `Teams user ${shortId(t.id)}`
      : `user ${shortId(t.id)}`;
  }
  const international = parsePhoneNumber(t.phoneNumber).number?.international;
  // Grouped by the country's own rule, with spaces (libphonenumber writes US groups with dashes).
  return international ? international.replace(/-/g, ' ') : t.phoneNumber;
}

/**
 * Why a well-formed "+…" number cannot be dialled as written, in plain words: it has too few or
 * too many digits for its country, or no country has its calling code. Undefined when it can be
 * (numbers libphonenumber does not list, such as the fictional 555 ones, are left to ACS).
 */
export function undialableNumber(e164: string): string | undefined {
  const parsed = parsePhoneNumber(e164);
  const code = parsed.countryCode ? `+${parsed.countryCode}` : '';
  switch (parsed.possibility) {
    case 'too-short':
      return `This number is too short for its country (${code}): check the digits`;
    case 'too-long':
      return `This number is too long for its country (${code}): check the digits`;
    case 'invalid-country-code':
      return 'No country has the calling code this number starts with: check the digits after +';
    default:
      return undefined;
  }
}

function shortId(id: string): string {
  const tail = id.slice(id.lastIndexOf(':') + 1);
  return tail.length > 12 ? `…${tail.slice(-8)}` : tail;
}
