import pg from 'pg';
import type { Logger } from '../logger';

export interface PoolOptions {
  max?: number;
  /** How long a query may wait for a free connection before it fails. */
  connectionTimeoutMs?: number;
}

/** The API answers 503 soon when Postgres is unreachable or saturated; its caller retries. */
export const API_POOL: PoolOptions = { max: 10, connectionTimeoutMs: 5_000 };
/**
 * The worker's attempts may queue for a connection rather than fail: an outcome that cannot be written in time
 * leaves the attempt to be sent again. Sized above the API's: every running attempt holds one while it writes.
 */
export const WORKER_POOL: PoolOptions = { max: 20, connectionTimeoutMs: 15_000 };
/** The outbox dispatcher holds one connection per round (its transaction); a second covers a round that overlaps a stop. */
export const DISPATCH_POOL: PoolOptions = { max: 2, connectionTimeoutMs: 15_000 };

/**
 * A pg Pool for `url`. A connection that dies (Postgres restarted, pg_terminate_backend, a network cut) emits
 * 'error': on the pool while the client is idle, on the client itself while it is checked out (in a transaction,
 * in the migrations). Either without a listener would crash the process; both are logged, the query in progress
 * fails on its own, and the pool replaces the client.
 */
export function createPool(url: string, logger: Logger, options: PoolOptions = API_POOL): pg.Pool {
  // A bounded wait for a connection turns "Postgres is down" into an error instead of a request that hangs.
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? API_POOL.max,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? API_POOL.connectionTimeoutMs,
  });
  pool.on('error', (err) => logger.warn('idle Postgres connection failed', { error: err.message }));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn('Postgres connection failed', { error: err.message })));
  return pool;
}
