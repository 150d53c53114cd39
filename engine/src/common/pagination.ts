import { z } from 'zod';
import { ProblemException } from './problem.js';

/** Query parameters every list endpoint accepts. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});
export type PageQuery = z.output<typeof PageQuerySchema>;

/** Every list endpoint answers this shape. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` to get the next page; null on the last page'),
  });

/** Opaque cursor: base64url of a JSON value (the last item's sort key). */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ProblemException(
      400,
      'validation-error',
      'The query string is invalid: cursor: not a cursor from this list',
      {
        errors: [{ path: 'cursor', message: 'not a cursor from this list' }],
      },
    );
  }
}

/**
 * Builds a page from `limit + 1` rows fetched after the cursor: the extra row only tells
 * whether there is a next page.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  cursorOf: (row: Row) => unknown,
  map: (row: Row) => Item,
): Page<Item> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}
