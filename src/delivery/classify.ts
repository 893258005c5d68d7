import type { FailureType } from './failure-types';
import type { SendOutcome } from './http-sender';
import { successRuleBreach, type SuccessRule } from './success-rule';

export type Classification =
  | { verdict: 'success' }
  | { verdict: 'retryable'; type: FailureType; message: string; retryAfterMs?: number }
  | { verdict: 'final'; type: FailureType; message: string };

/** What one attempt's outcome means for delivery; a 2xx is a success when it keeps the publisher's success rule. */
export function classifyOutcome(
  outcome: SendOutcome,
  retryableStatusCodes: readonly number[],
  successRule: SuccessRule | null = null,
): Classification {
  if (outcome.kind === 'response') {
    const { status } = outcome;
    if (status >= 200 && status < 300) {
      const breach = successRule && successRuleBreach(successRule, outcome.bodySnippet);
      return breach ? { verdict: 'final', type: 'CallbackMalformedResponse', message: `publisher answered HTTP ${status} but ${breach}` } : { verdict: 'success' };
    }
    const message = `publisher answered HTTP ${status}`;
    if (retryableStatusCodes.includes(status)) {
      return { verdict: 'retryable', type: 'CallbackHttpStatus', message, ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }) };
    }
    return { verdict: 'final', type: 'CallbackRejected', message };
  }
  const message = `${outcome.errorClass}: ${outcome.message}`;
  if (outcome.errorClass === 'blocked_target') return { verdict: 'final', type: 'CallbackBlockedTarget', message };
  if (outcome.errorClass === 'invalid_url') return { verdict: 'final', type: 'CallbackInvalidUrl', message };
  // The publisher is down or unreachable: the most common cause of a lost callback, so it is retried.
  return { verdict: 'retryable', type: 'CallbackNetworkError', message };
}

/**
 * The delay before the next attempt: the schedule's, lengthened (never shortened) by the publisher's Retry-After,
 * which counts only up to `ceilingMs` (the schedule's maximum interval): a publisher cannot postpone its callback
 * indefinitely, nor send a value too large to schedule or store.
 */
export function nextDelayMs(scheduledMs: number, retryAfterMs: number | undefined, ceilingMs = Number.MAX_SAFE_INTEGER): number {
  return Math.max(scheduledMs, Math.min(retryAfterMs ?? 0, ceilingMs));
}
