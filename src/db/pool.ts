import pg from 'pg';
import type { Logger } from '../logger';

/**
 * A pg Pool for `url`. A connection that dies (Postgres restarted, pg_terminate_backend, a network cut) emits
 * 'error': on the pool while the client is idle, on the client itself while it is checked out (in a transaction,
 * in the migrations). Either without a listener would crash the process; both are logged, the query in progress
 * fails on its own, and the pool replaces the client.
 */
export function createPool(url: string, logger: Logger, options: { max?: number } = {}): pg.Pool {
  // A bounded connect timeout turns "Postgres is down" into an error (a 503) instead of a request that hangs.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  pool.on('error', (err) => logger.warn('idle Postgres connection failed', { error: err.message }));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn('Postgres connection failed', { error: err.message })));
  return pool;
}
