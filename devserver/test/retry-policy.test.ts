/** The retry computation and policy rules, against the numbers Temporal's servers produce. */
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { decideRetry, isRetryableFailure, normalizeActivityRetryPolicy, normalizeWorkflowRetryPolicy } from '../src/core/retry-policy';

const RetryState = temporal.api.enums.v1.RetryState;
const appFailure = (extra: object = {}) => ({ message: 'x', applicationFailureInfo: { type: 'Oops', ...extra } });

describe('activity retry policy defaults', () => {
  test('an absent policy gets 1 s, coefficient 2, maximum interval 100 × initial, unlimited attempts', () => {
    expect(normalizeActivityRetryPolicy(undefined)).toEqual({
      initialIntervalMs: 1000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 0,
      nonRetryableErrorTypes: [],
    });
  });

  test('the maximum interval default follows a given initial interval', () => {
    expect(normalizeActivityRetryPolicy({ initialInterval: { seconds: 120 } }).maximumIntervalMs).toBe(12_000_000);
  });

  test.each([
    [{ backoffCoefficient: 0.5 }, 'BackoffCoefficient cannot be less than 1'],
    [{ initialInterval: { seconds: 10 }, maximumInterval: { seconds: 5 } }, 'MaximumInterval cannot be less than InitialInterval'],
    [{ maximumAttempts: -1 }, 'MaximumAttempts cannot be negative'],
  ])('%j is refused with INVALID_ARGUMENT', (policy, message) => {
    expect(() => normalizeActivityRetryPolicy(policy)).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT, message: expect.stringContaining(message) }));
  });

  test('with a single attempt nothing else is validated', () => {
    expect(() => normalizeActivityRetryPolicy({ maximumAttempts: 1, backoffCoefficient: 0.5 })).not.toThrow();
  });

  test('workflows: no policy means no retries, and the maximum interval is not defaulted', () => {
    expect(normalizeWorkflowRetryPolicy(undefined)).toBeUndefined();
    expect(normalizeWorkflowRetryPolicy({ initialInterval: { seconds: 3 } })?.maximumIntervalMs).toBe(0);
  });
});

describe('next delay', () => {
  const policy = normalizeActivityRetryPolicy({ initialInterval: { seconds: 120 }, backoffCoefficient: 2, maximumAttempts: 6 });

  test('2, 4, 8, 16, 32 minutes, then MAXIMUM_ATTEMPTS_REACHED on the sixth failure', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => decideRetry(policy, attempt, appFailure(), 0, 0));
    expect(delays.map((d) => ('delayMs' in d ? d.delayMs / 60_000 : d.state))).toEqual([2, 4, 8, 16, 32]);
    expect(decideRetry(policy, 6, appFailure(), 0, 0)).toEqual({ state: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED });
  });

  test('the maximum interval caps the delay', () => {
    const capped = normalizeActivityRetryPolicy({ initialInterval: { seconds: 60 }, backoffCoefficient: 10, maximumInterval: { seconds: 300 } });
    expect(decideRetry(capped, 3, appFailure(), 0, 0)).toEqual({ state: RetryState.RETRY_STATE_IN_PROGRESS, delayMs: 300_000 });
  });

  test('nextRetryDelay is used as given, beyond the maximum interval', () => {
    const failure = appFailure({ nextRetryDelay: { seconds: 3600 } });
    expect(decideRetry(policy, 1, failure, 0, 0)).toEqual({ state: RetryState.RETRY_STATE_IN_PROGRESS, delayMs: 3_600_000 });
  });

  test('a retry that would pass the expiration is TIMEOUT', () => {
    expect(decideRetry(policy, 2, appFailure(), 1_000, 1_000 + 4 * 60_000 - 1)).toEqual({ state: RetryState.RETRY_STATE_TIMEOUT });
    expect(decideRetry(policy, 2, appFailure(), 1_000, 1_000 + 4 * 60_000)).toMatchObject({ delayMs: 240_000 });
  });
});

describe('retryable failures', () => {
  const policy = normalizeActivityRetryPolicy({ nonRetryableErrorTypes: ['Fatal', 'TemporalTimeout:Heartbeat'] });
  test.each([
    ['a plain application failure', appFailure(), true],
    ['nonRetryable flag', appFailure({ nonRetryable: true }), false],
    ['a type listed as non-retryable', { applicationFailureInfo: { type: 'Fatal' } }, false],
    ['a start-to-close timeout', { timeoutFailureInfo: { timeoutType: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE } }, true],
    ['a heartbeat timeout listed as TemporalTimeout:Heartbeat', { timeoutFailureInfo: { timeoutType: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT } }, false],
    ['a cancellation', { canceledFailureInfo: {} }, false],
  ])('%s → retryable %s', (_name, failure, retryable) => {
    expect(isRetryableFailure(failure, policy)).toBe(retryable);
    if (!retryable) expect(decideRetry(policy, 1, failure, 0, 0)).toEqual({ state: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE });
  });
});
