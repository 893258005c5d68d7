import type pg from 'pg';
import { describeFailureCause, type FailureCauseCode } from '../delivery/failure-cause';

export interface OverviewFilters {
  /** The window: this many hours, the current one included (1 to 168). */
  hours: number;
  publisherId?: string;
}

export interface HourlyOutcomes {
  /** The start of the hour (UTC). */
  hour: Date;
  /** Attempts that succeeded. */
  sent: number;
  /** Attempts that failed with a retry scheduled after them. */
  retrying: number;
  /** Attempts that failed with no retry after them (a final failure, or the last attempt of a cycle). */
  failed: number;
}

export interface CauseCount {
  publisherId: string;
  cause: FailureCauseCode;
  label: string;
  count: number;
}

export interface DeliveryOverview {
  from: Date;
  to: Date;
  hourly: HourlyOutcomes[];
  /** Callbacks whose status is failed and that failed in the last 24 hours. */
  failedLast24h: number;
  /** Failed attempts of the window by publisher and cause, most frequent first. */
  causesByPublisher: CauseCount[];
}

/**
 * Delivery outcomes over the last `hours` hours, counted from the attempts (callback_attempts_started_at_idx), and
 * the failure causes per publisher. With `publisherId`, only that publisher's conversions count: the queries are
 * planned with their parameters' values, so `$n IS NULL OR ...` costs nothing when there is no filter.
 */
export async function deliveryOverview(db: pg.Pool, filters: OverviewFilters): Promise<DeliveryOverview> {
  // One clock for every count: Postgres's, at the start of the request.
  const { rows: bounds } = await db.query<{ from: Date; to: Date }>(
    `SELECT date_trunc('hour', now(), 'UTC') - ($1::int - 1) * interval '1 hour' AS "from", now() AS "to"`,
    [filters.hours],
  );
  const { from, to } = bounds[0];
  const publisherId = filters.publisherId ?? null;

  const [hourly, failed, causes] = await Promise.all([
    db.query<HourlyOutcomes>(
      `WITH counts AS (
         SELECT date_trunc('hour', a.started_at, 'UTC') AS hour,
                count(*) FILTER (WHERE a.outcome = 'succeeded')::int AS sent,
                count(*) FILTER (WHERE a.outcome = 'failed' AND a.next_retry_at IS NOT NULL)::int AS retrying,
                count(*) FILTER (WHERE a.outcome = 'failed' AND a.next_retry_at IS NULL)::int AS failed
           FROM callback_attempts a
          WHERE a.started_at >= $1 AND a.started_at < $2
            AND ($3::text IS NULL OR a.conversion_id IN (SELECT id FROM conversions WHERE publisher_id = $3))
          GROUP BY 1
       )
       SELECT h.hour, coalesce(counts.sent, 0) AS sent, coalesce(counts.retrying, 0) AS retrying, coalesce(counts.failed, 0) AS failed
         FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 hour') AS h(hour)
         LEFT JOIN counts ON counts.hour = h.hour
        ORDER BY h.hour`,
      [from, to, publisherId],
    ),
    db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM callbacks cb
        WHERE cb.status = 'failed' AND cb.failed_at >= $1::timestamptz - interval '24 hours'
          AND ($2::text IS NULL OR cb.conversion_id IN (SELECT id FROM conversions WHERE publisher_id = $2))`,
      [to, publisherId],
    ),
    db.query<{ publisher_id: string; cause: FailureCauseCode; count: number }>(
      `SELECT c.publisher_id, a.cause, count(*)::int AS count
         FROM callback_attempts a JOIN conversions c ON c.id = a.conversion_id
        WHERE a.outcome = 'failed' AND a.cause IS NOT NULL AND a.started_at >= $1 AND a.started_at < $2
          AND ($3::text IS NULL OR c.publisher_id = $3)
        GROUP BY c.publisher_id, a.cause
        ORDER BY count DESC, c.publisher_id, a.cause`,
      [from, to, publisherId],
    ),
  ]);
  return {
    from,
    to,
    hourly: hourly.rows,
    failedLast24h: failed.rows[0].count,
    // The column's CHECK holds every stored cause to FAILURE_CAUSE_CODES.
    causesByPublisher: causes.rows.map((row) => ({ publisherId: row.publisher_id, cause: row.cause, label: describeFailureCause(row.cause).label, count: row.count })),
  };
}
