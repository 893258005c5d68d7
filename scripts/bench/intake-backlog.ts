/**
 * What an intake burst leaves behind. The intake phase measures storing, not delivering: once a burst is measured,
 * the bench withdraws the outbox entries that the dispatcher has not started yet (and counts them), so that
 * starting them does not load the next measurement (figure 2 measures the deliveries).
 */
import type pg from 'pg';
import { createPool } from '../../src/db/pool';
import { silentLogger } from '../../src/logger';

export class IntakeBacklog {
  private constructor(private readonly pool: pg.Pool) {}

  static create(databaseUrl: string): IntakeBacklog {
    return new IntakeBacklog(createPool(databaseUrl, silentLogger, { max: 1 }));
  }

  /**
   * Deletes the outbox entries of the conversions whose id starts with `prefix` (after the dispatcher's round in
   * progress, which holds its entries locked) and answers how many there were: the conversions never started.
   */
  async withdraw(prefix: string): Promise<number> {
    const { rows } = await this.pool.query<{ withdrawn: string }>(
      `WITH withdrawn AS (DELETE FROM delivery_outbox WHERE starts_with(conversion_id, $1) RETURNING 1)
       SELECT count(*) AS withdrawn FROM withdrawn`,
      [prefix],
    );
    return Number(rows[0].withdrawn);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
