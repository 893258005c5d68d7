import type pg from 'pg';
import { beginAttempt } from '../../src/activities/attempt-store';
import { attemptRows, callbackRow, insertConversion } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { useTestDatabase } from '../support/postgres';

const db = useTestDatabase();

/**
 * Holds the conversion's callback row locked while `begins` start, until all of them wait for it, then lets them
 * run at once: the attempt statements' serialisation on that row under READ COMMITTED.
 */
async function racing<T>(conversionId: string, begins: () => Promise<T>[]): Promise<T[]> {
  const blocker: pg.PoolClient = await db.pool.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM callbacks WHERE conversion_id = $1 FOR UPDATE', [conversionId]);
    const started = begins();
    await eventually(async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0].n === started.length ? true : undefined;
    }, 10_000, 'every begin waiting for the callback row');
    await blocker.query('COMMIT');
    return await Promise.all(started);
  } finally {
    blocker.release();
  }
}

describe('beginAttempt under concurrency', () => {
  it('the same attempt key begun four times at once records one attempt, numbered once', async () => {
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: 'http://example.com/cb' });
    const started = await racing(conversionId, () =>
      Array.from({ length: 4 }, () =>
        beginAttempt(db.pool, { conversionId, attemptKey: 'run/1/1', cycleKey: 'run/1', trigger: 'automatic', requestedBy: null }),
      ),
    );
    expect(started.filter((attempt) => attempt.created)).toHaveLength(1);
    expect(started.map((attempt) => attempt.row.attempt_number)).toEqual([1, 1, 1, 1]);
    expect((await callbackRow(db.pool, conversionId)).attempts).toBe(1);
    expect(await attemptRows(db.pool, conversionId)).toHaveLength(1);
  });

  it('attempts of different keys begun at once get distinct, consecutive numbers', async () => {
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: 'http://example.com/cb' });
    await racing(conversionId, () =>
      Array.from({ length: 5 }, (_, i) =>
        beginAttempt(db.pool, { conversionId, attemptKey: `run${i}/1/1`, cycleKey: `run${i}/1`, trigger: 'automatic', requestedBy: null }),
      ),
    );
    expect((await attemptRows(db.pool, conversionId)).map((row) => row.attempt_number)).toEqual([1, 2, 3, 4, 5]);
    expect((await callbackRow(db.pool, conversionId)).attempts).toBe(5);
  });
});
