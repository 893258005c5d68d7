/**
 * The retry schedule of one delivery cycle. Pure (no Node built-ins): the workflow builds its activity retry
 * policy from it and the activity computes `next_retry_at` from it, so both always agree.
 */
export interface RetrySettings {
  initialIntervalMs: number;
  backoffCoefficient: number;
  /** Attempts per delivery cycle, the first one included. */
  maximumAttempts: number;
}

/** Temporal's default maximumInterval is 100 × initialInterval; set explicitly so that the schedule is ours. */
const MAXIMUM_INTERVAL_FACTOR = 100;

export function maximumIntervalMs(retry: RetrySettings): number {
  return retry.initialIntervalMs * MAXIMUM_INTERVAL_FACTOR;
}

/** Delay after the failed attempt number `attempt` (1-based): initial × coefficient^(attempt − 1), capped. */
export function retryDelayMs(retry: RetrySettings, attempt: number): number {
  return Math.min(retry.initialIntervalMs * retry.backoffCoefficient ** (attempt - 1), maximumIntervalMs(retry));
}
