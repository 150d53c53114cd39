import {
  fieldMeta,
  outcomesOf,
  withDefaults,
  type NodeTypeDescription,
  type OutcomeDescription,
} from '@switchboard/flow';
import type * as z from 'zod';

/**
 * What upgrading a node from one version of its type to another changes, worked out from the
 * two catalogue descriptions alone (no node type is described here): outcomes, what an outcome
 * left unconnected does, settings added or removed, defaults that differ.
 */
export function describeUpgrade(
  from: NodeTypeDescription,
  to: NodeTypeDescription,
  config: Record<string, unknown>,
): string[] {
  const changes: string[] = [];
  const before = outcomes(from, config);
  const after = outcomes(to, upgradedConfig(from, to, config));
  const beforeById = new Map(before.map((o) => [o.id, o]));
  const afterById = new Map(after.map((o) => [o.id, o]));
  for (const o of after) {
    if (!beforeById.has(o.id)) changes.push(`New outcome “${o.label}”`);
  }
  for (const o of before) {
    if (!afterById.has(o.id)) {
      changes.push(`Outcome “${o.label}” is removed (its connection goes with it)`);
    }
  }
  for (const o of after) {
    const old = beforeById.get(o.id);
    if (!old) continue;
    if (old.label !== o.label) changes.push(`Outcome “${old.label}” is renamed “${o.label}”`);
    if (unconnected(old) !== unconnected(o)) {
      changes.push(
        `“${o.label}” left unconnected: ${unconnected(o)} (before: ${unconnected(old)})`,
      );
    }
  }

  const oldFields = from.configSchema.shape as Record<string, z.ZodType>;
  const newFields = to.configSchema.shape as Record<string, z.ZodType>;
  const oldDefaults = withDefaults(from, {});
  const newDefaults = withDefaults(to, {});
  for (const key of Object.keys(newFields)) {
    if (!(key in oldFields)) {
      changes.push(`New setting “${title(newFields, key)}” (${show(newDefaults[key])})`);
    }
  }
  for (const key of Object.keys(oldFields)) {
    if (!(key in newFields)) changes.push(`Setting “${title(oldFields, key)}” is removed`);
  }
  for (const key of Object.keys(newFields)) {
    if (!(key in oldFields) || same(oldDefaults[key], newDefaults[key])) continue;
    const own = key in config;
    changes.push(
      `Default of “${title(newFields, key)}”: ${show(oldDefaults[key])} → ${show(newDefaults[key])}` +
        (own ? ' (this node sets its own and keeps it)' : ' (this node takes the new default)'),
    );
  }
  if (changes.length === 0) changes.push('Nothing you can see in the settings or outcomes');
  return changes;
}

/**
 * The config of the upgraded node: what it set is kept where the new version still has the
 * setting, new settings start at their defaults (as on a node dropped from the palette), and
 * what it left out stays left out, so it takes the new version's default.
 */
export function upgradedConfig(
  from: NodeTypeDescription,
  to: NodeTypeDescription,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const newFields = to.configSchema.shape as Record<string, unknown>;
  const oldFields = from.configSchema.shape as Record<string, unknown>;
  const defaults = structuredClone(withDefaults(to, {}));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (key in newFields) out[key] = value;
  for (const key of Object.keys(newFields)) {
    if (!(key in oldFields) && !(key in out) && key in defaults) out[key] = defaults[key];
  }
  return out;
}

function outcomes(d: NodeTypeDescription, config: Record<string, unknown>): OutcomeDescription[] {
  if (d.terminal) return [];
  try {
    return outcomesOf(d, withDefaults(d, config));
  } catch {
    return typeof d.outcomes === 'function' ? [] : [...d.outcomes];
  }
}

/** What an outcome with no edge does, in the words of the validator's warning. */
function unconnected(o: OutcomeDescription): string {
  if (o.endsRun) return 'the flow has left the call';
  if (o.unconnected?.does === 'leave') {
    const who = o.unconnected.who.replace(/^./, (c) => c.toLowerCase());
    return `the app leaves the call, ${who} stay connected`;
  }
  return 'the call ends for everyone';
}

function title(fields: Record<string, z.ZodType>, key: string): string {
  const schema = fields[key];
  return (schema && fieldMeta(schema)?.title) || key;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
  if (value === undefined) return 'none';
  if (typeof value === 'string') return value === '' ? 'empty' : `“${value}”`;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value) && value.length === 0) return 'none';
  return JSON.stringify(value);
}
