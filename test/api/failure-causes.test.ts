import request from 'supertest';
import { MASK } from '../../src/delivery/shown-request';
import { AUTH, conversionBody, publisherBody, testConfig, useTestApi } from '../support/api';
import { runDeliveryAttempt } from '../support/delivery-attempt';
import { useReceivers } from '../support/receiver';

/**
 * What the console shows of a failed callback: the cause and remedy of each attempt and of the callback, the
 * request as sent, publishers' success rules and test callbacks. Attempts are made by the real delivery activity
 * against real receivers on 127.0.0.1.
 */
const receiver = useReceivers();

const HEADER_SECRET = 'partner-header-secret-42';
const SIGNING_SECRET = 'signing-secret-0123456789';

describe('causes, success rules and the request as sent', () => {
  const api = useTestApi(() => testConfig({ ALLOW_PRIVATE_TARGETS: 'true' }));

  function putPublisher(publisherId: string, body: Record<string, unknown>): request.Test {
    return request(api.app).put(`/v1/publishers/${publisherId}`).set(AUTH).send(publisherBody(body));
  }

  async function postConversion(publisherId: string): Promise<string> {
    const body = conversionBody(publisherId);
    await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    return String(body.conversionId);
  }

  describe('success rules on PUT/GET /v1/publishers/:publisherId', () => {
    it.each([
      { type: 'equals', value: 'OK' },
      { type: 'regex', pattern: '^(OK|1)$' },
      { type: 'jsonField', path: 'result.status', value: 'ok' },
      { type: 'jsonField', path: 'success', value: true },
      { type: 'jsonField', path: 'error', value: null },
    ])('stores and returns %j', async (successRule) => {
      const put = await putPublisher('pub-rule', { successRule });
      expect([200, 201]).toContain(put.status);
      expect(put.body.successRule).toEqual(successRule);
      expect((await request(api.app).get('/v1/publishers/pub-rule').set(AUTH).expect(200)).body.successRule).toEqual(successRule);
    });

    it('has no rule unless one is given: a PUT without it replaces the rule with none', async () => {
      await putPublisher('pub-norule', { successRule: { type: 'equals', value: '1' } }).expect(201);
      expect((await putPublisher('pub-norule', {}).expect(200)).body.successRule).toBeNull();
    });

    it.each([
      ['a regex that does not compile', { type: 'regex', pattern: '(unclosed' }, 'successRule.pattern', 'must be a valid JavaScript regular expression'],
      ['a regex over 512 characters', { type: 'regex', pattern: 'a'.repeat(513) }, 'successRule.pattern', 'String must contain at most 512 character(s)'],
      ['a value with surrounding whitespace', { type: 'equals', value: ' OK' }, 'successRule.value', 'must not start or end with whitespace (the answer is compared without it)'],
      ['an empty value', { type: 'equals', value: '' }, 'successRule.value', 'must not be empty'],
      ['a path with an empty key', { type: 'jsonField', path: 'a..b', value: 1 }, 'successRule.path', 'must be dot-separated keys, e.g. data.status'],
      ['an object value', { type: 'jsonField', path: 'ok', value: { nested: true } }, 'successRule.value', expect.any(String)],
      ['a NUL', { type: 'equals', value: 'a\u0000b' }, 'successRule.value', expect.stringContaining('NUL')],
      ['an unknown type', { type: 'contains', value: 'OK' }, 'successRule.type', expect.stringContaining("'equals' | 'regex' | 'jsonField'")],
      ['an unknown field', { type: 'equals', value: 'OK', flags: 'i' }, 'successRule.flags', 'is not a known field'],
    ])('refuses %s with a 400 naming the field', async (_, successRule, field, reason) => {
      const res = await putPublisher('pub-bad-rule', { successRule }).expect(400);
      expect(res.body.error.fields).toEqual([{ in: 'body', field, reason }]);
    });
  });

  describe('GET /v1/conversions/:conversionId and GET /v1/callbacks', () => {
    it('gives each attempt its cause and the callback the cause of its latest failure, until it is sent', async () => {
      const publisher = await receiver((_, index) =>
        [{ status: 503, body: 'down for maintenance' }, { status: 403, body: 'Your IP 127.0.0.1 is not whitelisted' }][index] ?? { status: 200 },
      );
      await putPublisher('pub-causes', { callbackUrl: `${publisher.url}/cb` }).expect(201);
      const conversionId = await postConversion('pub-causes');
      await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 1 });
      await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 2 });

      const failed = (await request(api.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200)).body;
      expect(failed.attempts.map((a: { cause: unknown }) => a.cause)).toEqual([
        { code: 'server_downtime', label: 'Server downtime', remedy: expect.stringContaining('make sure your server is up') },
        {
          code: 'ip_not_whitelisted',
          label: 'IP not whitelisted',
          remedy: expect.stringContaining("allow the service's outbound IP addresses, listed on your endpoint page"),
        },
      ]);
      expect(failed.callback.lastFailureCause).toEqual(failed.attempts[1].cause);
      const report = (await request(api.app).get('/v1/callbacks').query({ publisherId: 'pub-causes' }).set(AUTH).expect(200)).body;
      expect(report.data).toMatchObject([{ conversionId, lastFailureCause: { code: 'ip_not_whitelisted' } }]);

      // A resend that succeeds: the attempt has no cause, and the callback no longer shows one.
      await runDeliveryAttempt(api.db.pool, conversionId, { activityId: '2', trigger: 'manual' });
      const sent = (await request(api.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200)).body;
      expect(sent.attempts[2]).toMatchObject({ outcome: 'succeeded', cause: null });
      expect(sent.callback).toMatchObject({ status: 'sent', lastFailureCause: null });
    });

    it('has no cause before any attempt failed', async () => {
      await putPublisher('pub-fresh', {}).expect(201);
      const conversionId = await postConversion('pub-fresh');
      const body = (await request(api.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200)).body;
      expect(body.callback.lastFailureCause).toBeNull();
      expect(body.attempts).toEqual([]);
    });

    it('shows the callback request as it is sent, macros filled, with the secret header and the signature masked', async () => {
      await putPublisher('pub-request', {
        callbackUrl: 'https://publisher.example/cb?click={click_id}&conv={conversion_id}&payout={payout}',
        secretHeader: { name: 'X-Partner', value: HEADER_SECRET },
        signingSecret: SIGNING_SECRET,
      }).expect(201);
      const body = conversionBody('pub-request', { payout: '2.50' });
      await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
      const res = await request(api.app).get(`/v1/conversions/${String(body.conversionId)}`).set(AUTH).expect(200);

      expect(res.body.request).toEqual({
        url: `https://publisher.example/cb?click=${String(body.clickId)}&conv=${String(body.conversionId)}&payout=2.5`,
        method: 'POST',
        headers: {
          'idempotency-key': body.conversionId,
          'content-type': 'application/json',
          'x-partner': MASK,
          'webhook-id': body.conversionId,
          'webhook-timestamp': expect.stringMatching(/^\d+$/),
          'webhook-signature': MASK,
        },
        body: expect.any(String),
      });
      expect(JSON.parse(res.body.request.body)).toMatchObject({ conversionId: body.conversionId, clickId: body.clickId, payout: 2.5 });
      expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${HEADER_SECRET}|${SIGNING_SECRET}|v1,`));
    });
  });

  describe('POST /v1/publishers/:publisherId/test-callback', () => {
    async function countRows(): Promise<{ conversions: number; attempts: number }> {
      const { rows } = await api.db.pool.query<{ conversions: number; attempts: number }>(
        'SELECT (SELECT count(*)::int FROM conversions) AS conversions, (SELECT count(*)::int FROM callback_attempts) AS attempts',
      );
      return rows[0];
    }

    it('makes one real attempt with sample values, shows the answer and the masked request, and writes nothing', async () => {
      const publisher = await receiver([{ status: 200, body: 'OK' }]);
      await putPublisher('pub-test', {
        callbackUrl: `${publisher.url}/cb?click={click_id}&conv={conversion_id}&event={event_id}&offer={offer_id}&payout={payout}&user={user_id}&pub={publisher_id}`,
        secretHeader: { name: 'X-Partner', value: HEADER_SECRET },
        signingSecret: SIGNING_SECRET,
        successRule: { type: 'equals', value: 'OK' },
      }).expect(201);
      const before = await countRows();

      const res = await request(api.app).post('/v1/publishers/pub-test/test-callback').set(AUTH).send({}).expect(200);

      expect(publisher.requests).toHaveLength(1);
      const received = publisher.requests[0];
      const conversionId = String(received.headers['idempotency-key']);
      expect(conversionId).toMatch(/^test-/);
      expect(received.url).toBe(
        `/cb?click=test-click&conv=${conversionId}&event=test-event&offer=test-offer&payout=1.5&user=test-user&pub=pub-test`,
      );
      // The publisher gets the real secret header and a real signature; the caller sees neither.
      expect(received.headers['x-partner']).toBe(HEADER_SECRET);
      expect(res.body).toEqual({
        request: {
          url: `${publisher.url}${received.url}`,
          method: 'POST',
          headers: expect.objectContaining({ 'idempotency-key': conversionId, 'x-partner': MASK, 'webhook-signature': MASK }),
          body: received.body,
        },
        outcome: { statusCode: 200, errorClass: null, durationMs: expect.any(Number), responseSnippet: 'OK' },
        verdict: 'success',
        cause: null,
      });
      expect(JSON.parse(received.body)).toMatchObject({ conversionId, publisherId: 'pub-test', extras: { test: true } });
      expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${HEADER_SECRET}|${SIGNING_SECRET}`));
      expect(await countRows()).toEqual(before);
    });

    it('needs no body, and judges the answer as a delivery would: a 2xx breaking the success rule is malformed', async () => {
      const publisher = await receiver([{ status: 200, body: 'ERR' }]);
      await putPublisher('pub-test-rule', { callbackUrl: publisher.url, method: 'GET', successRule: { type: 'equals', value: 'OK' } }).expect(201);
      const res = await request(api.app).post('/v1/publishers/pub-test-rule/test-callback').set(AUTH).expect(200);
      expect(res.body).toMatchObject({
        request: { method: 'GET', body: null },
        outcome: { statusCode: 200, responseSnippet: 'ERR' },
        verdict: 'final',
        cause: { code: 'malformed_response', label: 'Malformed response' },
      });
    });

    it('shows the cause of a refusal', async () => {
      const publisher = await receiver([{ status: 401, body: 'token expired' }]);
      await putPublisher('pub-test-401', { callbackUrl: publisher.url }).expect(201);
      const res = await request(api.app).post('/v1/publishers/pub-test-401/test-callback').set(AUTH).send({}).expect(200);
      expect(res.body).toMatchObject({ outcome: { statusCode: 401 }, verdict: 'final', cause: { code: 'invalid_authentication' } });
    });

    it('answers 404 for an unknown publisher and 400 for a body with fields', async () => {
      await request(api.app).post('/v1/publishers/pub-nobody/test-callback').set(AUTH).send({}).expect(404);
      const res = await request(api.app).post('/v1/publishers/pub-test/test-callback').set(AUTH).send({ clickId: 'x' }).expect(400);
      expect(res.body.error.fields).toEqual([{ in: 'body', field: 'clickId', reason: 'is not a known field' }]);
    });
  });
});

describe('test callbacks behind the SSRF guard', () => {
  const api = useTestApi(() => testConfig());

  it('refuses a private address without sending, with the cause and its remedy', async () => {
    const publisher = await receiver([{ status: 200 }]);
    await request(api.app).put('/v1/publishers/pub-private').set(AUTH).send(publisherBody({ callbackUrl: `${publisher.url}/cb` })).expect(201);
    const res = await request(api.app).post('/v1/publishers/pub-private/test-callback').set(AUTH).send({}).expect(200);
    expect(res.body).toMatchObject({
      outcome: { statusCode: null, errorClass: 'blocked_target', responseSnippet: null },
      verdict: 'final',
      cause: { code: 'firewall_or_permission', remedy: expect.stringContaining('private or internal address') },
    });
    expect(publisher.requests).toHaveLength(0);
  });
});
