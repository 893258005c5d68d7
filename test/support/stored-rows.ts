import type pg from 'pg';
import type { TestApi } from './api';
import type { RecordingScheduler } from './schedulers';

const TABLES = ['publishers', 'conversions', 'callbacks', 'callback_attempts', 'delivery_outbox'] as const;

/** A digest of every row the API writes, per table: equal snapshots mean nothing was inserted, changed or deleted. */
export type StoredRows = Record<(typeof TABLES)[number], string>;

export async function storedRows(pool: pg.Pool): Promise<StoredRows> {
  const digests = TABLES.map((table) => `(SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t) AS ${table}`);
  const { rows } = await pool.query<StoredRows>(`SELECT ${digests.join(', ')}`);
  return rows[0];
}

/** What the scheduler double was asked to do, as counts: a refused request must not start or resend a delivery. */
export function schedulerCalls(scheduler: RecordingScheduler): { started: number; resends: number } {
  return { started: scheduler.started.length, resends: scheduler.resends.length };
}

/**
 * Runs `act` and expects that it stored nothing and scheduled nothing; returns what `act` returned. For requests the
 * API must refuse.
 */
export async function expectNothingStored<T>({ db, scheduler }: Pick<TestApi, 'db' | 'scheduler'>, act: () => Promise<T>): Promise<T> {
  const before = { rows: await storedRows(db.pool), calls: schedulerCalls(scheduler) };
  const result = await act();
  expect({ rows: await storedRows(db.pool), calls: schedulerCalls(scheduler) }).toEqual(before);
  return result;
}
