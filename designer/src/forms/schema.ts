/**
 * Reads a zod 4 config schema the way a form needs it: the base kind of each field, its
 * metadata (title, help, widget) wherever in the wrapper chain it was attached, its options,
 * bounds and default. Generic over every node type.
 */
import * as z from 'zod';
import type { FieldMeta, Widget } from '@switchboard/flow';

export type FieldKind =
  'string' | 'number' | 'boolean' | 'enum' | 'array' | 'object' | 'record' | 'unknown';

export interface FieldInfo {
  kind: FieldKind;
  /** The field as declared (with its defaults and refinements), for validating a value. */
  schema: z.ZodType;
  /** The innermost schema (no optional/default/nullable wrappers). */
  base: z.ZodType;
  meta: Partial<FieldMeta>;
  widget?: Widget;
  optional: boolean;
  options?: readonly (string | number)[];
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  min?: number;
  max?: number;
  integer?: boolean;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string | number>;
  element?: z.ZodType;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

function metaOf(schema: z.ZodType): Partial<FieldMeta> | undefined {
  const meta = z.globalRegistry.get(schema);
  return meta ? (meta as Partial<FieldMeta>) : undefined;
}

export function describeField(schema: z.ZodType): FieldInfo {
  let current = schema;
  const meta: Partial<FieldMeta> = {};
  let optional = false;
  for (let i = 0; i < 20; i++) {
    const m = metaOf(current);
    if (m)
      for (const [k, v] of Object.entries(m))
        if (!(k in meta)) (meta as Record<string, unknown>)[k] = v;
    const def = defOf(current);
    if (
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'default' ||
      def.type === 'prefault' ||
      def.type === 'catch' ||
      def.type === 'readonly' ||
      def.type === 'nonoptional'
    ) {
      if (def.type === 'optional' || def.type === 'nullable') optional = true;
      current = def.innerType!;
      continue;
    }
    if (def.type === 'pipe') {
      current = def.in!;
      continue;
    }
    break;
  }
  const base = current;
  const def = defOf(base);
  const info: FieldInfo = { kind: 'unknown', schema, base, meta, optional };
  if (meta.widget) info.widget = meta.widget;
  switch (def.type) {
    case 'string':
      info.kind = 'string';
      break;
    case 'number':
    case 'int': {
      info.kind = 'number';
      const n = base as z.ZodNumber;
      if (Number.isFinite(n.minValue)) info.min = n.minValue!;
      if (Number.isFinite(n.maxValue)) info.max = n.maxValue!;
      info.integer = n.isInt || def.type === 'int';
      break;
    }
    case 'boolean':
      info.kind = 'boolean';
      break;
    case 'enum':
      info.kind = 'enum';
      info.options = Object.values(def.entries ?? {});
      break;
    case 'literal':
      info.kind = 'enum';
      info.options = (def.values ?? []) as (string | number)[];
      break;
    case 'array':
      info.kind = 'array';
      info.element = def.element!;
      break;
    case 'object':
      info.kind = 'object';
      info.shape = (base as z.ZodObject).shape as Record<string, z.ZodType>;
      break;
    case 'record':
      info.kind = 'record';
      break;
  }
  return info;
}

/** "startsWith" → "starts with", "mon" → "Mon": a readable name for keys with no title. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function titleOf(info: FieldInfo, key: string): string {
  return info.meta.title ?? humanize(key);
}

/** How an option of a select reads: the field's `optionLabels` meta if any, else the value. */
export function optionLabel(info: FieldInfo, value: string | number): string {
  const labels = info.meta['optionLabels'] as Record<string, string> | undefined;
  if (labels && typeof labels[String(value)] === 'string') return labels[String(value)]!;
  return typeof value === 'string' && /^[a-z]+[A-Z]/.test(value)
    ? humanize(value).toLowerCase()
    : String(value);
}

/** A value to start a new item with: the schema's default, else an empty value of its kind. */
export function initialValue(schema: z.ZodType): unknown {
  const parsed = schema.safeParse(undefined);
  if (parsed.success && parsed.data !== undefined) return parsed.data;
  const info = describeField(schema);
  switch (info.kind) {
    case 'string':
      return '';
    case 'number':
      return info.min ?? 0;
    case 'boolean':
      return false;
    case 'enum':
      return info.options?.[0] ?? '';
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(
        Object.entries(info.shape ?? {}).map(([k, s]) => [k, initialValue(s)]),
      );
    case 'record':
      return {};
    default:
      return undefined;
  }
}

/** The first validation message for a value against its field schema, or undefined. */
export function fieldError(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  // Only the field's own messages: nested items show theirs next to their own inputs.
  const own = result.error.issues.find((i) => i.path.length === 0) ?? undefined;
  return own?.message;
}

/** Messages for a value by path below it ("0.digit" → message), for array and object editors. */
export function nestedErrors(schema: z.ZodType, value: unknown): Map<string, string> {
  const result = schema.safeParse(value);
  const errors = new Map<string, string>();
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.');
      if (!errors.has(key)) errors.set(key, issue.message);
    }
  }
  return errors;
}

/**
 * Whether the config as it stands needs a field: emptied, the config's own checks (a rule across
 * fields, such as "calling a phone number needs a caller ID") report it. When other fields are
 * not valid yet those checks cannot run, so the field counts as needed until they are.
 */
export function requiredNow(
  schema: z.ZodObject,
  config: Record<string, unknown>,
  key: string,
): boolean {
  const emptied = { ...config, [key]: typeof config[key] === 'string' ? '' : undefined };
  return !schema.safeParse(emptied).success;
}
