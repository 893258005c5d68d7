import type pg from 'pg';
import type { NewConversion } from './conversions';

/** What became of one conversion of an intake statement. */
export type IntakeOutcome =
  | { kind: 'created'; createdAt: Date }
  | { kind: 'existing'; payloadHash: string }
  | { kind: 'unknown_publisher' };

/**
 * One statement, so one round trip and one implicit transaction: the conversions, their pending callbacks and
 * their outbox entries are all written or none is. Conversions of unknown publishers are left out (instead of one
 * foreign-key error failing the whole batch) and reported. `ON CONFLICT DO NOTHING` names no arbiter on purpose:
 * two concurrent inserts of one id also collide on the `workflow_id` unique index (derived from the id).
 * The inserts run in id order, so that two batches sharing ids wait for each other instead of deadlocking.
 * `existing_hash` reads the snapshot taken when the statement began: a row committed by a concurrent insert after
 * that is read again by `storedHashes`.
 */
const INTAKE_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[], $10::text[])
      AS i(id, publisher_id, click_id, event_id, offer_id, payout, user_id, extras, payload_hash, workflow_id)
  ),
  known AS (
    SELECT input.* FROM input WHERE EXISTS (SELECT 1 FROM publishers p WHERE p.id = input.publisher_id)
  ),
  inserted AS (
    INSERT INTO conversions (id, publisher_id, click_id, event_id, offer_id, payout, user_id, extras, payload_hash, workflow_id)
    SELECT id, publisher_id, click_id, event_id, offer_id, payout, user_id, extras::jsonb, payload_hash, workflow_id
      FROM known ORDER BY id
    ON CONFLICT DO NOTHING
    RETURNING id, publisher_id, created_at
  ),
  pending_callbacks AS (
    INSERT INTO callbacks (conversion_id, status) SELECT id, 'pending' FROM inserted
  ),
  outbox AS (
    INSERT INTO delivery_outbox (conversion_id, publisher_id, enqueued_at) SELECT id, publisher_id, created_at FROM inserted
  )
  SELECT input.id, inserted.created_at, stored.payload_hash AS existing_hash, known.id IS NOT NULL AS publisher_known
    FROM input
    LEFT JOIN inserted ON inserted.id = input.id
    LEFT JOIN known ON known.id = input.id
    LEFT JOIN conversions stored ON stored.id = input.id`;

interface IntakeRow {
  id: string;
  created_at: Date | null;
  existing_hash: string | null;
  publisher_known: boolean;
}

async function storedHashes(db: pg.Pool, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; payload_hash: string }>('SELECT id, payload_hash FROM conversions WHERE id = ANY($1)', [ids]);
  return new Map(rows.map((row) => [row.id, row.payload_hash]));
}

/**
 * Records conversions (ids must be distinct) with their pending callbacks and outbox entries; the outcomes in the
 * order of `conversions`.
 */
export async function insertConversions(db: pg.Pool, conversions: readonly NewConversion[]): Promise<IntakeOutcome[]> {
  const column = <K extends keyof NewConversion>(key: K) => conversions.map((c) => c[key]);
  const { rows } = await db.query<IntakeRow>(INTAKE_SQL, [
    column('id'),
    column('publisherId'),
    column('clickId'),
    column('eventId'),
    column('offerId'),
    column('payout'),
    column('userId'),
    conversions.map((c) => JSON.stringify(c.extras)),
    column('payloadHash'),
    column('workflowId'),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  // Neither inserted nor seen: a concurrent insert of the same id committed while this statement ran.
  const raced = rows.filter((row) => row.publisher_known && row.created_at === null && row.existing_hash === null).map((row) => row.id);
  const racedHashes = raced.length > 0 ? await storedHashes(db, raced) : new Map<string, string>();

  return conversions.map(({ id }): IntakeOutcome => {
    const row = byId.get(id);
    if (!row) throw new Error(`intake statement returned no row for conversion ${id}`);
    if (!row.publisher_known) return { kind: 'unknown_publisher' };
    if (row.created_at) return { kind: 'created', createdAt: row.created_at };
    const payloadHash = row.existing_hash ?? racedHashes.get(id);
    if (payloadHash === undefined) throw new Error(`conversion ${id} was neither recorded nor found`);
    return { kind: 'existing', payloadHash };
  });
}
