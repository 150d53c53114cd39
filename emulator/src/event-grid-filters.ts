/**
 * What an Event Grid subscription says besides its URL: which events it wants (event types and
 * advanced filters, as Event Grid evaluates them) and the schema it is delivered in (the Event
 * Grid schema, or CloudEvents 1.0). An agent app subscribes only to its own numbers and users
 * this way; `to` is a shorthand for the filter it needs (`StringIn` on `data.to.rawId`).
 *
 * Event Grid's semantics, kept here: advanced filters are AND-ed, the values of one filter are
 * OR-ed, string comparisons ignore case, and a key the event lacks matches only the negative
 * operator (StringNotIn).
 */
import { z } from 'zod';
import { badRequest } from './errors.js';
import { parseIdentityString } from './identifiers.js';

export const eventSchemas = ['EventGridSchema', 'CloudEventSchemaV1_0'] as const;
export type EventSchema = (typeof eventSchemas)[number];

export const stringOperators = [
  'StringIn',
  'StringNotIn',
  'StringBeginsWith',
  'StringEndsWith',
  'StringContains',
] as const;
export type StringOperator = (typeof stringOperators)[number];

export interface AdvancedFilter {
  operatorType: StringOperator;
  /** `data.to.rawId`, `subject`, `eventType` (or `type` in CloudEvents), … */
  key: string;
  values: string[];
}

export interface SubscriptionFilter {
  /** Only events whose `data.to` is one of these (E.164 numbers or raw ids). */
  to?: string[];
  includedEventTypes?: string[];
  advancedFilters?: AdvancedFilter[];
}

/** One webhook subscription, as EmulatorOptions, the control API and the CLI give it. */
export interface EventGridSubscriber {
  url: string;
  filter?: SubscriptionFilter;
  /** Default EventGridSchema. */
  schema?: EventSchema;
}

// Event Grid's own limits on advanced filters.
const MAX_FILTERS = 25;
const MAX_VALUES = 25;

const strings = (field: string) =>
  z.array(z.string({ error: `'${field}' must be an array of strings.` }), {
    error: `'${field}' must be an array of strings.`,
  });

const toIds = z
  .array(z.string(), { error: "'filter.to' must be an array of phone numbers or raw ids." })
  .max(MAX_VALUES, { error: `'filter.to' takes at most ${MAX_VALUES} values.` })
  .transform((list, ctx) => {
    try {
      return list.map((v) => parseIdentityString(v).rawId);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `'filter.to': ${(e as Error).message}` });
      return z.NEVER;
    }
  });

export const SubscriptionFilterSchema = z.object(
  {
    to: toIds.optional(),
    includedEventTypes: strings('filter.includedEventTypes').optional(),
    advancedFilters: z
      .array(
        z.object({
          operatorType: z.enum(stringOperators, {
            error: `'filter.advancedFilters[].operatorType' must be one of ${stringOperators.join(', ')}.`,
          }),
          key: z
            .string({ error: "'filter.advancedFilters[].key' is required." })
            .min(1, { error: "'filter.advancedFilters[].key' is required." }),
          values: strings('filter.advancedFilters[].values')
            .min(1, { error: "'filter.advancedFilters[].values' must not be empty." })
            .max(MAX_VALUES, {
              error: `'filter.advancedFilters[].values' takes at most ${MAX_VALUES} values.`,
            }),
        }),
        { error: "'filter.advancedFilters' must be an array." },
      )
      .max(MAX_FILTERS, { error: `'filter.advancedFilters' takes at most ${MAX_FILTERS} filters.` })
      .optional(),
  },
  { error: "'filter' must be an object." },
);

export const SchemaField = z.enum(eventSchemas, {
  error: `'schema' must be ${eventSchemas.join(' or ')}.`,
});

/** A filter with `to` already read as raw ids. */
export type ParsedFilter = z.output<typeof SubscriptionFilterSchema>;

interface CompiledTest {
  op: StringOperator;
  path: string[];
  values: string[];
}

export interface CompiledFilter {
  types?: Set<string>;
  tests: CompiledTest[];
}

export function compileFilter(filter: ParsedFilter | undefined): CompiledFilter {
  const tests: CompiledTest[] = (filter?.advancedFilters ?? []).map((f) => ({
    op: f.operatorType,
    path: f.key.split('.'),
    values: f.values.map((v) => v.toLowerCase()),
  }));
  if (filter?.to?.length) {
    tests.push({
      op: 'StringIn',
      path: ['data', 'to', 'rawId'],
      values: filter.to.map((v) => v.toLowerCase()),
    });
  }
  const types = filter?.includedEventTypes?.length
    ? new Set(filter.includedEventTypes.map((t) => t.toLowerCase()))
    : undefined;
  return { types, tests };
}

function lookup(envelope: unknown, path: string[]): string | undefined {
  let v: unknown = envelope;
  for (const p of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v).toLowerCase()
    : undefined;
}

function passes(t: CompiledTest, envelope: unknown): boolean {
  const v = lookup(envelope, t.path);
  if (v === undefined) return t.op === 'StringNotIn';
  switch (t.op) {
    case 'StringIn':
      return t.values.includes(v);
    case 'StringNotIn':
      return !t.values.includes(v);
    case 'StringBeginsWith':
      return t.values.some((x) => v.startsWith(x));
    case 'StringEndsWith':
      return t.values.some((x) => v.endsWith(x));
    case 'StringContains':
      return t.values.some((x) => v.includes(x));
  }
}

/** `envelope` is the event as this subscription receives it (its keys are the schema's). */
export function matches(f: CompiledFilter, eventType: string, envelope: unknown): boolean {
  if (f.types && !f.types.has(eventType.toLowerCase())) return false;
  return f.tests.every((t) => passes(t, envelope));
}

/**
 * The CLI's spelling of a subscription: the URL, then `key=value` words, e.g.
 * `http://127.0.0.1:3000/api/acs/events to=+18005550100 to=8:acs:… schema=cloudevents`.
 * A URL holds no unencoded space, so the words can never be mistaken for part of it.
 */
export function parseSubscriberSpec(spec: string): EventGridSubscriber {
  const [url, ...words] = spec.trim().split(/\s+/);
  if (!url) throw badRequest('An Event Grid subscriber needs a URL.');
  const to: string[] = [];
  const types: string[] = [];
  let schema: EventSchema | undefined;
  for (const w of words) {
    const eq = w.indexOf('=');
    const key = eq > 0 ? w.slice(0, eq) : '';
    const value = w.slice(eq + 1);
    if (key === 'to') to.push(...value.split('|').filter(Boolean));
    else if (key === 'type') types.push(value);
    else if (key === 'schema') {
      const s = value.toLowerCase();
      if (s === 'cloudevents' || s === 'cloudeventschemav1_0') schema = 'CloudEventSchemaV1_0';
      else if (s === 'eventgrid' || s === 'eventgridschema') schema = 'EventGridSchema';
      else throw badRequest(`Unknown schema '${value}' for ${url}: eventgrid or cloudevents.`);
    } else {
      throw badRequest(`Unknown subscription setting '${w}' for ${url}: to=, type= or schema=.`);
    }
  }
  const filter: SubscriptionFilter = {};
  if (to.length) filter.to = to;
  if (types.length) filter.includedEventTypes = types;
  return {
    url,
    ...(Object.keys(filter).length ? { filter } : {}),
    ...(schema ? { schema } : {}),
  };
}
