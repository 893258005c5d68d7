/**
 * Retry policies as the Temporal servers apply them: defaults, validation, and the next-delay computation.
 * (Temporal: common/retrypolicy, service/history/workflow/retry.go; Java test server: TestServiceRetryState.)
 */
import { RetryPolicy, durationToMs, msToDuration, enums, Failure } from '../proto';
import { invalidArgument } from '../transport/rpc-error';

const RetryState = enums.RetryState;
type RetryState = enums.RetryState;

export interface NormalizedRetryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  /** 0 means uncapped. */
  maximumIntervalMs: number;
  /** 0 means unlimited. */
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

/** Fills the defaults Temporal fills for activities (1 s, ×2, 100 × initial, unlimited) and validates the result. */
export function normalizeActivityRetryPolicy(policy: RetryPolicy | null | undefined): NormalizedRetryPolicy {
  const initialIntervalMs = durationToMs(policy?.initialInterval) || 1000;
  const normalized: NormalizedRetryPolicy = {
    initialIntervalMs,
    backoffCoefficient: policy?.backoffCoefficient || 2,
    maximumIntervalMs: durationToMs(policy?.maximumInterval) || 100 * initialIntervalMs,
    maximumAttempts: policy?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: [...(policy?.nonRetryableErrorTypes ?? [])],
  };
  validateRetryPolicy(normalized);
  return normalized;
}

/**
 * A workflow retry policy: absent means no retries. Given ones get the initial interval and coefficient defaults;
 * the maximum interval is not defaulted (0 = uncapped), as in the Java test server.
 */
export function normalizeWorkflowRetryPolicy(policy: RetryPolicy | null | undefined): NormalizedRetryPolicy | undefined {
  if (!policy) return undefined;
  const normalized: NormalizedRetryPolicy = {
    initialIntervalMs: durationToMs(policy.initialInterval) || 1000,
    backoffCoefficient: policy.backoffCoefficient || 2,
    maximumIntervalMs: durationToMs(policy.maximumInterval),
    maximumAttempts: policy.maximumAttempts ?? 0,
    nonRetryableErrorTypes: [...(policy.nonRetryableErrorTypes ?? [])],
  };
  validateRetryPolicy(normalized);
  return normalized;
}

function validateRetryPolicy(p: NormalizedRetryPolicy): void {
  if (p.maximumAttempts === 1) return; // Temporal accepts anything when no retry will ever happen.
  if (p.initialIntervalMs < 0) throw invalidArgument('InitialInterval cannot be negative on retry policy.');
  if (p.backoffCoefficient < 1) throw invalidArgument('BackoffCoefficient cannot be less than 1 on retry policy.');
  if (p.maximumIntervalMs < 0) throw invalidArgument('MaximumInterval cannot be negative on retry policy.');
  if (p.maximumIntervalMs > 0 && p.maximumIntervalMs < p.initialIntervalMs) {
    throw invalidArgument('MaximumInterval cannot be less than InitialInterval on retry policy.');
  }
  if (p.maximumAttempts < 0) throw invalidArgument('MaximumAttempts cannot be negative on retry policy.');
}

export function toProtoRetryPolicy(p: NormalizedRetryPolicy): RetryPolicy {
  return {
    initialInterval: msToDuration(p.initialIntervalMs),
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: p.maximumIntervalMs > 0 ? msToDuration(p.maximumIntervalMs) : null,
    maximumAttempts: p.maximumAttempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  };
}

export type RetryDecision = { state: typeof RetryState.RETRY_STATE_IN_PROGRESS; delayMs: number } | { state: RetryState };

/** Whether a failure can be retried at all, before looking at attempts and time. */
export function isRetryableFailure(failure: Failure | null | undefined, policy: NormalizedRetryPolicy): boolean {
  if (!failure) return true;
  if (failure.terminatedFailureInfo || failure.canceledFailureInfo) return false;
  const app = failure.applicationFailureInfo;
  if (app?.nonRetryable) return false;
  if (app?.type && policy.nonRetryableErrorTypes.includes(app.type)) return false;
  if (failure.serverFailureInfo?.nonRetryable) return false;
  const timeout = failure.timeoutFailureInfo?.timeoutType;
  if (timeout === enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) {
    return !policy.nonRetryableErrorTypes.includes('TemporalTimeout:StartToClose');
  }
  if (timeout === enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
    return !policy.nonRetryableErrorTypes.includes('TemporalTimeout:Heartbeat');
  }
  return true;
}

/**
 * The decision after attempt `attempt` (1-based) failed at `nowMs`: retry after a delay, or the retry state that
 * stops retrying. `expirationMs` of 0 means no expiration.
 */
export function decideRetry(
  policy: NormalizedRetryPolicy,
  attempt: number,
  failure: Failure | null | undefined,
  nowMs: number,
  expirationMs: number,
): RetryDecision {
  if (!isRetryableFailure(failure, policy)) return { state: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { state: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  }
  const explicitDelay = failure?.applicationFailureInfo?.nextRetryDelay;
  let delayMs: number;
  if (explicitDelay) {
    // The activity asked for this delay: it is used as-is, not capped by the maximum interval.
    delayMs = durationToMs(explicitDelay);
  } else {
    delayMs = Math.floor(policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, attempt - 1));
    if (policy.maximumIntervalMs > 0 && (delayMs > policy.maximumIntervalMs || !isFinite(delayMs) || delayMs <= 0)) {
      delayMs = policy.maximumIntervalMs;
    } else if (!isFinite(delayMs) || delayMs <= 0) {
      return { state: RetryState.RETRY_STATE_TIMEOUT };
    }
  }
  if (expirationMs > 0 && nowMs + delayMs > expirationMs) return { state: RetryState.RETRY_STATE_TIMEOUT };
  return { state: RetryState.RETRY_STATE_IN_PROGRESS, delayMs };
}
