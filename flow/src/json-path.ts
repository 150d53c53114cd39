/**
 * The JSON path subset response mappings use: `$`, then `.name`, `['name']` or `[index]` steps,
 * e.g. `$.customer.tier` or `$.orders[0].id`. Pure; no filters or wildcards (one value per path).
 */

export type JsonPathStep = string | number;

const STEP =
  /^(?:\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d{1,9})\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

export const JSON_PATH_MESSAGE =
  'Write a JSON path starting with $, e.g. $.customer.tier or $.orders[0].id';

/** The steps of a path, or undefined when it is not one. */
export function parseJsonPath(path: string): JsonPathStep[] | undefined {
  const p = path.trim();
  if (!p.startsWith('$')) return undefined;
  const steps: JsonPathStep[] = [];
  let rest = p.slice(1);
  while (rest !== '') {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** The value at `path` in `value`; undefined when the path is not there (or not a path). */
export function readJsonPath(value: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) return undefined;
  let v: unknown = value;
  for (const s of steps) {
    if (typeof s === 'number') {
      if (!Array.isArray(v) || s >= v.length) return undefined;
      v = v[s];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, s)) {
        return undefined;
      }
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}

/** Longest text one mapped variable holds: a mapping picks values, not documents. */
export const MAX_MAPPED_CHARS = 1024;

/** A JSON value as a variable's text: strings as they are, the rest as JSON; missing → ''. */
export function asVariableText(v: unknown): string {
  if (v === undefined || v === null) return '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > MAX_MAPPED_CHARS ? text.slice(0, MAX_MAPPED_CHARS) : text;
}
