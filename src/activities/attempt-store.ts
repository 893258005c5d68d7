import type pg from 'pg';
import { withTransaction } from '../db/transaction';
import type { FailureCauseCode } from '../delivery/failure-cause';
import type { SendOutcome } from '../delivery/http-sender';
import type { AttemptRow, Trigger } from './attempt-log';

/**
 * The delivery's writes to `callbacks` and `callback_attempts`. An attempt is written twice: as `in_flight` before
 * the HTTP request and with its outcome after it, so a worker that dies in between leaves a row that the next
 * attempt marks `abandoned`: nothing lost, nothing written twice.
 */

const ATTEMPT_COLUMNS = `attempt_number, trigger, outcome, started_at, duration_ms, status_code, error_class,
  error_message, response_snippet, next_retry_at`;

export interface StartedAttempt {
  row: AttemptRow;
  /** False when this attempt key was already recorded (the same attempt ran again): the row is reused. */
  created: boolean;
}

export async function beginAttempt(
  pool: pg.Pool,
  attempt: { conversionId: string; attemptKey: string; trigger: Trigger },
): Promise<StartedAttempt> {
  return withTransaction(pool, async (client) => {
    // The callback row (written with its conversion) is the per-conversion lock that serializes attempt numbers.
    await client.query('SELECT 1 FROM callbacks WHERE conversion_id = $1 FOR UPDATE', [attempt.conversionId]);
    const existing = await client.query<AttemptRow>(`SELECT ${ATTEMPT_COLUMNS} FROM callback_attempts WHERE attempt_key = $1`, [
      attempt.attemptKey,
    ]);
    if (existing.rows.length > 0) return { row: existing.rows[0], created: false };
    // An older attempt still in flight belongs to a worker that died (its answer is lost), or to a cycle that a
    // resend cancelled mid-request: if that answer still comes, finishAttempt overwrites this mark with it.
    await client.query(`UPDATE callback_attempts SET outcome = 'abandoned' WHERE conversion_id = $1 AND outcome = 'in_flight'`, [
      attempt.conversionId,
    ]);
    const inserted = await client.query<AttemptRow>(
      `INSERT INTO callback_attempts (conversion_id, attempt_key, attempt_number, trigger, outcome, started_at)
       SELECT $1, $2, COALESCE(MAX(attempt_number), 0) + 1, $3, 'in_flight', now()
         FROM callback_attempts WHERE conversion_id = $1
       RETURNING ${ATTEMPT_COLUMNS}`,
      [attempt.conversionId, attempt.attemptKey, attempt.trigger],
    );
    const row = inserted.rows[0];
    await client.query('UPDATE callbacks SET attempts = $2, updated_at = now() WHERE conversion_id = $1', [
      attempt.conversionId,
      row.attempt_number,
    ]);
    return { row, created: true };
  });
}

/** What an attempt's outcome means for its row and for the callback row. */
export interface AttemptResult {
  succeeded: boolean;
  error: string | null;
  /** Why the attempt failed; null when it succeeded. */
  cause: FailureCauseCode | null;
  /** Set when another attempt follows: the callback is `retrying` until then. */
  nextRetryDelayMs: number | null;
}

/**
 * Writes the attempt's outcome and, in the same transaction, the callback's current state. The callback's state
 * is only set by its latest attempt: a cancelled attempt that finishes late must not overwrite a newer one.
 * Without success or a next retry the status is left as it is: the workflow marks the callback failed.
 * Returns the attempt's row as written.
 */
export async function finishAttempt(
  pool: pg.Pool,
  attempt: { conversionId: string; attemptKey: string; attemptNumber: number },
  outcome: SendOutcome,
  result: AttemptResult,
): Promise<AttemptRow> {
  const statusCode = outcome.kind === 'response' ? outcome.status : null;
  const status = result.succeeded ? 'sent' : result.nextRetryDelayMs !== null ? 'retrying' : null;
  return withTransaction(pool, async (client) => {
    // now() + NULL is NULL: no next retry.
    const updated = await client.query<AttemptRow>(
      `UPDATE callback_attempts
          SET outcome = $2, duration_ms = $3, status_code = $4, error_class = $5, error_message = $6,
              response_snippet = $7, next_retry_at = now() + $8::bigint * interval '1 millisecond', cause = $9
        WHERE attempt_key = $1
      RETURNING ${ATTEMPT_COLUMNS}`,
      [
        attempt.attemptKey,
        result.succeeded ? 'succeeded' : 'failed',
        outcome.durationMs,
        statusCode,
        outcome.kind === 'error' ? outcome.errorClass : null,
        result.error,
        outcome.kind === 'response' ? outcome.bodySnippet : null,
        result.nextRetryDelayMs,
        result.cause,
      ],
    );
    const row = updated.rows[0];
    const latest = await client.query(
      `UPDATE callbacks
          SET status = COALESCE($2, status), sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END,
              last_status_code = $3, last_error = $4, next_retry_at = $5, updated_at = now()
        WHERE conversion_id = $1 AND attempts = $6`,
      [attempt.conversionId, status, statusCode, result.error, row.next_retry_at, attempt.attemptNumber],
    );
    // A late success still reached the publisher: the conversion report must say "Callback Sent: Yes".
    if (latest.rowCount === 0 && result.succeeded) {
      await client.query('UPDATE callbacks SET sent_at = COALESCE(sent_at, now()), updated_at = now() WHERE conversion_id = $1', [
        attempt.conversionId,
      ]);
    }
    return row;
  });
}

/** The attempts of one delivery cycle (one activity, all its retries), oldest first: the running attempt log. */
export async function cycleAttempts(pool: pg.Pool, conversionId: string, cycleKey: string): Promise<AttemptRow[]> {
  const result = await pool.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM callback_attempts
      WHERE conversion_id = $1 AND starts_with(attempt_key, $2)
      ORDER BY attempt_number`,
    [conversionId, `${cycleKey}/`],
  );
  return result.rows;
}

/** A resend starts a new cycle: the callback is pending again until its first attempt answers. */
export async function markCallbackPending(pool: pg.Pool, conversionId: string): Promise<void> {
  await pool.query(
    `UPDATE callbacks SET status = 'pending', next_retry_at = NULL, failed_at = NULL, updated_at = now()
      WHERE conversion_id = $1`,
    [conversionId],
  );
}

export async function markCallbackFailed(pool: pg.Pool, conversionId: string, lastError: string): Promise<void> {
  await pool.query(
    `UPDATE callbacks SET status = 'failed', failed_at = now(), last_error = $2, next_retry_at = NULL, updated_at = now()
      WHERE conversion_id = $1`,
    [conversionId, lastError],
  );
}
