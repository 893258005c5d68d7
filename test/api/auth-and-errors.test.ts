import request from 'supertest';
import { createApp } from '../../src/api/app';
import { createPool } from '../../src/db/pool';
import { createHttpSender } from '../../src/delivery/http-sender';
import { createLogger, silentLogger } from '../../src/logger';
import { AUTH, TEST_API_KEY, testApp, testConfig, useTestApi } from '../support/api';
import { RecordingScheduler } from '../support/schedulers';

describe('API authentication and error handling', () => {
  const api = useTestApi(() => testConfig({ API_KEYS: `other-key, ${TEST_API_KEY}` }));
  // The apps built here send no callback; the API needs a sender all the same (test callbacks).
  const http = createHttpSender({ allowPrivateTargets: false });

  it('serves /healthz without a key', async () => {
    await request(api.app).get('/healthz').expect(200, { status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } });
  });

  it('says in /healthz that Temporal is down', async () => {
    const scheduler = new RecordingScheduler();
    scheduler.temporalDown = true;
    const app = createApp({ pool: api.db.pool, scheduler, http, config: testConfig(), logger: silentLogger });
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body).toEqual({
      status: 'unavailable',
      checks: { postgres: 'ok', temporal: 'unavailable' },
      error: { code: 'dependency_unavailable', message: 'Unavailable: temporal' },
    });
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { Authorization: 'Bearer not-the-key' }],
    ['a key that is a prefix of a valid one', { Authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` }],
    ['another scheme', { Authorization: `Basic ${TEST_API_KEY}` }],
  ])('answers 401 JSON to %s', async (_case, headers) => {
    const res = await request(api.app).get('/v1/conversions').set(headers).expect(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer') } });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('accepts any configured key', async () => {
    await request(api.app).get('/v1/conversions').set({ Authorization: 'Bearer other-key' }).expect(200);
    await request(api.app).get('/v1/conversions').set(AUTH).expect(200);
  });

  it('refuses every request when no key is configured', async () => {
    const locked = testApp(api.db, new RecordingScheduler(), testConfig({ API_KEYS: '' }));
    for (const headers of [{}, { Authorization: 'Bearer ' }, AUTH]) {
      await request(locked).get('/v1/conversions').set(headers).expect(401);
    }
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await request(api.app).get('/v1/nothing-here').set(AUTH).expect(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'No route GET /v1/nothing-here' });
    const outside = await request(api.app).get('/elsewhere').expect(404);
    expect(outside.body.error).toEqual({ code: 'not_found', message: 'No route GET /elsewhere' });
  });

  it('answers a malformed JSON body with 400 naming the body', async () => {
    const res = await request(api.app)
      .post('/v1/conversions')
      .set(AUTH)
      .set('Content-Type', 'application/json')
      .send('{"conversionId": ')
      .expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toEqual([{ in: 'body', field: '', reason: expect.stringContaining('not valid JSON') }]);
  });

  it('answers a body over 64 KB with 413 JSON', async () => {
    const res = await request(api.app)
      .post('/v1/conversions')
      .set(AUTH)
      .send({ extras: { blob: 'x'.repeat(70_000) } })
      .expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers 503 without a stack when Postgres is down', async () => {
    const deadPool = createPool('postgres://nobody:nothing@127.0.0.1:1/none', silentLogger);
    const down = createApp({ pool: deadPool, scheduler: new RecordingScheduler(), http, config: testConfig(), logger: silentLogger });
    try {
      const res = await request(down).get('/v1/conversions').set(AUTH).expect(503);
      expect(res.body).toEqual({ error: { code: 'database_unavailable', message: expect.stringContaining('Retry') } });
      const posted = await request(down)
        .post('/v1/conversions')
        .set(AUTH)
        .send({ conversionId: 'c-503', publisherId: 'p', clickId: 'k', eventId: 'e', offerId: 'o', payout: 1, userId: 'u' })
        .expect(503);
      expect(posted.body.error.code).toBe('database_unavailable');
      const health = await request(down).get('/healthz').expect(503);
      expect(health.body).toMatchObject({ status: 'unavailable', checks: { postgres: 'unavailable', temporal: 'ok' } });
      expect(health.body.error).toEqual({ code: 'dependency_unavailable', message: 'Unavailable: postgres' });
    } finally {
      await deadPool.end();
    }
  });

  it('answers an unexpected error with a generic 500 and logs it', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    const failing = new RecordingScheduler();
    failing.requestResend = () => Promise.reject(new Error('boom at /secret/path'));
    const broken = createApp({ pool: api.db.pool, scheduler: failing, http, config: testConfig(), logger });
    await request(broken).put('/v1/publishers/p-500').set(AUTH).send({ callbackUrl: 'https://x.example/cb' }).expect(201);
    await request(broken)
      .post('/v1/conversions')
      .set(AUTH)
      .send({ conversionId: 'c-500', publisherId: 'p-500', clickId: 'k', eventId: 'e', offerId: 'o', payout: 1, userId: 'u' })
      .expect(201);
    const res = await request(broken).post('/v1/conversions/c-500/resend').set(AUTH).expect(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Internal server error' } });
    expect(JSON.stringify(res.body)).not.toContain('boom');
    expect(lines.some((line) => line.includes('boom at /secret/path'))).toBe(true);
  });
});
