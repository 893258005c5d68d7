import pg from 'pg';
import type { Logger } from '../logger';

/**
 * A pg Pool for `url`. An idle client that loses its connection emits 'error' on the pool; without a listener
 * that would crash the process, so it is logged and the pool replaces the client on next use.
 */
export function createPool(url: string, logger: Logger, options: { max?: number } = {}): pg.Pool {
  // A bounded connect timeout turns "Postgres is down" into an error (a 503) instead of a request that hangs.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  pool.on('error', (err) => logger.warn('idle Postgres connection failed', { error: err.message }));
  return pool;
}
