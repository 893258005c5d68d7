import type pg from 'pg';
import type { ReceivedRequest } from '../../test/support/receiver';

/** What one POST /v1/conversions answered, when it was not a 2xx. */
export interface ErrorAnswer {
  conversionId: string;
  status: number;
  code: string;
  message: string;
}

export interface ChaosReport {
  posted: number;
  stored: number;
  sent: number;
  /** Stored conversions whose publisher never received a callback. */
  lost: number;
  /** Conversions whose publisher received more than one request. */
  duplicated: number;
  /** Of those, the ones whose requests did not all carry the same Idempotency-Key. */
  duplicatesWithoutSharedKey: number;
  /** Requests the publisher received that have no attempt row in Postgres. */
  sentButNotRecorded: number;
  /** Attempts recorded as abandoned: sent, but their answer was lost with the process that sent them. */
  abandonedAttempts: number;
  /** 5xx answers of the API (the client retried them), and how many of each error code. */
  serverErrors: number;
  serverErrorsByCode: Record<string, number>;
  /**
   * Error answers saying nothing was stored, for a conversion that was in fact stored: its next POST (the client
   * posts each id again until it gets a 2xx, one request at a time) answered 200 "already recorded", not 201.
   */
  lies: number;
}

/** Claims that nothing was stored; a stored conversion makes such an answer a lie. */
const CLAIMS_NOTHING_STORED = /nothing was (changed|stored)|not (been )?(stored|recorded)/i;

export async function chaosReport(
  pool: pg.Pool,
  posted: string[],
  /** The ids whose successful POST answered 201 (created by that request). */
  createdByLastPost: ReadonlySet<string>,
  received: ReceivedRequest[],
  errorAnswers: ErrorAnswer[],
): Promise<ChaosReport> {
  const { rows } = await pool.query<{ id: string; status: string; attempts: string; abandoned: string }>(
    `SELECT c.id, cb.status,
            (SELECT count(*) FROM callback_attempts a WHERE a.conversion_id = c.id) AS attempts,
            (SELECT count(*) FROM callback_attempts a WHERE a.conversion_id = c.id AND a.outcome = 'abandoned') AS abandoned
       FROM conversions c JOIN callbacks cb ON cb.conversion_id = c.id WHERE c.id = ANY($1)`,
    [posted],
  );
  const requestsById = new Map<string, ReceivedRequest[]>();
  for (const request of received) {
    const id = String(request.headers['idempotency-key'] ?? '');
    requestsById.set(id, [...(requestsById.get(id) ?? []), request]);
  }
  const stored = new Set(rows.map((row) => row.id));
  const duplicates = [...requestsById.values()].filter((requests) => requests.length > 1);
  const serverErrors = errorAnswers.filter((answer) => answer.status >= 500);
  return {
    posted: posted.length,
    stored: stored.size,
    sent: rows.filter((row) => row.status === 'sent').length,
    lost: rows.filter((row) => !requestsById.has(row.id)).length + posted.filter((id) => !stored.has(id)).length,
    duplicated: duplicates.length,
    duplicatesWithoutSharedKey: duplicates.filter((requests) => new Set(requests.map((r) => r.headers['idempotency-key'])).size > 1).length,
    sentButNotRecorded: rows.reduce((sum, row) => sum + Math.max(0, (requestsById.get(row.id)?.length ?? 0) - Number(row.attempts)), 0),
    abandonedAttempts: rows.reduce((sum, row) => sum + Number(row.abandoned), 0),
    serverErrors: serverErrors.length,
    serverErrorsByCode: serverErrors.reduce<Record<string, number>>((counts, answer) => ({ ...counts, [answer.code]: (counts[answer.code] ?? 0) + 1 }), {}),
    lies: errorAnswers.filter((answer) => CLAIMS_NOTHING_STORED.test(answer.message) && !createdByLastPost.has(answer.conversionId)).length,
  };
}
