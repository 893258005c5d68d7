import type pg from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { CallbackScheduler } from '../temporal/callback-scheduler';

/** What the API is built from; tests pass a real pool and either the real scheduler or a failing double. */
export interface ApiDeps {
  pool: pg.Pool;
  scheduler: CallbackScheduler;
  config: Config;
  logger: Logger;
}
