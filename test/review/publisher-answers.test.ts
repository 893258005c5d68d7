import { DEFAULT_RETRY, runDeliveryAttempt, type AttemptRun } from '../support/delivery-attempt';
import { attemptRows, callbackRow, insertConversion } from '../support/fixtures';
import { useTestDatabase } from '../support/postgres';
import { useReceivers, type startReceiver } from '../support/receiver';

/** Answers a publisher controls must never break the attempt's own bookkeeping. */
const MAX_INTERVAL_MS = 100 * DEFAULT_RETRY.initialIntervalMs;

const db = useTestDatabase();
const receiver = useReceivers();
async function attemptOnce(answer: Parameters<typeof startReceiver>[0]): Promise<AttemptRun & { conversionId: string }> {
  const publisher = await receiver(answer);
  const { conversionId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
  return { conversionId, ...(await runDeliveryAttempt(db.pool, conversionId)) };
}

describe('Retry-After', () => {
  it('lengthens the delay only up to the maximum interval', async () => {
    const { conversionId, failure } = await attemptOnce([{ status: 503, headers: { 'retry-after': '86400' } }]);
    expect(failure).toMatchObject({ type: 'CallbackHttpStatus', nextRetryDelay: MAX_INTERVAL_MS });
    const callback = await callbackRow(db.pool, conversionId);
    expect(callback.status).toBe('retrying');
    expect((callback.next_retry_at as Date).getTime() - callback.updated_at.getTime()).toBe(MAX_INTERVAL_MS);
  });

  it.each([
    ['hundreds of digits', '9'.repeat(400)],
    ['a date in the year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ])('with %s is recorded, not a failed write', async (_, value) => {
    const { conversionId, failure } = await attemptOnce([{ status: 503, headers: { 'retry-after': value } }]);
    expect(failure).toMatchObject({ type: 'CallbackHttpStatus', nonRetryable: false });
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([{ outcome: 'failed', status_code: 503 }]);
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'retrying', last_status_code: 503 });
  });
});

describe('a binary answer', () => {
  it('is recorded with its NUL bytes dropped, and a 404 stays final', async () => {
    const { conversionId, failure } = await attemptOnce([{ status: 404, body: 'not\u0000found\u0000' }]);
    expect(failure).toMatchObject({ type: 'CallbackRejected', nonRetryable: true });
    expect(await attemptRows(db.pool, conversionId)).toMatchObject([{ outcome: 'failed', status_code: 404, response_snippet: 'notfound' }]);
  });

  it('does not turn a 200 into a failed attempt', async () => {
    const { conversionId, log } = await attemptOnce([{ status: 200, body: '\u0000\u0001' }]);
    expect(log).toMatchObject([{ outcome: 'succeeded', statusCode: 200 }]);
    expect(await callbackRow(db.pool, conversionId)).toMatchObject({ status: 'sent' });
  });
});
