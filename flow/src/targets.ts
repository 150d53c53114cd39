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

/** "+14255550100" → "+1 425 555 0100" for summaries; other numbers are grouped loosely. */
export function formatTarget(s: string): string {
  const t = parseTarget(s);
  if (!t) return s;
  if (t.kind !== 'phoneNumber') {
    return t.kind === 'microsoftTeamsUser'
      ? `Teams user ${shortId(t.id)}`
      : `user ${shortId(t.id)}`;
  }
  const n = t.phoneNumber;
  if (n.startsWith('+1') && n.length === 12) {
    return `+1 ${n.slice(2, 5)} ${n.slice(5, 8)} ${n.slice(8)}`;
  }
  return n;
}

function shortId(id: string): string {
  const tail = id.slice(id.lastIndexOf(':') + 1);
  return tail.length > 12 ? `…${tail.slice(-8)}` : tail;
}
