import type pg from 'pg';
import type { ConversionRef } from '../temporal/callback-scheduler';

/** The longest wait before an entry that Temporal refused (for a reason other than an outage) is tried again. */
const MAX_POSTPONE_SECONDS = 300;

/**
 * Locks up to `limit` due outbox entries, oldest first, for the transaction open on `client`. SKIP LOCKED lets
 * several dispatchers (one per API process) share the outbox without waiting for each other or taking an entry twice.
 */
export async function claimDueEntries(client: pg.ClientBase, limit: number): Promise<ConversionRef[]> {
  const { rows } = await client.query<{ conversion_id: string; publisher_id: string }>(
    `SELECT conversion_id, publisher_id FROM delivery_outbox
      WHERE next_attempt_at <= now()
      ORDER BY next_attempt_at, enqueued_at
      LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map((row) => ({ conversionId: row.conversion_id, publisherId: row.publisher_id }));
}

/**
 * Temporal accepted these conversions' workflows: their outbox entries go and `workflow_started_at` keeps its first
 * value. One statement for the whole batch.
 */
export async function markDispatched(db: pg.ClientBase | pg.Pool, conversionIds: readonly string[]): Promise<void> {
  await db.query(
    `WITH dispatched AS (DELETE FROM delivery_outbox WHERE conversion_id = ANY($1))
     UPDATE conversions SET workflow_started_at = now() WHERE id = ANY($1) AND workflow_started_at IS NULL`,
    [conversionIds],
  );
}

/** Temporal refused these entries: each waits twice as long as after its previous refusal, up to five minutes. */
export async function postponeEntries(client: pg.ClientBase, conversionIds: readonly string[]): Promise<void> {
  await client.query(
    `UPDATE delivery_outbox
        SET failures = failures + 1,
            next_attempt_at = now() + least(power(2, failures), $2) * interval '1 second'
      WHERE conversion_id = ANY($1)`,
    [conversionIds, MAX_POSTPONE_SECONDS],
  );
}

export interface OutboxBacklog {
  entries: number;
}

/** How much intake waits for its workflow to start: the metrics read it (delivery_outbox_entries). */
export async function outboxBacklog(db: pg.ClientBase | pg.Pool): Promise<OutboxBacklog> {
  const { rows } = await db.query<{ entries: string }>('SELECT count(*) AS entries FROM delivery_outbox');
  return { entries: Number(rows[0].entries) };
}
