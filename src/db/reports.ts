import type pg from 'pg';
import type { AttemptOutcome, Trigger } from '../activities/attempt-log';
import { storedFailureCause, type FailureCause } from '../delivery/failure-cause';
import { CALLBACK_SENT_SQL, JOINED_SELECT, type CallbackStatus, type ConversionRow } from './conversions';

export interface PageRequest {
  limit: number;
  /** Rows strictly older than this key (newest first); `createdAt` in microseconds since the epoch, as digits. */
  after?: { createdAt: string; id: string };
}

export interface ConversionFilters {
  from?: Date;
  to?: Date;
  publisherId?: string;
  callbackSent?: boolean;
}

export interface CallbackFilters {
  status?: CallbackStatus;
  publisherId?: string;
}

/** Collects WHERE conditions with numbered parameters. */
class Where {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  add(condition: (param: (value: unknown) => string) => string): this {
    this.conditions.push(condition((value) => `$${this.params.push(value)}`));
    return this;
  }

  toString(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** Newest first, keyset-paginated, `limit + 1` rows so the caller knows if a next page exists. */
async function pageOf(db: pg.Pool, where: Where, page: PageRequest): Promise<ConversionRow[]> {
  if (page.after) {
    const { createdAt, id } = page.after;
    // Exact to the microsecond, like created_at itself: ties on created_at are broken by id.
    where.add((p) => `(c.created_at, c.id) < (timestamptz 'epoch' + ${p(createdAt)}::bigint * interval '1 microsecond', ${p(id)})`);
  }
  const { rows } = await db.query<ConversionRow>(
    `${JOINED_SELECT} ${where.toString()} ORDER BY c.created_at DESC, c.id DESC LIMIT ${page.limit + 1}`,
    where.params,
  );
  return rows;
}

/** The conversion report: one row per conversion. */
export function listConversions(db: pg.Pool, filters: ConversionFilters, page: PageRequest): Promise<ConversionRow[]> {
  const where = new Where();
  if (filters.from) where.add((p) => `c.created_at >= ${p(filters.from)}`);
  if (filters.to) where.add((p) => `c.created_at < ${p(filters.to)}`);
  if (filters.publisherId) where.add((p) => `c.publisher_id = ${p(filters.publisherId)}`);
  if (filters.callbackSent !== undefined) where.add(() => (filters.callbackSent ? CALLBACK_SENT_SQL : `NOT ${CALLBACK_SENT_SQL}`));
  return pageOf(db, where, page);
}

/** The conversion callback report: one row per callback. */
export function listCallbacks(db: pg.Pool, filters: CallbackFilters, page: PageRequest): Promise<ConversionRow[]> {
  const where = new Where();
  if (filters.status) where.add((p) => `cb.status = ${p(filters.status)}`);
  if (filters.publisherId) where.add((p) => `c.publisher_id = ${p(filters.publisherId)}`);
  return pageOf(db, where, page);
}

export interface AttemptView {
  attemptNumber: number;
  trigger: Trigger;
  /** Who asked for a manual attempt; null for automatic ones. */
  requestedBy: string | null;
  outcome: AttemptOutcome;
  startedAt: Date;
  durationMs: number | null;
  statusCode: number | null;
  errorClass: string | null;
  errorMessage: string | null;
  responseSnippet: string | null;
  nextRetryAt: Date | null;
  /** Why the attempt failed; null when it succeeded or has no outcome (in flight, abandoned). */
  cause: FailureCause | null;
}

export async function listAttempts(db: pg.Pool, conversionId: string): Promise<AttemptView[]> {
  const { rows } = await db.query<Omit<AttemptView, 'cause'> & { causeCode: string | null }>(
    `SELECT attempt_number AS "attemptNumber", trigger, requested_by AS "requestedBy", outcome, started_at AS "startedAt", duration_ms AS "durationMs",
            status_code AS "statusCode", error_class AS "errorClass", error_message AS "errorMessage",
            response_snippet AS "responseSnippet", next_retry_at AS "nextRetryAt", cause AS "causeCode"
     FROM callback_attempts WHERE conversion_id = $1 ORDER BY attempt_number`,
    [conversionId],
  );
  return rows.map(({ causeCode, ...attempt }) => ({
    ...attempt,
    cause: attempt.outcome === 'failed' ? storedFailureCause({ ...attempt, cause: causeCode }) : null,
  }));
}
