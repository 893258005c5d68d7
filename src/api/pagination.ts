import { z } from 'zod';
import { ValidationError } from './errors';
import { resourceId } from './ids';

/**
 * Keyset pagination over (created_at, id), newest first. The cursor is opaque to clients: base64url of the last
 * row's key, with the timestamp as whole microseconds since the epoch (digits) so no precision is lost on the way.
 */
export interface PageKey {
  createdAt: string;
  id: string;
}

export interface Page<T> {
  data: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

const MAX_PAGE_SIZE = 200;

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().min(1).optional(),
};

// A cursor comes back from the client: anything Postgres could not cast (a bad timestamp, a NUL in the id) would be
// a 500, so its parts are held to what this API writes. 16 digits of microseconds reach past the year 2200.
const pageKeySchema = z.object({ createdAt: z.string().regex(/^-?\d{1,16}$/), id: resourceId }).strict();

function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): PageKey {
  try {
    return pageKeySchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError([{ in: 'query', field: 'cursor', reason: 'is not a cursor returned by this API' }]);
  }
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells that another page exists.
 */
export function toPage<R extends { page_created_at: string; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.page_created_at, id: last.id }) : null,
  };
}
