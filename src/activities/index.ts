import type pg from 'pg';
import type { Config } from '../config';
import { httpSenderFor, type HttpSender } from '../delivery/http-sender';
import { createLogger, type Logger } from '../logger';
import { markCallbackFailed, markCallbackPending } from './attempt-store';
import { deliverCallback, type DeliverCallbackInput } from './deliver-callback';

export type { AttemptLogEntry } from './attempt-log';
export type { DeliverCallbackInput } from './deliver-callback';

export interface ActivityDeps {
  pool: pg.Pool;
  config: Pick<Config, 'RETRYABLE_STATUS_CODES' | 'CALLBACK_TIMEOUT' | 'ALLOW_PRIVATE_TARGETS' | 'CALLBACK_SOCKETS_PER_ORIGIN'>;
  /** Defaults to the real sender behind the SSRF guard; tests may inject another. */
  http?: HttpSender;
  logger?: Logger;
}

/** The worker's activities, with their dependencies injected (the samples' activities-dependency-injection). */
export function createActivities({ pool, config, http, logger }: ActivityDeps) {
  const deps = {
    pool,
    http: http ?? httpSenderFor(config),
    retryableStatusCodes: config.RETRYABLE_STATUS_CODES,
    timeoutCeilingMs: config.CALLBACK_TIMEOUT,
    logger: (logger ?? createLogger()).child({ component: 'delivery' }),
  };
  return {
    deliverCallback: (input: DeliverCallbackInput) => deliverCallback(deps, input),
    /** A delivery cycle ended without success: the callback is Failed until a resend. */
    markCallbackFailed: (input: { conversionId: string; lastError: string }) =>
      markCallbackFailed(pool, input.conversionId, input.lastError),
    /** A resend starts a new delivery cycle. */
    markCallbackPending: (input: { conversionId: string }) => markCallbackPending(pool, input.conversionId),
  };
}

export type Activities = ReturnType<typeof createActivities>;
