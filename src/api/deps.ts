import type pg from 'pg';
import type { Config } from '../config';
import type { HttpSender } from '../delivery/http-sender';
import type { Logger } from '../logger';
import type { CallbackScheduler } from '../temporal/callback-scheduler';

/** What the API is built from; tests pass a real pool and either the real scheduler or a failing double. */
export interface ApiDeps {
  pool: pg.Pool;
  scheduler: CallbackScheduler;
  /** Sends test callbacks: the delivery's sender, behind the SSRF guard unless ALLOW_PRIVATE_TARGETS. */
  http: HttpSender;
  config: Config;
  logger: Logger;
  /** Told when intake wrote outbox entries, so that their workflows start at once (absent: the next round does). */
  outbox?: { nudge(): void };
}
