/**
 * Environment values and secrets as flows reference them: `{{ env.NAME }}` in any template
 * (the engine gives the values to the interpreter, see RunOptions.env) and `{{ secret.NAME }}`
 * only in fields the catalogue marks as allowing secrets. A secret is never rendered by the
 * pure core: it stays a marker in the action and the engine's executor puts the value in at
 * send time.
 */

/** Names of environment values and secrets, as admins define them: SALES_NUMBER, CRM_TOKEN. */
export const ENVIRONMENT_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
export const ENVIRONMENT_NAME_MESSAGE =
  'Use capital letters, digits and underscores, starting with a letter, e.g. CRM_URL';

/** The names a flow may reference, for the validator (values are not needed to check). */
export interface EnvironmentNames {
  values: readonly string[];
  secrets: readonly string[];
}

/** A secret reference as a field allowing secrets must spell it: no filters, nothing around it. */
const SECRET_REFERENCE = /\{\{-?\s*secret\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}/g;

// Private-use characters: nothing a caller types or a template renders can make one, since
// renderWithSecrets strips them from every rendered piece.
const OPEN = '\u{E000}';
const CLOSE = '\u{E001}';
const MARKERS = /[\u{E000}\u{E001}]/gu;
const MARKER = /\u{E000}secret:([A-Za-z_][A-Za-z0-9_]*)\u{E001}/gu;

export function secretMarker(name: string): string {
  return `${OPEN}secret:${name}${CLOSE}`;
}

/** The names of the secrets a text references in the form a secret field allows. */
export function secretReferences(text: string): string[] {
  return [...text.matchAll(SECRET_REFERENCE)].map((m) => m[1] as string);
}

/**
 * Renders a template of a field allowing secrets: the text around each `{{ secret.NAME }}` is
 * rendered as usual, each reference becomes a marker the executor replaces.
 */
export function renderWithSecrets(render: (text: string) => string, text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SECRET_REFERENCE)) {
    out += render(text.slice(last, m.index)).replace(MARKERS, '');
    out += secretMarker(m[1] as string);
    last = m.index + m[0].length;
  }
  return out + render(text.slice(last)).replace(MARKERS, '');
}

/** The secrets a rendered value needs. */
export function markedSecrets(value: string): string[] {
  return [...value.matchAll(MARKER)].map((m) => m[1] as string);
}

/** Puts the secrets in: `lookup` gives each value (undefined: unknown, replaced by ''). */
export function fillSecrets(value: string, lookup: (name: string) => string | undefined): string {
  return value.replace(MARKER, (_m, name: string) => lookup(name) ?? '');
}

/** A rendered value with its secrets shown as `{{ secret.NAME }}` again: for traces and logs. */
export function showSecretMarkers(value: string): string {
  return value.replace(MARKER, (_m, name: string) => `{{ secret.${name} }}`);
}
