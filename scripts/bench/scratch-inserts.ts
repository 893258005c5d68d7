/**
 * The intake baseline: single-row INSERTs of a conversion's row into a scratch copy of the conversions table (same
 * columns, defaults and indexes; no foreign key), on the service's Postgres, through a pool of the API's size.
 */
import type pg from 'pg';
import { silentLogger } from '../../src/logger';
import { API_POOL, createPool } from '../../src/db/pool';
import { workflowIdFor } from '../../src/temporal/callback-scheduler';

const TABLE = 'bench_scratch_conversions';
/** A sha256 in hex, as long as the API's payload hash. */
const PAYLOAD_HASH = 'ab'.repeat(32);

export class ScratchInserts {
  private constructor(private readonly pool: pg.Pool) {}

  static async create(databaseUrl: string): Promise<ScratchInserts> {
    const pool = createPool(databaseUrl, silentLogger, API_POOL);
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (LIKE conversions INCLUDING ALL)`);
    return new ScratchInserts(pool);
  }

  /** One row, with the values the API stores for a conversion posted by the bench. */
  async insert(id: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${TABLE} (id, publisher_id, click_id, event_id, offer_id, payout, user_id, extras, payload_hash, workflow_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [id, 'bench', 'c', 'e', 'o', '1', 'u', '{}', PAYLOAD_HASH, workflowIdFor(id)],
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
