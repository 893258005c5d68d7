import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type pg from 'pg';
import type { Logger } from '../logger';
import { buildCallbackRequest } from '../delivery/callback-request';
import { classifyOutcome, nextDelayMs } from '../delivery/classify';
import { failedAttemptOf, failureCauseCode } from '../delivery/failure-cause';
import type { HttpSender } from '../delivery/http-sender';
import { maximumIntervalMs, retryDelayMs, type RetrySettings } from '../delivery/retry-schedule';
import { observeAttempt } from '../metrics/delivery';
import { recordedOutcome, toLogEntry, type AttemptLogEntry, type Trigger } from './attempt-log';
import { beginAttempt, finishAttempt } from './attempt-store';
import { loadDeliveryTarget } from './delivery-target';
import { writeUntilRecorded } from './write-until-recorded';

export interface DeliverCallbackInput {
  conversionId: string;
  /** What started this delivery cycle: the first trigger, or an operator's resend. */
  trigger: Trigger;
  /** Who asked for the resend that started this cycle (manual cycles); recorded on its first attempt. */
  requestedBy?: string | null;
  /** The cycle's retry policy, as the workflow gave it to Temporal: the activity needs it for `next_retry_at`. */
  retry: RetrySettings;
}

export interface DeliveryDeps {
  pool: pg.Pool;
  http: HttpSender;
  retryableStatusCodes: readonly number[];
  timeoutCeilingMs: number;
  logger: Logger;
}

/** Time kept back at the end of an attempt for one last write (a pooled connection may take this long to come). */
const WRITE_MARGIN_MS = 16_000;

/**
 * One attempt = one HTTP request. Temporal's retry policy makes the next attempts; each one is recorded in
 * Postgres and carries the cycle's attempt log to the Web UI: in its heartbeat while it runs, in the failure's
 * details when it fails (so the final failure shows every attempt). Returns the log on success.
 */
export async function deliverCallback(deps: DeliveryDeps, input: DeliverCallbackInput): Promise<AttemptLogEntry[]> {
  const context = Context.current();
  const { info } = context;
  const { conversionId } = input;
  // One cycle = one activity of one workflow run; its retries share this prefix.
  const cycleKey = `${info.workflowExecution?.runId ?? 'standalone'}/${info.activityId}`;
  const attemptKey = `${cycleKey}/${info.attempt}`;
  // The operator's resend is the cycle's first attempt; the retries that follow it are automatic.
  const trigger = info.attempt === 1 ? input.trigger : 'automatic';

  const target = await loadDeliveryTarget(deps.pool, conversionId);
  const requestedBy = trigger === 'manual' ? (input.requestedBy ?? null) : null;
  const started = await beginAttempt(deps.pool, { conversionId, attemptKey, cycleKey, trigger, requestedBy });
  const attemptNumber = started.row.attempt_number;
  // The cycle's rows come with the attempt's: after the outcome is written, only this attempt's row has changed.
  const cycleRows = started.cycle;
  // The log so far, for the Web UI while this attempt runs; a cycle's first attempt has nothing to show yet, and its
  // heartbeat would cost Temporal a call per callback (on success the SDK drops the last one; on failure it is sent).
  if (cycleRows.length > 1) context.heartbeat(cycleRows.map(toLogEntry));

  // The same attempt running again (not a retry: the same attempt key) answers what it recorded, without sending.
  const replayed = started.created ? undefined : recordedOutcome(started.row);
  const outcome =
    replayed ??
    (await deps.http.send(
      buildCallbackRequest(target.publisher, target.conversion, { nowMs: Date.now(), timeoutCeilingMs: deps.timeoutCeilingMs }),
    ));
  const verdict = classifyOutcome(outcome, deps.retryableStatusCodes, target.publisher.successRule ?? null);
  const scheduledDelayMs = retryDelayMs(input.retry, info.attempt);
  const delayMs =
    verdict.verdict === 'retryable' && info.attempt < input.retry.maximumAttempts
      ? nextDelayMs(scheduledDelayMs, verdict.retryAfterMs, maximumIntervalMs(input.retry))
      : null;
  const error = verdict.verdict === 'success' ? null : verdict.message;
  const cause = verdict.verdict === 'success' ? null : failureCauseCode(failedAttemptOf(outcome));
  const finished = replayed
    ? started.row
    : await writeUntilRecorded(
        () =>
          finishAttempt(deps.pool, { conversionId, attemptKey, attemptNumber }, outcome, {
            succeeded: verdict.verdict === 'success',
            error,
            cause,
            nextRetryDelayMs: delayMs,
          }),
        {
          // What the activity's timeout leaves, less one wait for a pooled connection: past it, the write fails
          // and Temporal's next attempt sends again (with the same Idempotency-Key).
          budgetMs: info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs - Date.now() - WRITE_MARGIN_MS,
          onRetry: (err) => deps.logger.warn('attempt outcome not recorded yet, retrying the write', { conversionId, error: err }),
        },
      );
  if (!replayed) observeAttempt(finished, { verdict, cause, retrying: delayMs !== null }, target.timeline);
  const log = cycleRows.map((row) => toLogEntry(row.attempt_number === attemptNumber ? finished : row));
  deps.logger.info('callback attempt', {
    conversionId,
    attempt: attemptNumber,
    trigger,
    result: verdict.verdict,
    statusCode: outcome.kind === 'response' ? outcome.status : undefined,
    errorClass: outcome.kind === 'error' ? outcome.errorClass : undefined,
    durationMs: outcome.durationMs,
    nextRetryDelayMs: delayMs ?? undefined,
  });

  // The result carries the log of a success. After a failure the Web UI shows the last heartbeat while the next
  // retry waits: the log with this attempt's outcome (the SDK sends a failed attempt's last heartbeat with it).
  if (verdict.verdict === 'success') return log;
  context.heartbeat(log);
  const failure = ApplicationFailure.create({
    type: verdict.type,
    message: `attempt ${attemptNumber}: ${verdict.message}`,
    nonRetryable: verdict.verdict === 'final',
    details: [log],
    // Only a Retry-After longer than the schedule overrides Temporal's own backoff.
    ...(delayMs !== null && delayMs > scheduledDelayMs ? { nextRetryDelay: delayMs } : {}),
  });
  // The publisher's answer is the whole story: a stack trace of our own code would only be noise in the Web UI.
  failure.stack = '';
  throw failure;
}
