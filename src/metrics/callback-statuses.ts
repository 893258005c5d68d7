import type pg from 'pg';
import type { CallbackStatus } from '../db/conversions';
import { withTransaction } from '../db/transaction';

export const CALLBACK_STATUSES: readonly CallbackStatus[] = ['pending', 'retrying', 'sent', 'failed'];

/** Past this, a scrape answers without the callbacks gauge rather than wait for a slow database. */
export const CALLBACK_STATUS_TIMEOUT_MS = 2_000;

/**
 * How many callbacks are in each status: one GROUP BY (an index-only scan of callbacks_status_idx). Bounded twice:
 * the caller stops waiting after `timeoutMs` (a connection may be slow to come, or a database not to answer at
 * all), and Postgres cancels the query itself soon after, so that scrapes of a slow database cannot pile up queries.
 */
export async function countCallbacksByStatus(pool: pg.Pool, timeoutMs = CALLBACK_STATUS_TIMEOUT_MS): Promise<Record<CallbackStatus, number>> {
  const query = withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL statement_timeout = ${Math.ceil(timeoutMs)}`);
    const { rows } = await client.query<{ status: CallbackStatus; count: number }>(
      'SELECT status, count(*)::integer AS count FROM callbacks GROUP BY status',
    );
    return rows;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`counting callbacks by status took over ${timeoutMs} ms`)), timeoutMs);
  });
  // The query settles later on its own (Postgres' timeout ends it): its failure then has no one to tell.
  query.catch(() => undefined);
  try {
    const rows = await Promise.race([query, deadline]);
    const counts = Object.fromEntries(CALLBACK_STATUSES.map((status) => [status, 0])) as Record<CallbackStatus, number>;
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  } finally {
    clearTimeout(timer);
  }
}
