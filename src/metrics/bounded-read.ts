import type pg from 'pg';
import { withTransaction } from '../db/transaction';

/** Past this, a scrape answers without a gauge read from Postgres rather than wait for a slow database. */
export const SCRAPE_READ_TIMEOUT_MS = 2_000;

/**
 * A read for a scrape (`what` names it in the error), bounded twice: the caller stops waiting after `timeoutMs` (a
 * connection may be slow to come, or a database not to answer at all), and Postgres cancels the statements itself
 * soon after, so that scrapes of a slow database cannot pile up queries.
 */
export async function boundedRead<T>(pool: pg.Pool, what: string, read: (client: pg.PoolClient) => Promise<T>, timeoutMs = SCRAPE_READ_TIMEOUT_MS): Promise<T> {
  const query = withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL statement_timeout = ${Math.ceil(timeoutMs)}`);
    return read(client);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${timeoutMs} ms`)), timeoutMs);
  });
  // The query settles later on its own (Postgres' timeout ends it): its failure then has no one to tell.
  query.catch(() => undefined);
  try {
    return await Promise.race([query, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
