import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities, AttemptLogEntry } from '../activities';
import { FINAL_FAILURE_TYPES } from '../delivery/failure-types';
import { maximumIntervalMs } from '../delivery/retry-schedule';
import { deliveryStateQuery, resendSignal, type ConversionCallbackInput, type DeliveryState } from './signals';

// Bookkeeping writes do not depend on the input; they retry until Postgres answers, so a Failed mark is never lost.
const { markCallbackFailed, markCallbackPending } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

type CycleResult =
  | { kind: 'sent'; attempts: AttemptLogEntry[] }
  | { kind: 'failed'; error: string; attempts: AttemptLogEntry[] }
  | { kind: 'resend' };

/** The last error and the attempt log of a failed cycle (the activity puts the log in the failure's details). */
function cycleFailure(err: ActivityFailure): CycleResult {
  // instanceof is reliable here: the workflow and its failures live in the same sandbox.
  const cause = err.cause;
  const log = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return { kind: 'failed', error: cause?.message ?? err.message, attempts: Array.isArray(log) ? (log as AttemptLogEntry[]) : [] };
}

/**
 * Delivers one conversion's callback: cycles of attempts (Temporal's activity retries, with the configured
 * backoff) until one succeeds. A resend signal starts a new cycle at once, cutting a backoff wait short; after a
 * final failure the callback is Failed and the workflow waits for a resend during the resend window.
 */
export async function conversionCallbackWorkflow(input: ConversionCallbackInput): Promise<DeliveryState> {
  // The retry policy is part of the input (it comes from the configuration when the delivery starts and stays
  // fixed for the run), so this proxy is built once here rather than at module top, where the input is unknown.
  const { deliverCallback } = proxyActivities<Activities>({
    startToCloseTimeout: input.attemptTimeoutMs,
    retry: {
      initialInterval: input.retry.initialIntervalMs,
      backoffCoefficient: input.retry.backoffCoefficient,
      maximumAttempts: input.retry.maximumAttempts,
      maximumInterval: maximumIntervalMs(input.retry),
      nonRetryableErrorTypes: [...FINAL_FAILURE_TYPES, 'ConversionNotFound'],
    },
  });
  const { conversionId } = input;
  const state: DeliveryState = {
    conversionId,
    status: 'delivering',
    cycles: 0,
    trigger: 'automatic',
    lastError: null,
    lastResendRequestedBy: null,
    attempts: [],
  };
  let resendRequested = false;
  setHandler(resendSignal, ({ requestedBy }) => {
    resendRequested = true;
    state.lastResendRequestedBy = requestedBy;
  });
  setHandler(deliveryStateQuery, () => state);

  /** Runs the activity in its own scope, so that a resend can cancel it (and its backoff wait) at once. */
  async function deliveryCycle(): Promise<CycleResult> {
    let result: CycleResult | undefined;
    const scope = new CancellationScope();
    const requestedBy = state.trigger === 'manual' ? state.lastResendRequestedBy : null;
    void scope.run(() => deliverCallback({ conversionId, trigger: state.trigger, requestedBy, retry: input.retry })).then(
      (attempts) => {
        result = { kind: 'sent', attempts };
      },
      (err: unknown) => {
        // A cancellation is ours (a resend) or the workflow's own, which also cancels the wait below and ends it.
        if (err instanceof ActivityFailure && !isCancellation(err)) result = cycleFailure(err);
      },
    );
    await condition(() => result !== undefined || resendRequested);
    if (result) return result;
    scope.cancel();
    return { kind: 'resend' };
  }

  for (;;) {
    // A resend that came with the start (signal-with-start on a closed workflow) makes the first cycle manual.
    state.trigger = state.cycles === 0 && !resendRequested ? 'automatic' : 'manual';
    state.cycles += 1;
    state.status = 'delivering';
    if (state.trigger === 'manual') await markCallbackPending({ conversionId });
    // Resends that came before this cycle's attempt are answered by it.
    resendRequested = false;
    const result = await deliveryCycle();
    if (result.kind === 'resend') continue;
    state.attempts = result.attempts;
    if (result.kind === 'sent') {
      state.status = 'sent';
      state.lastError = null;
      if (resendRequested) continue;
      return state;
    }
    state.status = 'failed';
    state.lastError = result.error;
    await markCallbackFailed({ conversionId, lastError: result.error });
    if (!(await condition(() => resendRequested, input.resendWindowMs))) {
      throw ApplicationFailure.create({
        type: 'CallbackDeliveryFailed',
        message: `callback of conversion ${conversionId} failed (${result.error}) and no resend came within the resend window`,
        nonRetryable: true,
        details: [state],
      });
    }
  }
}
