/**
 * The intake baseline: INSERTs of conversion rows into a scratch copy of the conversions table (same columns,
 * defaults and indexes; no foreign key), on the service's Postgres, through a pool of the API's size. One row per
 * statement against single POSTs; many rows per statement (unnest, as the API's intake does) against batches.
 */
import type pg from 'pg';
import { silentLogger } from '../../src/logger';
import { API_POOL, createPool } from '../../src/db/pool';
import { workflowIdFor } from '../../src/temporal/callback-scheduler';

const TABLE = 'bench_scratch_conversions';
/** A sha256 in hex, as long as the API's payload hash. */
const PAYLOAD_HASH = 'ab'.repeat(32);
/** The columns the API's intake writes: the id, SAME_VALUES in order, the workflow id. */
const COLUMNS = 'id, publisher_id, click_id, event_id, offer_id, payout, user_id, extras, payload_hash, workflow_id';
/** The values every row shares: those the API stores for a conversion posted by the bench. */
const SAME_VALUES = ['bench', 'c', 'e', 'o', '1', 'u', '{}', PAYLOAD_HASH];

export class ScratchInserts {
  private constructor(private readonly pool: pg.Pool) {}

  static async create(databaseUrl: string): Promise<ScratchInserts> {
    const pool = createPool(databaseUrl, silentLogger, API_POOL);
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (LIKE conversions INCLUDING ALL)`);
    return new ScratchInserts(pool);
  }

  /** One row. */
  async insert(id: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${TABLE} (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [id, ...SAME_VALUES, workflowIdFor(id)],
    );
  }

  /** These rows in one statement. */
  async insertMany(ids: readonly string[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${TABLE} (${COLUMNS})
       SELECT id, publisher_id, click_id, event_id, offer_id, payout, user_id, extras::jsonb, payload_hash, workflow_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[], $10::text[])
           AS i(${COLUMNS})`,
      [ids, ...SAME_VALUES.map((value) => ids.map(() => value)), ids.map(workflowIdFor)],
    );
  }

  /** Drops the table and closes the pool. */
  async close(): Promise<void> {
    try {
      await this.pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
    } finally {
      await this.pool.end();
    }
  }
}
