import request from 'supertest';
import { AUTH, publisherBody, useTestApi } from '../support/api';

describe('PUT/GET /v1/publishers/:publisherId', () => {
  const api = useTestApi();

  it('creates (201) then replaces (200) a publisher, with defaults', async () => {
    const created = await request(api.app).put('/v1/publishers/pub-a').set(AUTH).send(publisherBody()).expect(201);
    expect(created.body).toMatchObject({
      publisherId: 'pub-a',
      callbackUrl: 'https://publisher.example/cb?click={click_id}&payout={payout}',
      method: 'POST',
      timeoutMs: 10_000,
      secretHeader: null,
      signingSecretSet: false,
    });
    const replaced = await request(api.app)
      .put('/v1/publishers/pub-a')
      .set(AUTH)
      .send({ callbackUrl: 'http://other.example/postback/{conversion_id}', method: 'GET', timeoutMs: 2500 })
      .expect(200);
    expect(replaced.body).toMatchObject({ callbackUrl: 'http://other.example/postback/{conversion_id}', method: 'GET', timeoutMs: 2500 });
  });

  it('stores secrets but never returns them, only whether they are set', async () => {
    const body = publisherBody({
      secretHeader: { name: 'X-Publisher-Token', value: 'header-secret-value' },
      signingSecret: 'whsec_c2lnbmluZy1zZWNyZXQtdmFsdWU=',
    });
    const put = await request(api.app).put('/v1/publishers/pub-secret').set(AUTH).send(body).expect(201);
    const got = await request(api.app).get('/v1/publishers/pub-secret').set(AUTH).expect(200);
    for (const res of [put, got]) {
      expect(res.body).toMatchObject({ secretHeader: { name: 'X-Publisher-Token', valueSet: true }, signingSecretSet: true });
      expect(JSON.stringify(res.body)).not.toMatch(/header-secret-value|whsec_/);
    }
    const { rows } = await api.db.pool.query('SELECT secret_header_value, signing_secret FROM publishers WHERE id = $1', ['pub-secret']);
    expect(rows[0]).toEqual({ secret_header_value: 'header-secret-value', signing_secret: 'whsec_c2lnbmluZy1zZWNyZXQtdmFsdWU=' });
  });

  it('keeps stored secrets when a PUT omits them and removes them on null', async () => {
    await request(api.app)
      .put('/v1/publishers/pub-keep')
      .set(AUTH)
      .send(publisherBody({ secretHeader: { name: 'X-Token', value: 'v' }, signingSecret: 'a-signing-secret-of-some-length' }))
      .expect(201);
    const kept = await request(api.app).put('/v1/publishers/pub-keep').set(AUTH).send(publisherBody({ timeoutMs: 5000 })).expect(200);
    expect(kept.body).toMatchObject({ secretHeader: { name: 'X-Token', valueSet: true }, signingSecretSet: true, timeoutMs: 5000 });
    const removed = await request(api.app)
      .put('/v1/publishers/pub-keep')
      .set(AUTH)
      .send(publisherBody({ secretHeader: null, signingSecret: null }))
      .expect(200);
    expect(removed.body).toMatchObject({ secretHeader: null, signingSecretSet: false });
  });

  it('answers 404 for an unknown publisher', async () => {
    const res = await request(api.app).get('/v1/publishers/nobody').set(AUTH).expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each([
    ['a relative URL', { callbackUrl: '/cb' }, 'callbackUrl', 'absolute http(s) URL'],
    ['a non-http scheme', { callbackUrl: 'ftp://publisher.example/cb' }, 'callbackUrl', 'http or https'],
    ['unknown macros', { callbackUrl: 'https://p.example/cb?a={clickid}&b={amount}' }, 'callbackUrl', '{clickid}, {amount}'],
    ['a macro in the wrong case', { callbackUrl: 'https://p.example/cb?a={Click_Id}' }, 'callbackUrl', 'unknown macro(s) {Click_Id}'],
    ['credentials in the URL', { callbackUrl: 'https://user:pw@p.example/cb' }, 'callbackUrl', 'credentials'],
    ['a missing URL', { callbackUrl: undefined }, 'callbackUrl', 'Required'],
    ['an unknown method', { method: 'PUT' }, 'method', "Expected 'GET' | 'POST'"],
    ['a timeout above CALLBACK_TIMEOUT', { timeoutMs: 60_000 }, 'timeoutMs', 'at most 10000'],
    ['a timeout that is not an integer', { timeoutMs: 1.5 }, 'timeoutMs', 'integer'],
    ['a short signing secret', { signingSecret: 'short' }, 'signingSecret', 'at least 16'],
    ['a bad header name', { secretHeader: { name: 'X Token', value: 'v' } }, 'secretHeader.name', 'HTTP header name'],
    ['a reserved header name', { secretHeader: { name: 'Idempotency-Key', value: 'v' } }, 'secretHeader.name', 'cannot be overridden'],
    ['a header value with a line break', { secretHeader: { name: 'X-T', value: 'a\r\nb' } }, 'secretHeader.value', 'line breaks'],
    ['an unknown field', { callbackURL: 'https://p.example' }, 'callbackURL', 'not a known field'],
  ])('rejects %s with 400 naming the field', async (_case, overrides, field, reason) => {
    const res = await request(api.app).put('/v1/publishers/pub-bad').set(AUTH).send(publisherBody(overrides)).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toContainEqual({ in: 'body', field, reason: expect.stringContaining(reason) });
    await request(api.app).get('/v1/publishers/pub-bad').set(AUTH).expect(404);
  });

  it('rejects a publisher id that cannot be used in a URL', async () => {
    const res = await request(api.app).put('/v1/publishers/bad%20id').set(AUTH).send(publisherBody()).expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'path', field: 'publisherId', reason: expect.stringContaining('letters, digits') }]);
  });
});
