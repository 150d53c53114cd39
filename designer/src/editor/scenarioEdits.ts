/**
 * Edits of a document's scenarios, as the store's actions apply them, and the one comparison the
 * autosaver needs: whether the draft on the server differs from the one last saved only by
 * scenarios appended to it (Save as test on a call appends one on the server).
 */
import {
  acceptResult,
  type FlowDocument,
  type Scenario,
  type ScenarioResult,
} from '@switchboard/flow';
import type { DocumentMeta } from './document-mapping.js';

/** The document's limit (FlowDocumentSchema): more scenarios are refused on save. */
export const MAX_SCENARIOS = 500;
const MAX_NAME = 120;

/** `name`, or "name (2)", "name (3)" … — the first that `taken` lacks (names are unique). */
export function uniqueScenarioName(name: string, taken: ReadonlySet<string>): string {
  const base = name.trim().slice(0, MAX_NAME) || 'Scenario';
  if (!taken.has(base)) return base;
  const stem = base.replace(/ \(\d+\)$/, '');
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${stem.slice(0, MAX_NAME - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The meta with `added` appended, each renamed if its name is taken, up to the document's limit. */
export function withScenarios(meta: DocumentMeta, added: readonly Scenario[]): DocumentMeta {
  if (added.length === 0) return meta;
  const list = [...(meta.scenarios ?? [])];
  const taken = new Set(list.map((s) => s.name));
  for (const scenario of added) {
    if (list.length >= MAX_SCENARIOS) break;
    const name = uniqueScenarioName(scenario.name, taken);
    taken.add(name);
    list.push(name === scenario.name ? scenario : { ...scenario, name });
  }
  return { ...meta, scenarios: list };
}

/** The meta without the scenario called `name` (the key dropped when none are left). */
export function withoutScenario(meta: DocumentMeta, name: string): DocumentMeta {
  const list = (meta.scenarios ?? []).filter((s) => s.name !== name);
  const { scenarios: _old, ...rest } = meta;
  return list.length > 0 ? { ...rest, scenarios: list } : rest;
}

/**
 * The meta with scenario `from` renamed; undefined when the new name is empty, taken by another
 * scenario or `from` does not exist (nothing to change).
 */
export function withRenamedScenario(
  meta: DocumentMeta,
  from: string,
  to: string,
): DocumentMeta | undefined {
  const name = to.trim();
  const list = meta.scenarios ?? [];
  if (!name || name.length > MAX_NAME || name === from) return undefined;
  if (!list.some((s) => s.name === from) || list.some((s) => s.name === name)) return undefined;
  return { ...meta, scenarios: list.map((s) => (s.name === from ? { ...s, name } : s)) };
}

/**
 * The meta with scenario `name` expecting what `result` says the flow does now; undefined when
 * there is nothing to accept (no such scenario, or the call did not run to an end).
 */
export function withAcceptedResult(
  meta: DocumentMeta,
  name: string,
  result: ScenarioResult,
): DocumentMeta | undefined {
  const list = meta.scenarios ?? [];
  const scenario = list.find((s) => s.name === name);
  const accepted = scenario ? acceptResult(scenario, result) : undefined;
  if (!accepted) return undefined;
  return { ...meta, scenarios: list.map((s) => (s === scenario ? accepted : s)) };
}

/** The reason a rename is refused, for the field's message; undefined: it is fine. */
export function renameProblem(meta: DocumentMeta, from: string, to: string): string | undefined {
  const name = to.trim();
  if (!name) return 'Give the scenario a name';
  if (name.length > MAX_NAME) return `At most ${MAX_NAME} characters`;
  if (name !== from && (meta.scenarios ?? []).some((s) => s.name === name)) {
    return `Another scenario is already called “${name}”`;
  }
  return undefined;
}

/** JSON with object keys sorted, so two equal documents compare equal however they were built. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * The scenarios the server's draft added to `base` (the draft as this editor last saved or
 * loaded it), when that is all that changed: everything else equal and `base`'s scenarios still
 * first, unchanged. Undefined when anything else differs — then it is a real conflict.
 */
export function scenariosAddedOnServer(
  base: FlowDocument,
  server: FlowDocument,
): Scenario[] | undefined {
  const { scenarios: mine = [], ...baseRest } = base;
  const { scenarios: theirs = [], ...serverRest } = server;
  if (theirs.length < mine.length) return undefined;
  if (stable(baseRest) !== stable(serverRest)) return undefined;
  if (stable(theirs.slice(0, mine.length)) !== stable(mine)) return undefined;
  return theirs.slice(mine.length);
}
