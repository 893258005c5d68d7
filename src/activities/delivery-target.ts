import type pg from 'pg';
import { ApplicationFailure } from '@temporalio/common';
import type { ConversionRow } from '../db/conversions';
import { ENDPOINT_COLUMNS, toPublisherEndpoint, type EndpointRow } from '../db/publishers';
import type { ConversionRecord, PublisherEndpoint } from '../delivery/callback-request';
import type { CallbackTimeline } from '../metrics/delivery';

/**
 * Loads what one attempt needs from Postgres. It is read again on every attempt, so that a publisher who fixes
 * their endpoint between retries is reached at the new one, and secrets never travel through workflow history.
 */
export interface DeliveryTarget {
  conversion: ConversionRecord;
  publisher: PublisherEndpoint;
  /** For the delivery latency metrics. */
  timeline: CallbackTimeline;
}

type TargetRow = Pick<ConversionRow, 'id' | 'publisher_id' | 'click_id' | 'event_id' | 'offer_id' | 'payout' | 'user_id' | 'extras'> &
  EndpointRow & { created_at: Date; sent_before: boolean };

export async function loadDeliveryTarget(pool: pg.Pool, conversionId: string): Promise<DeliveryTarget> {
  const result = await pool.query<TargetRow>(
    `SELECT c.id, c.publisher_id, c.click_id, c.event_id, c.offer_id, c.payout::text AS payout, c.user_id, c.extras,
            ${ENDPOINT_COLUMNS}, c.created_at, cb.sent_at IS NOT NULL AS sent_before
       FROM conversions c JOIN publishers p ON p.id = c.publisher_id JOIN callbacks cb ON cb.conversion_id = c.id
      WHERE c.id = $1`,
    [conversionId],
  );
  const row = result.rows[0];
  if (!row) {
    throw ApplicationFailure.create({
      type: 'ConversionNotFound',
      message: `conversion ${conversionId} is not in the database`,
      nonRetryable: true,
    });
  }
  return {
    conversion: {
      id: row.id,
      publisherId: row.publisher_id,
      clickId: row.click_id,
      eventId: row.event_id,
      offerId: row.offer_id,
      payout: row.payout,
      userId: row.user_id,
      extras: row.extras,
    },
    publisher: toPublisherEndpoint(row.publisher_id, row),
    timeline: { conversionCreatedAt: row.created_at, sentBefore: row.sent_before },
  };
}
