import pg from 'pg';
import type { Logger } from '../logger';

/**
 * A pg Pool for `url`. An idle client that loses its connection emits 'error' on the pool; without a listener
 * that would crash the process, so it is logged and the pool replaces the client on next use.
 */
export function createPool(url: string, logger: Logger, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  pool.on('error', (err) => logger.warn('idle Postgres connection failed', { error: err.message }));
  return pool;
}
