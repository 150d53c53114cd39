/**
 * How the emulator reads a JSON body with a zod schema and answers a bad one: the first issue
 * becomes the ACS-shaped `{"error":{"code","message"}}` 400 that both the Call Automation REST
 * surface and the control API use. Shared so that both APIs word and code their errors alike,
 * and so the domain parsers (identifiers, tones) can sit inside a schema without changing the
 * messages they have always produced.
 */
import { z } from 'zod';
import { AcsHttpError, badRequest } from './errors.js';

/**
 * Parses a body, throwing its first problem as an ACS 400. `order` ranks issues by path prefix
 * where a schema's shape cannot list fields in the order they used to be checked.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  order?: readonly string[],
): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  let issue = r.error.issues[0]!;
  if (order) {
    const rank = (i: z.core.$ZodIssue) => {
      const path = i.path.join('.');
      const n = order.findIndex((p) => path === p || path.startsWith(`${p}.`));
      return n < 0 ? order.length : n;
    };
    for (const i of r.error.issues) if (rank(i) < rank(issue)) issue = i;
  }
  const code = (issue as { params?: { code?: unknown } }).params?.code;
  throw badRequest(issue.message, typeof code === 'string' ? code : undefined);
}

/** Runs a shared domain parser (identifiers, tones, play sources), its errors as issues. */
function attempt<T>(ctx: z.RefinementCtx, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof AcsHttpError)) throw e;
    ctx.addIssue({ code: 'custom', message: e.message, params: { code: e.code } });
    return z.NEVER;
  }
}

/** A field read by one of the shared domain parsers. */
export function fromParser<T>(parse: (v: unknown) => T) {
  return z
    .unknown()
    .optional()
    .transform((v, ctx): T => attempt(ctx, () => parse(v)));
}

/** Each element read with its own index in the message, stopping at the first bad one. */
export function eachWith<T>(parse: (v: unknown, i: number) => T) {
  return (list: unknown[], ctx: z.RefinementCtx): T[] =>
    attempt(ctx, () => list.map((v, i) => parse(v, i)));
}

/** A non-empty string, or absent: anything else is treated as absent, as ACS tolerates. */
export const text = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' && v.length > 0 ? v : undefined));

export const requiredText = (message: string) =>
  z.string({ error: message }).min(1, { error: message });

/** Property reads on a non-object find nothing, as the hand-written checks did. */
export const asObject = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
