import type pg from 'pg';
import { CALLBACK_STATUSES, type CallbackStatus } from '../db/conversions';
import { boundedRead } from './bounded-read';

/** How many callbacks are in each status: one GROUP BY (an index-only scan of callbacks_status_idx), bounded in time. */
export async function countCallbacksByStatus(pool: pg.Pool, timeoutMs?: number): Promise<Record<CallbackStatus, number>> {
  const rows = await boundedRead(
    pool,
    'counting callbacks by status',
    async (client) =>
      (await client.query<{ status: CallbackStatus; count: number }>('SELECT status, count(*)::integer AS count FROM callbacks GROUP BY status')).rows,
    timeoutMs,
  );
  const counts = Object.fromEntries(CALLBACK_STATUSES.map((status) => [status, 0])) as Record<CallbackStatus, number>;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}
