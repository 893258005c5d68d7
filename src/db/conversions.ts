import type pg from 'pg';
import { formatPayout, type ConversionRecord } from '../delivery/callback-request';
import { storedFailureCause, type FailureCause } from '../delivery/failure-cause';
import type { ConversionRef } from '../temporal/callback-scheduler';

/** A callback's delivery status; the schema's CHECK (001_initial.sql) lists the same. */
export const CALLBACK_STATUSES = ['pending', 'retrying', 'sent', 'failed'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** What the platform tells about a conversion, besides its id (the payout as canonical decimal text, "1.5"). */
export type ConversionFields = Omit<ConversionRecord, 'id'>;

export interface NewConversion extends ConversionFields {
  id: string;
  payloadHash: string;
  workflowId: string;
}

/** One conversion with its callback's current state, as every API answer shows it. */
export interface ConversionView extends ConversionFields {
  conversionId: string;
  workflowId: string;
  workflowStartedAt: Date | null;
  createdAt: Date;
  /** Yes once the publisher acknowledged a callback (a later failed manual resend does not undo that). */
  callbackSent: 'Yes' | 'No';
  callback: CallbackView;
}

export interface CallbackView {
  status: CallbackStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextRetryAt: Date | null;
  sentAt: Date | null;
  failedAt: Date | null;
  updatedAt: Date;
  /** Why the latest failed attempt failed; null once sent, and before any attempt failed. */
  lastFailureCause: FailureCause | null;
}

/** A row of JOINED_SELECT; (page_created_at, id) is the keyset pagination key, page_created_at in microseconds since the epoch. */
export interface ConversionRow {
  id: string;
  publisher_id: string;
  click_id: string;
  event_id: string;
  offer_id: string;
  payout: string;
  user_id: string;
  extras: Record<string, unknown>;
  workflow_id: string;
  workflow_started_at: Date | null;
  created_at: Date;
  status: CallbackStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_retry_at: Date | null;
  sent_at: Date | null;
  failed_at: Date | null;
  callback_updated_at: Date;
  /** The latest failed attempt's cause, status code, error class and snippet (null when none failed). */
  failed_cause: string | null;
  failed_status_code: number | null;
  failed_error_class: string | null;
  failed_response_snippet: string | null;
  failed_attempt: number | null;
  page_created_at: string;
}

/** The SQL meaning of "Callback Sent: Yes"; toConversionView computes the same. */
export const CALLBACK_SENT_SQL = `(cb.status = 'sent' OR cb.sent_at IS NOT NULL)`;

/** Conversions `c` joined with their callback `cb`; every conversion has one (both are written in one transaction). */
export const JOINED_SELECT = `
  SELECT c.id, c.publisher_id, c.click_id, c.event_id, c.offer_id, c.payout::text AS payout, c.user_id, c.extras,
         c.workflow_id, c.workflow_started_at, c.created_at,
         cb.status, cb.attempts, cb.last_status_code, cb.last_error, cb.next_retry_at, cb.sent_at, cb.failed_at,
         cb.updated_at AS callback_updated_at,
         lf.cause AS failed_cause, lf.status_code AS failed_status_code, lf.error_class AS failed_error_class,
         lf.response_snippet AS failed_response_snippet, lf.attempt_number AS failed_attempt,
         (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS page_created_at
  FROM conversions c JOIN callbacks cb ON cb.conversion_id = c.id
  LEFT JOIN LATERAL (
    -- The snippet only for a row recorded without a cause, whose cause is computed from it.
    SELECT a.cause, a.status_code, a.error_class, CASE WHEN a.cause IS NULL THEN a.response_snippet END AS response_snippet,
           a.attempt_number
      FROM callback_attempts a
     WHERE a.conversion_id = c.id AND a.outcome = 'failed'
     ORDER BY a.attempt_number DESC LIMIT 1
  ) lf ON true`;

export function toCallbackView(row: ConversionRow): CallbackView {
  return {
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextRetryAt: row.next_retry_at,
    sentAt: row.sent_at,
    failedAt: row.failed_at,
    updatedAt: row.callback_updated_at,
    lastFailureCause:
      row.status === 'sent' || row.failed_attempt === null
        ? null
        : storedFailureCause({
            cause: row.failed_cause,
            statusCode: row.failed_status_code,
            errorClass: row.failed_error_class,
            responseSnippet: row.failed_response_snippet,
          }),
  };
}

export function toConversionView(row: ConversionRow): ConversionView {
  return {
    conversionId: row.id,
    publisherId: row.publisher_id,
    clickId: row.click_id,
    eventId: row.event_id,
    offerId: row.offer_id,
    payout: formatPayout(row.payout),
    userId: row.user_id,
    extras: row.extras,
    workflowId: row.workflow_id,
    workflowStartedAt: row.workflow_started_at,
    createdAt: row.created_at,
    callbackSent: row.status === 'sent' || row.sent_at !== null ? 'Yes' : 'No',
    callback: toCallbackView(row),
  };
}

/** The conversions of these ids that exist, in no particular order. */
export async function findConversions(db: pg.Pool, ids: readonly string[]): Promise<ConversionView[]> {
  const { rows } = await db.query<ConversionRow>(`${JOINED_SELECT} WHERE c.id = ANY($1)`, [ids]);
  return rows.map(toConversionView);
}

export async function findConversion(db: pg.Pool, id: string): Promise<ConversionView | undefined> {
  return (await findConversions(db, [id]))[0];
}

export interface ConversionCandidate extends ConversionRef {
  clickId: string;
  eventId: string;
  createdAt: Date;
}

/** Conversions matching every given identifier (and of `publisherId`, when given), at most `limit`, oldest first. */
export async function findConversionsByIdentifiers(
  db: pg.Pool,
  ids: { conversionId?: string; eventId?: string; clickId?: string; publisherId?: string },
  limit: number,
): Promise<ConversionCandidate[]> {
  const { rows } = await db.query<{ id: string; publisher_id: string; click_id: string; event_id: string; created_at: Date }>(
    `SELECT id, publisher_id, click_id, event_id, created_at FROM conversions
     WHERE ($1::text IS NULL OR id = $1) AND ($2::text IS NULL OR event_id = $2) AND ($3::text IS NULL OR click_id = $3)
       AND ($4::text IS NULL OR publisher_id = $4)
     ORDER BY created_at, id LIMIT $5`,
    [ids.conversionId ?? null, ids.eventId ?? null, ids.clickId ?? null, ids.publisherId ?? null, limit],
  );
  return rows.map((r) => ({ conversionId: r.id, publisherId: r.publisher_id, clickId: r.click_id, eventId: r.event_id, createdAt: r.created_at }));
}
