import { Prisma } from '../../generated/prisma/client.js';

/**
 * The runtime's SQL, written against the Prisma schema: table and column names come from the
 * generated client (`Prisma.ModelName`, `Prisma.<Model>ScalarFieldEnum`), so a renamed or removed
 * field fails the type check (and the contract test, test/schema-contract.spec.ts, fails if the
 * migrations and the schema disagree); parameters are named, so a statement reads as what it
 * writes and its values are built from an object, never from a position count.
 */

type Model = keyof typeof Prisma.ModelName;
type Fields<M extends Model> = keyof (typeof Prisma)[`${M}ScalarFieldEnum`] & string;

/** `"Run"`: a table's quoted name. */
export const table = (model: Model): string => `"${Prisma.ModelName[model]}"`;

/** `"flowVersionId"`: a column's quoted name, checked against the model's fields. */
export function column<M extends Model>(model: M, field: Fields<M>): string {
  const fields = (Prisma as unknown as Record<string, Record<string, string>>)[
    `${model}ScalarFieldEnum`
  ]!;
  const name = fields[field];
  if (name === undefined) throw new Error(`${model} has no field ${field}`);
  return `"${name}"`;
}

/** The quoted columns of a model, for lists: `cols('Run', 'id', 'status')` → `"id", "status"`. */
export function columns<M extends Model>(model: M, ...fields: Fields<M>[]): string {
  return fields.map((f) => column(model, f)).join(', ');
}

/** A prepared statement with named parameters: `text` uses `$1…`; `values` orders an object. */
export interface Statement<P> {
  /** Name of the prepared statement (its plan is kept per connection). */
  readonly name: string;
  readonly text: string;
  values(params: P): unknown[];
}

/**
 * Builds a statement from a template whose parameters are named: `p.runId` in the template
 * becomes `$n` (the same name, the same n). The parameter object's keys are P's, so a statement's
 * caller cannot forget one or pass one it does not use.
 */
export function statement<P extends Record<string, unknown>>(
  name: string,
  build: (p: { readonly [K in keyof P]: string }) => string,
): Statement<P> {
  const order: (keyof P)[] = [];
  const placeholders = new Proxy({} as { readonly [K in keyof P]: string }, {
    get(_target, key: string | symbol) {
      if (typeof key !== 'string') return undefined;
      let i = order.indexOf(key as keyof P);
      if (i === -1) i = order.push(key as keyof P) - 1;
      return `$${i + 1}`;
    },
  });
  const text = build(placeholders);
  return {
    name,
    text,
    values: (params) => order.map((k) => params[k]),
  };
}
