import * as z from 'zod';
import { fieldMeta } from '../fields.js';

type Path = readonly PropertyKey[];

/** The schema of the field at `path`, looking through defaults, optionals and arrays. */
export function fieldAt(schema: z.ZodType, path: Path): { title?: string } {
  let s: z.ZodType | undefined = schema;
  let title: string | undefined;
  for (let i = 0; i <= path.length && s; i++) {
    // Titles sit on the outermost wrapper (meta after default), so read before unwrapping.
    for (;;) {
      title = fieldMeta(s)?.title ?? title;
      if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
        s = s.unwrap() as z.ZodType;
        continue;
      }
      break;
    }
    if (i === path.length) break;
    const key = path[i];
    if (s instanceof z.ZodObject && typeof key === 'string') {
      s = s.shape[key] as z.ZodType | undefined;
      title = undefined;
    } else if (s instanceof z.ZodArray && typeof key === 'number') {
      s = s.element as z.ZodType;
    } else {
      s = undefined;
    }
  }
  return title ? { title } : {};
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'on or off',
  array: 'a list',
  object: 'a group of settings',
};

/** Turns a zod config issue into one sentence an analyst can act on. */
export function fieldMessage(schema: z.ZodType, config: unknown, issue: z.core.$ZodIssue): string {
  const { title } = fieldAt(schema, issue.path);
  const prefix = title ? `${title}: ` : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `“${k}”`).join(', ')}`;
    case 'invalid_type': {
      const v = valueAt(config, issue.path);
      if (v === undefined) return `${title ?? 'This setting'} is required`;
      return `${prefix}should be ${typeNames[issue.expected] ?? issue.expected}`;
    }
    case 'invalid_value':
      return `${prefix}choose one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'too_big':
    case 'too_small':
      // Our schemas give these messages; zod's own ("Too big: expected …") get a plainer one.
      if (!/^Too (big|small)/.test(issue.message)) return prefix + issue.message;
      return `${prefix}${issue.code === 'too_big' ? 'at most' : 'at least'} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    default:
      return prefix + issue.message;
  }
}
