import { createActivities } from '../../src/activities';
import type { FailureCauseCode } from '../../src/delivery/failure-cause';
import type { SuccessRule } from '../../src/delivery/success-rule';
import type { HttpSender } from '../../src/delivery/http-sender';
import { silentLogger } from '../../src/logger';
import { runDeliveryAttempt, type AttemptOptions } from '../support/delivery-attempt';
import { useTestDatabase } from '../support/postgres';
import { refusedUrl, useReceivers, type Answer } from '../support/receiver';
import { attemptRows, callbackRow, insertConversion, testConfig } from '../support/fixtures';
import { eventually } from '../support/eventually';

const db = useTestDatabase();
const receiver = useReceivers();

/** Runs deliverCallback in a MockActivityEnvironment on this file's database. */
const runAttempt = (conversionId: string, options: AttemptOptions = {}) => runDeliveryAttempt(db.pool, conversionId, options);

describe('deliverCallback', () => {
  it('sends the callback once and records a succeeded attempt and a sent callback', async () => {
    const publisher = await receiver([{ status: 200, body: 'ok' }]);
    const { conversionId } = await insertConversion(db.pool, {
      callbackUrl: `${publisher.url}/cb?c={conversion_id}`,
      secretHeader: { name: 'X-Token', value: 'tok' },
      signingSecret: 'sig',
    });
    const { log, heartbeats } = await runAttempt(conversionId, { trigger: 'manual' });

    expect(publisher.requests).toHaveLength(1);
    expect(publisher.requests[0].url).toBe(`/cb?c=${conversionId}`);
    expect(publisher.requests[0].headers).toMatchObject({ 'idempotency-key': conversionId, 'x-token': 'tok', 'webhook-id': conversionId });
    expect(log).toMatchObject([{ attempt: 1, trigger: 'manual', outcome: 'succeeded', statusCode: 200, responseSnippet: 'ok' }]);
    // No heartbeat: a cycle's first attempt has no earlier log to show, and a success returns its log.
    expect(heartbeats).toEqual([]);
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([
      { attempt_number: 1, trigger: 'manual', outcome: 'succeeded', status_code: 200, attempt_key: `run-${conversionId}/1/1` },
    ]);
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'sent', attempts: 1, last_status_code: 200, last_error: null });
    expect((await callbackRow(db.pool, conversionId)).sent_at).toBeInstanceOf(Date);
  });

  it('costs three statements and no transaction: the target read, the in-flight record, the outcome', async () => {
    const publisher = await receiver([{ status: 503 }, { status: 200 }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const statements: string[] = [];
    const counting = Object.create(db.pool) as typeof db.pool;
    counting.query = ((text: string, values?: unknown[]) => {
      statements.push(text);
      return db.pool.query(text, values);
    }) as typeof db.pool.query;
    counting.connect = (() => Promise.reject(new Error('the hot path opens no transaction'))) as typeof db.pool.connect;

    await runDeliveryAttempt(counting, conversionId, { attempt: 1 });
    // A resend's cycle: another activity of the workflow, whose first attempt is manual.
    const second = await runDeliveryAttempt(counting, conversionId, { activityId: '2', trigger: 'manual', requestedBy: 'operator key:12345678' });
    expect(second.failure).toBeUndefined();
    expect(statements).toHaveLength(6);
    expect(statements.map((text) => /^\s*(SELECT|WITH)/.test(text))).toEqual(statements.map(() => true));
    // A manual attempt records who asked for it; the automatic one before it, nobody.
    expect((await attemptRows(db.pool, conversionId)).map((row) => [row.attempt_number, row.trigger, row.requested_by])).toEqual([
      [1, 'automatic', null],
      [2, 'manual', 'operator key:12345678'],
    ]);
    expect(second.log?.map((entry) => [entry.attempt, entry.requestedBy])).toEqual([[2, 'operator key:12345678']]);
  });

  it('fails a 503 as retryable, marks the callback retrying and carries the attempt log', async () => {
    const publisher = await receiver([{ status: 503, body: 'down' }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const first = await runAttempt(conversionId, { attempt: 1 });
    const second = await runAttempt(conversionId, { attempt: 2 });

    expect(second.failure).toMatchObject({ name: 'ApplicationFailure', type: 'CallbackHttpStatus', nonRetryable: false });
    expect(second.failure?.message).toBe('attempt 2: publisher answered HTTP 503');
    expect(first.failure?.nextRetryDelay).toBeUndefined();
    // The first attempt heartbeats only its outcome; the second attempt's first heartbeat shows the first one, and
    // its last heartbeat and its failure details show both.
    expect(first.heartbeats).toEqual([[expect.objectContaining({ attempt: 1, outcome: 'failed', statusCode: 503 })]]);
    expect(second.heartbeats[0]).toMatchObject([{ attempt: 1, outcome: 'failed', statusCode: 503 }, { attempt: 2, outcome: 'in_flight' }]);
    expect(second.heartbeats[1]).toEqual(second.failure?.details?.[0]);
    expect(second.failure?.details?.[0]).toMatchObject([
      { attempt: 1, outcome: 'failed', statusCode: 503, responseSnippet: 'down' },
      { attempt: 2, outcome: 'failed', statusCode: 503 },
    ]);
    const callback = await callbackRow(db.pool, conversionId);
    expect(callback).toMatchObject({ status: 'retrying', attempts: 2, last_status_code: 503, last_error: 'publisher answered HTTP 503' });
    // After attempt 2 the schedule waits 4 minutes from the moment the outcome was written (the row's updated_at).
    expect(callback.next_retry_at).toBeInstanceOf(Date);
    expect((callback.next_retry_at as Date).getTime() - callback.updated_at.getTime()).toBe(240_000);
    // The attempt row records the same next retry time.
    expect((await attemptRows(db.pool, conversionId))[1].next_retry_at).toEqual(callback.next_retry_at);
  });

  it('lets Retry-After lengthen the next delay, and only lengthen it', async () => {
    const publisher = await receiver((_, index) => ({ status: 503, headers: { 'retry-after': index === 0 ? '600' : '5' } }));
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    expect((await runAttempt(conversionId, { attempt: 1 })).failure?.nextRetryDelay).toBe(600_000);
    expect((await runAttempt(conversionId, { attempt: 2 })).failure?.nextRetryDelay).toBeUndefined();
  });

  it('does not mark the callback retrying after the last attempt', async () => {
    const publisher = await receiver([{ status: 500 }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const { failure } = await runAttempt(conversionId, { attempt: 6 });
    expect(failure).toMatchObject({ type: 'CallbackHttpStatus' });
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'pending', next_retry_at: null, last_status_code: 500 });
    expect((await attemptRows(db.pool, conversionId))[0]).toMatchObject({ outcome: 'failed', next_retry_at: null });
  });

  it.each([404, 401])('fails a %i as non-retryable', async (status) => {
    const publisher = await receiver([{ status, body: 'no such endpoint' }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const { failure } = await runAttempt(conversionId);
    expect(failure).toMatchObject({ type: 'CallbackRejected', nonRetryable: true });
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([
      { outcome: 'failed', status_code: status, response_snippet: 'no such endpoint', next_retry_at: null },
    ]);
  });

  it('fails a refused connection as a retryable network error', async () => {
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: await refusedUrl() });
    const { failure } = await runAttempt(conversionId);
    expect(failure).toMatchObject({ type: 'CallbackNetworkError', nonRetryable: false });
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([
      { outcome: 'failed', status_code: null, error_class: 'connection_refused' },
    ]);
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'retrying', last_status_code: null });
  });

  it('refuses a private target unless allowed, and records the refusal', async () => {
    const publisher = await receiver([{ status: 200 }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url.replace('127.0.0.1', 'localhost') });
    const { failure } = await runAttempt(conversionId, { env: { ALLOW_PRIVATE_TARGETS: 'false' } });
    expect(failure).toMatchObject({ type: 'CallbackBlockedTarget', nonRetryable: true });
    expect(publisher.requests).toHaveLength(0);
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([{ outcome: 'failed', error_class: 'blocked_target' }]);
  });

  it('records a re-run of the same attempt once and does not send again', async () => {
    const publisher = await receiver([{ status: 200 }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const first = await runAttempt(conversionId, { attempt: 1 });
    const again = await runAttempt(conversionId, { attempt: 1 });
    expect(publisher.requests).toHaveLength(1);
    expect(again.log).toEqual(first.log);
    expect(await attemptRows(db.pool, conversionId)).toHaveLength(1);
  });

  it('marks an attempt left in flight by a dead worker as abandoned, and numbers attempts across cycles', async () => {
    const publisher = await receiver([{ status: 200 }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const dying: HttpSender = { send: () => Promise.reject(new Error('worker died during the request')) };
    expect((await runAttempt(conversionId, { attempt: 1, http: dying })).failure?.message).toBe('worker died during the request');
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([{ outcome: 'in_flight' }]);

    const retried = await runAttempt(conversionId, { attempt: 2 });
    expect(retried.log).toMatchObject([
      { attempt: 1, outcome: 'abandoned' },
      { attempt: 2, outcome: 'succeeded', trigger: 'automatic' },
    ]);
    // An operator's resend is a new cycle (another activity) whose attempt numbers continue.
    const resent = await runAttempt(conversionId, { activityId: '2', trigger: 'manual' });
    expect(resent.log).toMatchObject([{ attempt: 3, trigger: 'manual', outcome: 'succeeded' }]);
    expect((await attemptRows(db.pool, conversionId)).map((r) => r.outcome)).toEqual(['abandoned', 'succeeded', 'succeeded']);
  });

  /**
   * A resend cancels a cycle whose attempt is still waiting for its answer: the resend's attempt (answered with
   * `resendStatus`) runs meanwhile, and the old one gets `lateStatus` after it.
   */
  async function resendDuringSlowAttempt(lateStatus: number, resendStatus: number): Promise<string> {
    let releaseLate!: () => void;
    const resendAnswered = new Promise<void>((resolve) => (releaseLate = resolve));
    const publisher = await receiver((_, index) => (index === 0 ? { status: lateStatus, hold: resendAnswered } : { status: resendStatus }));
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    const late = runAttempt(conversionId, { activityId: '1' });
    // The old attempt's request is at the publisher, unanswered; the resend's attempt runs to its end meanwhile.
    await eventually(async () => (publisher.requests.length === 1 ? true : undefined), 20_000, 'the first request');
    await runAttempt(conversionId, { activityId: '2', trigger: 'manual' });
    releaseLate();
    await late;
    expect(publisher.requests).toHaveLength(2);
    return conversionId;
  }

  it('keeps the callback state of a newer cycle when a cancelled attempt answers late', async () => {
    const conversionId = await resendDuringSlowAttempt(503, 200);
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'sent', attempts: 2, last_status_code: 200 });
    expect((await attemptRows(db.pool, conversionId)).map((r) => [r.trigger, r.outcome, r.status_code])).toEqual([
      ['automatic', 'failed', 503],
      ['manual', 'succeeded', 200],
    ]);
  });

  it('records that the publisher got the callback when a cancelled attempt succeeds late', async () => {
    const conversionId = await resendDuringSlowAttempt(200, 404);
    const callback = await callbackRow(db.pool, conversionId);
    expect(callback).toMatchObject({ attempts: 2, last_status_code: 404 });
    expect(callback.sent_at).toBeInstanceOf(Date);
  });

  it('keeps every secret it sent out of the stored attempt, its error and the attempt log, when the publisher echoes them', async () => {
    const headerValue = 'partner secret/42+=';
    const signingSecret = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEyMzQ=';
    // A debugging endpoint: it answers 503 with what it received, as sent, URL-encoded and in base64, and with the
    // signing secret it expected.
    const publisher = await receiver((req) => {
      const sent = [String(req.headers['x-partner']), String(req.headers['webhook-signature'])];
      return {
        status: 503,
        body: JSON.stringify({
          headers: req.headers,
          urlEncoded: sent.map(encodeURIComponent),
          base64: sent.map((value) => Buffer.from(value).toString('base64')),
          expected: signingSecret,
        }),
      };
    });
    const { conversionId } = await insertConversion(db.pool, {
      callbackUrl: publisher.url,
      secretHeader: { name: 'X-Partner', value: headerValue },
      signingSecret,
    });
    const { failure, heartbeats } = await runAttempt(conversionId);

    const signature = String(publisher.requests[0].headers['webhook-signature']);
    const secrets = [headerValue, signingSecret, signature, signature.slice('v1,'.length)];
    const leaks = (text: string) =>
      secrets.flatMap((secret) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]).filter((form) => text.includes(form));
    const [row] = await attemptRows(db.pool, conversionId);
    const stored = JSON.stringify({ row, callback: await callbackRow(db.pool, conversionId) });
    const history = JSON.stringify({ heartbeats, message: failure?.message, details: failure?.details });

    expect(row.response_snippet).toContain('[redacted]');
    // What is not a secret is still there to read.
    expect(row.response_snippet).toContain(`"idempotency-key":"${conversionId}"`);
    expect(leaks(stored)).toEqual([]);
    expect(leaks(history)).toEqual([]);
    expect(history).toContain('[redacted]');
  });

  it('fails non-retryably when the conversion is unknown', async () => {
    const { failure } = await runAttempt('conv-missing');
    expect(failure).toMatchObject({ type: 'ConversionNotFound', nonRetryable: true });
  });
});

describe('the cause recorded on each failed attempt', () => {
  const answered = (answer: Answer, env: Record<string, string> = {}) => ({ answer, env });
  const cases: Array<[string, FailureCauseCode, ReturnType<typeof answered> | 'refused']> = [
    ['a 503', 'server_downtime', answered({ status: 503, body: 'Service Unavailable' })],
    ['a refused connection', 'server_downtime', 'refused'],
    ['a timeout', 'server_downtime', answered({ status: 200, delayMs: 1500 })],
    ['a bare 403', 'firewall_or_permission', answered({ status: 403, body: 'Forbidden' })],
    ['a reset connection', 'firewall_or_permission', answered({ status: 200, reset: true })],
    ['a private target refused by the SSRF guard', 'firewall_or_permission', answered({ status: 200 }, { ALLOW_PRIVATE_TARGETS: 'false' })],
    ['a 403 saying the IP is not whitelisted', 'ip_not_whitelisted', answered({ status: 403, body: 'Your IP 127.0.0.1 is not whitelisted' })],
    ['a 401', 'invalid_authentication', answered({ status: 401, body: 'Unauthorized' })],
    ['a 403 naming the token', 'invalid_authentication', answered({ status: 403, body: '{"error":"invalid token"}' })],
    ['a 404', 'other', answered({ status: 404, body: 'Not Found' })],
  ];

  it.each(cases)('%s is recorded as %s', async (_, cause, target) => {
    let callbackUrl: string;
    let env: Record<string, string> = {};
    // (A DNS failure is left to the unit tests: provoking one here would ask the machine's resolver.)
    if (target === 'refused') callbackUrl = await refusedUrl();
    else {
      // A private target is refused under its name (127.0.0.1 itself is refused before any lookup).
      callbackUrl = (await receiver([target.answer])).url.replace('127.0.0.1', 'localhost');
      env = target.env;
    }
    const { conversionId } = await insertConversion(db.pool, { callbackUrl, timeoutMs: 500 });
    await runAttempt(conversionId, { env });
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([{ outcome: 'failed', cause }]);
  });

  it('records no cause on a succeeded attempt', async () => {
    const publisher = await receiver([{ status: 200 }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
    await runAttempt(conversionId);
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([{ outcome: 'succeeded', cause: null }]);
  });
});

describe("a publisher's success rule", () => {
  const rules: Array<[SuccessRule, string]> = [
    [{ type: 'equals', value: '1' }, '1\n'],
    [{ type: 'regex', pattern: '^OK\\b' }, 'OK reward granted'],
    [{ type: 'jsonField', path: 'result.status', value: 'ok' }, '{"result":{"status":"ok"}}'],
  ];

  it.each(rules)('%j turns a 200 "ERR" into a final malformed_response failure', async (successRule) => {
    const publisher = await receiver([{ status: 200, body: 'ERR' }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url, successRule });
    const { failure } = await runAttempt(conversionId);
    expect(failure).toMatchObject({ type: 'CallbackMalformedResponse', nonRetryable: true });
    expect(failure?.message).toMatch(/^attempt 1: publisher answered HTTP 200 but the body/);
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([
      { outcome: 'failed', status_code: 200, response_snippet: 'ERR', cause: 'malformed_response', next_retry_at: null },
    ]);
    const callback = await callbackRow(db.pool, conversionId);
    expect(callback).toMatchObject({ status: 'pending', last_status_code: 200, sent_at: null });
  });

  it.each(rules)('%j accepts a 200 whose body keeps it', async (successRule, body) => {
    const publisher = await receiver([{ status: 200, body }]);
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url, successRule });
    const { log } = await runAttempt(conversionId);
    expect(log).toMatchObject([{ outcome: 'succeeded', statusCode: 200 }]);
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'sent' });
  });
});

describe('markCallbackFailed and markCallbackPending', () => {
  it('moves the callback to failed with its last error, and back to pending for a resend', async () => {
    const { conversionId } = await insertConversion(db.pool, { callbackUrl: 'http://127.0.0.1:1' });
    const { markCallbackFailed, markCallbackPending } = createActivities({ pool: db.pool, config: testConfig(), logger: silentLogger });
    await markCallbackFailed({ conversionId, lastError: 'attempt 6: publisher answered HTTP 503' });
    const failed = await callbackRow(db.pool, conversionId);
    expect(failed).toMatchObject({ status: 'failed', last_error: 'attempt 6: publisher answered HTTP 503' });
    expect(failed.failed_at).toBeInstanceOf(Date);
    await markCallbackPending({ conversionId });
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'pending', failed_at: null });
  });
});
