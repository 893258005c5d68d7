import { Counter, Histogram } from 'prom-client';
import type { AttemptRow } from '../activities/attempt-log';
import type { Classification } from '../delivery/classify';
import type { FailureCauseCode } from '../delivery/failure-cause';
import { processRegistry } from './registry';

/**
 * From a second (a callback sent on its first attempt) to a day (retried for hours, or resent): the default
 * schedule's retries come 2, 4, 8, 16 and 32 minutes apart.
 */
const LATENCY_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

const attempts = new Counter({
  name: 'callback_attempts_total',
  help:
    'Callback attempts by outcome (succeeded, retrying: another attempt follows, failed: none follows), failure type ' +
    'and failure cause (server_downtime, firewall_or_permission, ip_not_whitelisted, invalid_authentication, ' +
    'malformed_response, other; both none when succeeded)',
  labelNames: ['outcome', 'failure_type', 'cause'] as const,
  registers: [processRegistry],
});

const toFirstAttempt = new Histogram({
  name: 'callback_first_attempt_delay_seconds',
  help: 'Time from a conversion being recorded to the start of its first callback attempt',
  buckets: LATENCY_BUCKETS_SECONDS,
  registers: [processRegistry],
});

const toSent = new Histogram({
  name: 'callback_delivery_seconds',
  help: 'Time from a conversion being recorded to its callback being sent (the publisher acknowledged it), counted once per callback',
  buckets: LATENCY_BUCKETS_SECONDS,
  registers: [processRegistry],
});

/** What the delivery knew of the callback before this attempt. */
export interface CallbackTimeline {
  conversionCreatedAt: Date;
  /** The publisher had already acknowledged this callback (this attempt is a resend of a sent one). */
  sentBefore: boolean;
}

/** How a recorded attempt ended: its verdict, the cause it recorded (null on success), and whether a retry follows. */
export interface AttemptResult {
  verdict: Classification;
  cause: FailureCauseCode | null;
  retrying: boolean;
}

/**
 * Counts one attempt whose outcome is recorded (`row`, as written) and observes the delivery latencies it ends.
 * Both ends of a latency are Postgres times (the conversion's and the attempt's start, plus the measured duration).
 */
export function observeAttempt(row: AttemptRow, { verdict, cause, retrying }: AttemptResult, timeline: CallbackTimeline): void {
  const outcome = verdict.verdict === 'success' ? 'succeeded' : retrying ? 'retrying' : 'failed';
  attempts.inc({ outcome, failure_type: verdict.verdict === 'success' ? 'none' : verdict.type, cause: cause ?? 'none' });
  const createdMs = timeline.conversionCreatedAt.getTime();
  if (row.attempt_number === 1) toFirstAttempt.observe(Math.max(0, row.started_at.getTime() - createdMs) / 1000);
  if (verdict.verdict === 'success' && !timeline.sentBefore) {
    toSent.observe(Math.max(0, row.started_at.getTime() + (row.duration_ms ?? 0) - createdMs) / 1000);
  }
}
