import request from 'supertest';
import { AUTH, conversionBody } from '../support/api';
import { eventually } from '../support/eventually';
import { useReceivers } from '../support/receiver';
import { useStack } from '../support/stack';

/**
 * A success rule through the whole service (test/support/stack.ts): the workflow's retry policy treats a 2xx that
 * breaks the rule as final, the callback is Failed with its cause, and a resend delivers once the endpoint is fixed.
 */
describe('end to end: a success rule', () => {
  const running = useStack();
  const receiver = useReceivers();

  interface Details {
    callbackSent: 'Yes' | 'No';
    callback: { status: string; lastFailureCause: { code: string } | null };
    attempts: { trigger: string; outcome: string; statusCode: number | null; cause: { code: string } | null }[];
  }

  async function detailsWhen(conversionId: string, status: string): Promise<Details> {
    return eventually(async () => {
      const { body } = await request(running.stack.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
      const details = body as Details;
      return details.callback.status === status && details.attempts.every((a) => a.outcome !== 'in_flight') ? details : undefined;
    });
  }

  it('fails a 200 "ERR" at once with cause malformed_response, and a resend delivers once the endpoint answers "1"', async () => {
    let fixed = false;
    const endpoint = await receiver(() => ({ status: 200, body: fixed ? '1\n' : 'ERR' }));
    await request(running.stack.app)
      .put('/v1/publishers/pub-rule-e2e')
      .set(AUTH)
      .send({ callbackUrl: `${endpoint.url}/postback`, successRule: { type: 'equals', value: '1' } })
      .expect(201);
    const body = conversionBody('pub-rule-e2e');
    const conversionId = String(body.conversionId);
    await request(running.stack.app).post('/v1/conversions').set(AUTH).send(body).expect(201);

    const failed = await detailsWhen(conversionId, 'failed');
    // One attempt: a malformed answer is not retried (RETRY_MAX_ATTEMPTS is 3 here).
    expect(failed.attempts).toMatchObject([{ outcome: 'failed', statusCode: 200, cause: { code: 'malformed_response' } }]);
    expect(failed.callbackSent).toBe('No');
    expect(failed.callback.lastFailureCause).toMatchObject({ code: 'malformed_response' });

    fixed = true;
    await request(running.stack.app).post(`/v1/conversions/${conversionId}/resend`).set(AUTH).expect(202);
    const sent = await detailsWhen(conversionId, 'sent');
    expect(sent.callbackSent).toBe('Yes');
    expect(sent.callback.lastFailureCause).toBeNull();
    expect(sent.attempts.map((a) => [a.trigger, a.outcome, a.cause?.code ?? null])).toEqual([
      ['automatic', 'failed', 'malformed_response'],
      ['manual', 'succeeded', null],
    ]);
    expect(endpoint.requests).toHaveLength(2);
  });
});
