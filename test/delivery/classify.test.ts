import { classifyOutcome, nextDelayMs } from '../../src/delivery/classify';
import { FINAL_FAILURE_TYPES } from '../../src/delivery/failure-types';
import type { SendOutcome } from '../../src/delivery/http-sender';
import { retryDelayMs } from '../../src/delivery/retry-schedule';

const retryable = [500, 503];
const response = (status: number, retryAfterMs?: number, bodySnippet = ''): SendOutcome => ({
  kind: 'response',
  status,
  bodySnippet,
  durationMs: 5,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('classifying an attempt', () => {
  it.each([200, 201, 204, 299])('%i is a success', (status) => {
    expect(classifyOutcome(response(status), retryable)).toEqual({ verdict: 'success' });
  });

  it.each([500, 503])('%i is retried', (status) => {
    expect(classifyOutcome(response(status), retryable)).toMatchObject({ verdict: 'retryable', type: 'CallbackHttpStatus' });
  });

  it.each([301, 400, 401, 403, 404, 409, 429, 502, 504])('%i is final', (status) => {
    expect(classifyOutcome(response(status), retryable)).toMatchObject({ verdict: 'final', type: 'CallbackRejected' });
  });

  it('follows the configured list of retryable statuses', () => {
    expect(classifyOutcome(response(429), [429])).toMatchObject({ verdict: 'retryable' });
    expect(classifyOutcome(response(503), [429])).toMatchObject({ verdict: 'final' });
  });

  it('keeps Retry-After on a retryable answer', () => {
    expect(classifyOutcome(response(503, 60_000), retryable)).toMatchObject({ verdict: 'retryable', retryAfterMs: 60_000 });
  });

  it.each(['timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'network'] as const)('network error %s is retried', (errorClass) => {
    expect(classifyOutcome({ kind: 'error', errorClass, message: 'x', durationMs: 1 }, retryable)).toMatchObject({
      verdict: 'retryable',
      type: 'CallbackNetworkError',
    });
  });

  it("a 2xx that breaks the publisher's success rule is a final malformed response; one that keeps it is a success", () => {
    const rule = { type: 'equals', value: 'OK' } as const;
    expect(classifyOutcome(response(200, undefined, 'ERR'), retryable, rule)).toEqual({
      verdict: 'final',
      type: 'CallbackMalformedResponse',
      message: 'publisher answered HTTP 200 but the body is not "OK"',
    });
    expect(classifyOutcome(response(200, undefined, 'OK\n'), retryable, rule)).toEqual({ verdict: 'success' });
    // The rule judges 2xx answers only: a 503 is retried whatever its body.
    expect(classifyOutcome(response(503, undefined, 'OK'), retryable, rule)).toMatchObject({ verdict: 'retryable' });
    // The workflow's retry policy does not retry it either.
    expect(FINAL_FAILURE_TYPES).toContain('CallbackMalformedResponse');
  });

  it('a blocked target or an invalid URL is final', () => {
    const error = (errorClass: 'blocked_target' | 'invalid_url'): SendOutcome => ({ kind: 'error', errorClass, message: 'x', durationMs: 0 });
    expect(classifyOutcome(error('blocked_target'), retryable)).toMatchObject({ verdict: 'final', type: 'CallbackBlockedTarget' });
    expect(classifyOutcome(error('invalid_url'), retryable)).toMatchObject({ verdict: 'final', type: 'CallbackInvalidUrl' });
  });
});

describe('retry delays', () => {
  const retry = { initialIntervalMs: 120_000, backoffCoefficient: 2, maximumAttempts: 6 };

  it('doubles from 2 minutes: 2, 4, 8, 16, 32', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(retry, n) / 60_000)).toEqual([2, 4, 8, 16, 32]);
  });

  it('is capped at 100 times the initial interval', () => {
    expect(retryDelayMs(retry, 20)).toBe(12_000_000);
  });

  it('Retry-After lengthens the delay, never shortens it', () => {
    expect(nextDelayMs(120_000, 300_000)).toBe(300_000);
    expect(nextDelayMs(120_000, 10_000)).toBe(120_000);
    expect(nextDelayMs(120_000, undefined)).toBe(120_000);
  });
});
