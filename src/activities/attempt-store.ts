import type pg from 'pg';
import type { FailureCauseCode } from '../delivery/failure-cause';
import type { SendOutcome } from '../delivery/http-sender';
import type { AttemptRow, Trigger } from './attempt-log';

/**
 * The delivery's writes to `callbacks` and `callback_attempts`: one statement before the HTTP request (the attempt
 * `in_flight`) and one after it (its outcome and the callback's state), each its own implicit transaction. A worker
 * that dies in between leaves a row that the next attempt marks `abandoned`: nothing lost, nothing written twice.
 */

const ATTEMPT_COLUMNS = `attempt_key, attempt_number, trigger, requested_by, outcome, started_at, duration_ms, status_code,
  error_class, error_message, response_snippet, next_retry_at`;

/** A row of the statements below: the attempt's columns and its key. */
interface KeyedAttemptRow extends AttemptRow {
  attempt_key: string;
}

const withoutKey = ({ attempt_key: _key, ...row }: KeyedAttemptRow): AttemptRow => row;

export interface StartedAttempt {
  row: AttemptRow;
  /** False when this attempt key was already recorded (the same attempt ran again): the row is reused. */
  created: boolean;
  /** The cycle's attempts, this one included, oldest first: the attempt log the Web UI shows. */
  cycle: AttemptRow[];
}

/**
 * Records the attempt as in flight, unless its key is recorded already. The callback row is the per-conversion
 * lock and counter: its increment waits for a concurrent one and numbers the attempt. Older attempts still in
 * flight belong to a worker that died (their answer is lost) or to a cycle that a resend cancelled mid-request: if
 * that answer still comes, finishAttempt overwrites the `abandoned` mark with it. (An attempt begun at the same
 * moment is not in this statement's snapshot and stays `in_flight` until its own finish or the next begin.) The statement also returns the
 * cycle's other attempts (as this statement leaves them), so the attempt log costs no second round trip.
 */
const BEGIN_SQL = `
  WITH existing AS (
    SELECT ${ATTEMPT_COLUMNS} FROM callback_attempts WHERE attempt_key = $2
  ),
  counted AS (
    UPDATE callbacks SET attempts = attempts + 1, updated_at = now()
     WHERE conversion_id = $1 AND NOT EXISTS (SELECT 1 FROM existing)
    RETURNING attempts
  ),
  abandoned AS (
    UPDATE callback_attempts SET outcome = 'abandoned'
     WHERE conversion_id = $1 AND outcome = 'in_flight' AND EXISTS (SELECT 1 FROM counted)
    RETURNING ${ATTEMPT_COLUMNS}
  ),
  inserted AS (
    INSERT INTO callback_attempts (conversion_id, attempt_key, attempt_number, trigger, requested_by, outcome, started_at)
    SELECT $1, $2, attempts, $3, $4, 'in_flight', now() FROM counted
    RETURNING ${ATTEMPT_COLUMNS}
  )
  SELECT *, 'created' AS role FROM inserted
  UNION ALL SELECT *, 'existing' FROM existing
  UNION ALL SELECT *, 'cycle' FROM abandoned WHERE starts_with(attempt_key, $5)
  UNION ALL SELECT ${ATTEMPT_COLUMNS}, 'cycle' FROM callback_attempts
   WHERE conversion_id = $1 AND starts_with(attempt_key, $5) AND attempt_key <> $2
     AND attempt_key NOT IN (SELECT attempt_key FROM abandoned)`;

/** A row of BEGIN_SQL: an attempt, and whether it is this attempt (created now, or recorded before) or another of its cycle. */
type BeginRow = KeyedAttemptRow & { role: 'created' | 'existing' | 'cycle' };

/** Postgres' unique_violation. */
const UNIQUE_VIOLATION = '23505';

export async function beginAttempt(
  pool: pg.Pool,
  attempt: { conversionId: string; attemptKey: string; cycleKey: string; trigger: Trigger; requestedBy: string | null },
): Promise<StartedAttempt> {
  const params = [attempt.conversionId, attempt.attemptKey, attempt.trigger, attempt.requestedBy, `${attempt.cycleKey}/`];
  // The same attempt key begun twice at once (a task delivered twice): one insert wins, and the loser, run again,
  // finds its row. A statement is all or nothing, so the loser's increment was rolled back with it.
  const rows = await pool.query<BeginRow>(BEGIN_SQL, params).catch((err: unknown) => {
    if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
    return pool.query<BeginRow>(BEGIN_SQL, params);
  });
  const own = rows.rows.find((row) => row.role !== 'cycle');
  if (!own) throw new Error(`conversion ${attempt.conversionId} has no callback row to record an attempt on`);
  const cycle = rows.rows
    .map(({ role: _role, ...row }) => withoutKey(row))
    .sort((a, b) => a.attempt_number - b.attempt_number);
  const { role, ...ownRow } = own;
  return { row: withoutKey(ownRow), created: role === 'created', cycle };
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
 * Writes the attempt's outcome and, in the same statement, the callback's current state. The callback's state is
 * only set by its latest attempt: a cancelled attempt that finishes late must not overwrite a newer one, but its
 * success still reached the publisher, so the conversion report says "Callback Sent: Yes". Without success or a
 * next retry the status is left as it is: the workflow marks the callback failed. `now() + NULL` is NULL: no next
 * retry. Returns the attempt's row as written.
 */
const FINISH_SQL = `
  WITH attempt AS (
    UPDATE callback_attempts
       SET outcome = $2, duration_ms = $3, status_code = $4, error_class = $5, error_message = $6,
           response_snippet = $7, next_retry_at = now() + $8::bigint * interval '1 millisecond', cause = $12
     WHERE attempt_key = $1
    RETURNING ${ATTEMPT_COLUMNS}
  ),
  callback AS (
    UPDATE callbacks
       SET status = CASE WHEN attempts = $10 THEN COALESCE($11, status) ELSE status END,
           sent_at = CASE WHEN $2 <> 'succeeded' THEN sent_at WHEN attempts = $10 THEN now() ELSE COALESCE(sent_at, now()) END,
           last_status_code = CASE WHEN attempts = $10 THEN $4 ELSE last_status_code END,
           last_error = CASE WHEN attempts = $10 THEN $6 ELSE last_error END,
           next_retry_at = CASE WHEN attempts = $10 THEN now() + $8::bigint * interval '1 millisecond' ELSE next_retry_at END,
           updated_at = now()
     WHERE conversion_id = $9 AND (attempts = $10 OR $2 = 'succeeded')
  )
  SELECT * FROM attempt`;

export async function finishAttempt(
  pool: pg.Pool,
  attempt: { conversionId: string; attemptKey: string; attemptNumber: number },
  outcome: SendOutcome,
  result: AttemptResult,
): Promise<AttemptRow> {
  const statusCode = outcome.kind === 'response' ? outcome.status : null;
  const { rows } = await pool.query<KeyedAttemptRow>(FINISH_SQL, [
    attempt.attemptKey,
    result.succeeded ? 'succeeded' : 'failed',
    outcome.durationMs,
    statusCode,
    outcome.kind === 'error' ? outcome.errorClass : null,
    result.error,
    outcome.kind === 'response' ? outcome.bodySnippet : null,
    result.nextRetryDelayMs,
    attempt.conversionId,
    attempt.attemptNumber,
    result.succeeded ? 'sent' : result.nextRetryDelayMs !== null ? 'retrying' : null,
    result.cause,
  ]);
  if (!rows[0]) throw new Error(`attempt ${attempt.attemptKey} is not recorded`);
  return withoutKey(rows[0]);
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
