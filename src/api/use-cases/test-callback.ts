import { randomUUID } from 'node:crypto';
import { findPublisherEndpoint } from '../../db/publishers';
import { buildCallbackRequest, type ConversionRecord } from '../../delivery/callback-request';
import { classifyOutcome } from '../../delivery/classify';
import { failedAttemptOf, failureCause, type FailureCause } from '../../delivery/failure-cause';
import { shownRequest, type ShownRequest } from '../../delivery/shown-request';
import type { ApiDeps } from '../deps';
import { NotFoundError } from '../errors';

export interface TestCallbackResult {
  request: ShownRequest;
  outcome: { statusCode: number | null; errorClass: string | null; durationMs: number; responseSnippet: string | null };
  verdict: 'success' | 'retryable' | 'final';
  cause: FailureCause | null;
}

/**
 * A conversion that was never recorded, with a sample value for every macro. Its id is new each time, so the
 * publisher's deduplication (by Idempotency-Key) does not swallow a second test; `extras.test` tells it apart.
 */
function sampleConversion(publisherId: string): ConversionRecord {
  return {
    id: `test-${randomUUID()}`,
    publisherId,
    clickId: 'test-click',
    eventId: 'test-event',
    offerId: 'test-offer',
    payout: '1.5',
    userId: 'test-user',
    extras: { test: true },
  };
}

/**
 * One real attempt to the publisher's endpoint, as a delivery makes it (same request, SSRF guard, timeout, success
 * rule), with sample values; nothing is written. The request is shown with its secrets masked.
 */
export async function sendTestCallback({ pool, http, config }: ApiDeps, publisherId: string): Promise<TestCallbackResult> {
  const endpoint = await findPublisherEndpoint(pool, publisherId);
  if (!endpoint) throw new NotFoundError(`No publisher ${publisherId}`);
  const request = buildCallbackRequest(endpoint, sampleConversion(publisherId), { nowMs: Date.now(), timeoutCeilingMs: config.CALLBACK_TIMEOUT });
  const outcome = await http.send(request);
  const { verdict } = classifyOutcome(outcome, config.RETRYABLE_STATUS_CODES, endpoint.successRule);
  const attempt = failedAttemptOf(outcome);
  return {
    request: shownRequest(request),
    outcome: { ...attempt, durationMs: outcome.durationMs },
    verdict,
    cause: verdict === 'success' ? null : failureCause(attempt),
  };
}
