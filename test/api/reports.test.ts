import request from 'supertest';
import { AUTH, conversionBody, pageThrough, publisherBody, useTestApi } from '../support/api';

/**
 * Reports read what the delivery workflow writes; here the callback rows and attempts are set directly in
 * Postgres to known states (the real workflow writing them is covered by end-to-end.test.ts).
 */
describe('reports', () => {
  const api = useTestApi();
  const ids: Record<'sent' | 'failed' | 'retrying' | 'pending' | 'other', string> = {
    sent: '',
    failed: '',
    retrying: '',
    pending: '',
    other: '',
  };

  async function post(publisherId: string, createdAt: string): Promise<string> {
    const body = conversionBody(publisherId);
    await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    await api.db.pool.query('UPDATE conversions SET created_at = $2 WHERE id = $1', [body.conversionId, createdAt]);
    return String(body.conversionId);
  }

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-x').set(AUTH).send(publisherBody()).expect(201);
    await request(api.app).put('/v1/publishers/pub-y').set(AUTH).send(publisherBody()).expect(201);
    ids.sent = await post('pub-x', '2026-01-01T10:00:00Z');
    ids.failed = await post('pub-x', '2026-01-02T10:00:00Z');
    ids.retrying = await post('pub-x', '2026-01-03T10:00:00Z');
    ids.pending = await post('pub-x', '2026-01-04T10:00:00Z');
    ids.other = await post('pub-y', '2026-01-05T10:00:00Z');
    await api.db.pool.query(
      `UPDATE callbacks SET status = 'sent', attempts = 2, last_status_code = 200, sent_at = now() WHERE conversion_id = $1`,
      [ids.sent],
    );
    await api.db.pool.query(
      `UPDATE callbacks SET status = 'failed', attempts = 1, last_status_code = 404, last_error = 'publisher answered HTTP 404',
         failed_at = now() WHERE conversion_id = $1`,
      [ids.failed],
    );
    await api.db.pool.query(
      `UPDATE callbacks SET status = 'retrying', attempts = 1, last_status_code = 503, last_error = 'publisher answered HTTP 503',
         next_retry_at = '2026-01-03T10:02:00Z' WHERE conversion_id = $1`,
      [ids.retrying],
    );
    await api.db.pool.query(
      `INSERT INTO callback_attempts (conversion_id, attempt_key, attempt_number, trigger, outcome, started_at, duration_ms,
         status_code, error_class, error_message, response_snippet, next_retry_at)
       VALUES ($1, 'k2', 2, 'automatic', 'succeeded', '2026-01-01T10:02:00Z', 12, 200, NULL, NULL, 'ok', NULL),
              ($1, 'k1', 1, 'automatic', 'failed', '2026-01-01T10:00:00Z', 30, 503, 'http_status', 'publisher answered HTTP 503',
               'busy', '2026-01-01T10:02:00Z')`,
      [ids.sent],
    );
  });

  const conversionIds = (body: { data: { conversionId: string }[] }): string[] => body.data.map((row) => row.conversionId);

  describe('GET /v1/conversions (conversion report)', () => {
    it('lists one row per conversion, newest first, with Callback Sent Yes/No', async () => {
      const res = await request(api.app).get('/v1/conversions').set(AUTH).expect(200);
      expect(conversionIds(res.body)).toEqual([ids.other, ids.pending, ids.retrying, ids.failed, ids.sent]);
      expect(res.body.data.map((row: { callbackSent: string }) => row.callbackSent)).toEqual(['No', 'No', 'No', 'No', 'Yes']);
      expect(res.body.nextCursor).toBeNull();
    });

    it('filters by callback sent, publisher and time range (from inclusive, to exclusive)', async () => {
      const get = async (query: Record<string, string>) =>
        conversionIds((await request(api.app).get('/v1/conversions').query(query).set(AUTH).expect(200)).body);
      expect(await get({ callbackSent: 'Yes' })).toEqual([ids.sent]);
      expect(await get({ callbackSent: 'No', publisherId: 'pub-x' })).toEqual([ids.pending, ids.retrying, ids.failed]);
      expect(await get({ publisherId: 'pub-y' })).toEqual([ids.other]);
      expect(await get({ from: '2026-01-02T10:00:00Z', to: '2026-01-04T10:00:00Z' })).toEqual([ids.retrying, ids.failed]);
      expect(await get({ from: '2026-01-04T11:00:00+01:00' })).toEqual([ids.other, ids.pending]);
    });

    it('pages with an opaque cursor until every row was seen once', async () => {
      const { conversionIds: seen, pages } = await pageThrough(api.app, '/v1/conversions', 2);
      expect(pages).toBe(3);
      expect(seen).toEqual([ids.other, ids.pending, ids.retrying, ids.failed, ids.sent]);
    });

    it.each([
      ['limit above 200', { limit: '201' }, 'limit', 'less than or equal to 200'],
      ['limit 0', { limit: '0' }, 'limit', 'greater than or equal to 1'],
      ['a time without zone', { from: '2026-01-01T00:00:00' }, 'from', 'ISO 8601'],
      ['callbackSent other than Yes/No', { callbackSent: 'true' }, 'callbackSent', "Expected 'Yes' | 'No'"],
      ['a forged cursor', { cursor: 'not-a-cursor' }, 'cursor', 'not a cursor returned by this API'],
      ['an unknown parameter', { status: 'sent' }, 'status', 'not a known field'],
    ])('answers 400 for %s', async (_case, query, field, reason) => {
      const res = await request(api.app).get('/v1/conversions').query(query).set(AUTH).expect(400);
      expect(res.body.error.fields).toContainEqual({ in: 'query', field, reason: expect.stringContaining(reason) });
    });
  });

  describe('GET /v1/callbacks (conversion callback report)', () => {
    it('lists one row per callback with its status, attempts and last error', async () => {
      const res = await request(api.app).get('/v1/callbacks').set(AUTH).expect(200);
      expect(res.body.data).toHaveLength(5);
      const failed = res.body.data.find((row: { conversionId: string }) => row.conversionId === ids.failed);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastStatusCode: 404,
        lastError: 'publisher answered HTTP 404',
        nextRetryAt: null,
        publisherId: 'pub-x',
        workflowId: `conversion-callback/${ids.failed}`,
      });
      const retrying = res.body.data.find((row: { conversionId: string }) => row.conversionId === ids.retrying);
      expect(retrying).toMatchObject({ status: 'retrying', lastStatusCode: 503, nextRetryAt: '2026-01-03T10:02:00.000Z' });
    });

    it.each([
      ['failed', 'failed'],
      ['sent', 'sent'],
      ['retrying', 'retrying'],
    ] as const)('filters by status %s', async (status, key) => {
      const res = await request(api.app).get('/v1/callbacks').query({ status }).set(AUTH).expect(200);
      expect(conversionIds(res.body)).toEqual([ids[key]]);
    });

    it('filters pending callbacks and pages them', async () => {
      const first = await request(api.app).get('/v1/callbacks').query({ status: 'pending', limit: 1 }).set(AUTH).expect(200);
      expect(conversionIds(first.body)).toEqual([ids.other]);
      const second = await request(api.app)
        .get('/v1/callbacks')
        .query({ status: 'pending', limit: 1, cursor: first.body.nextCursor as string })
        .set(AUTH)
        .expect(200);
      expect(conversionIds(second.body)).toEqual([ids.pending]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('answers 400 for an unknown status', async () => {
      const res = await request(api.app).get('/v1/callbacks').query({ status: 'Failed' }).set(AUTH).expect(400);
      expect(res.body.error.fields).toContainEqual({ in: 'query', field: 'status', reason: expect.stringContaining('pending') });
    });
  });

  describe('GET /v1/conversions/:conversionId', () => {
    it('shows the conversion, its callback and its attempts in attempt order', async () => {
      const res = await request(api.app).get(`/v1/conversions/${ids.sent}`).set(AUTH).expect(200);
      expect(res.body).toMatchObject({ conversionId: ids.sent, callbackSent: 'Yes', callback: { status: 'sent', attempts: 2 } });
      expect(res.body.attempts).toEqual([
        {
          attemptNumber: 1,
          trigger: 'automatic',
          requestedBy: null,
          outcome: 'failed',
          startedAt: '2026-01-01T10:00:00.000Z',
          durationMs: 30,
          statusCode: 503,
          errorClass: 'http_status',
          errorMessage: 'publisher answered HTTP 503',
          responseSnippet: 'busy',
          nextRetryAt: '2026-01-01T10:02:00.000Z',
          // Recorded without a cause (as before causes were recorded): computed from the row when read.
          cause: expect.objectContaining({ code: 'server_downtime' }),
        },
        expect.objectContaining({ attemptNumber: 2, outcome: 'succeeded', statusCode: 200, cause: null }),
      ]);
    });

    it('answers 404 for an unknown conversion', async () => {
      await request(api.app).get('/v1/conversions/nope').set(AUTH).expect(404);
    });
  });
});
