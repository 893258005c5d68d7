import request from 'supertest';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';

/**
 * GET /v1/overview counts what the attempts and callbacks hold. They are written directly in Postgres at known
 * times relative to now (the delivery writing them is covered by the activity and end-to-end tests).
 */
describe('GET /v1/overview', () => {
  const api = useTestApi();
  const HOUR = 3_600_000;
  const nowMs = Date.now();
  /** The start (UTC) of the hour `hoursAgo` hours before `fromMs` (the test's start), as the API writes it. */
  const hourOf = (hoursAgo: number, fromMs = nowMs) => new Date(Math.floor((fromMs - hoursAgo * HOUR) / HOUR) * HOUR).toISOString();
  let attemptKey = 0;

  async function conversion(publisherId: string): Promise<string> {
    const body = conversionBody(publisherId);
    await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    return String(body.conversionId);
  }

  /** An attempt started `hoursAgo` hours ago; a failed one with a retry after it when `retry`. */
  async function attempt(conversionId: string, hoursAgo: number, outcome: 'succeeded' | 'failed' | 'abandoned', cause: string | null = null, retry = false) {
    attemptKey += 1;
    const startedAt = new Date(nowMs - hoursAgo * HOUR);
    await api.db.pool.query(
      `INSERT INTO callback_attempts (conversion_id, attempt_key, attempt_number, trigger, outcome, started_at, cause, next_retry_at)
       VALUES ($1, $2, $3, 'automatic', $4, $5, $6, CASE WHEN $7::boolean THEN $5::timestamptz + interval '2 minutes' END)`,
      [conversionId, `k${attemptKey}`, attemptKey, outcome, startedAt, cause, retry],
    );
  }

  async function failCallback(conversionId: string, hoursAgo: number): Promise<void> {
    await api.db.pool.query(`UPDATE callbacks SET status = 'failed', failed_at = $2 WHERE conversion_id = $1`, [
      conversionId,
      new Date(nowMs - hoursAgo * HOUR),
    ]);
  }

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-a').set(AUTH).send(publisherBody()).expect(201);
    await request(api.app).put('/v1/publishers/pub-b').set(AUTH).send(publisherBody()).expect(201);
    const a1 = await conversion('pub-a');
    const a2 = await conversion('pub-a');
    const b1 = await conversion('pub-b');
    // pub-a, two hours ago: a 503 retried, then a final 503, and an attempt whose worker died (not counted).
    await attempt(a1, 2, 'failed', 'server_downtime', true);
    await attempt(a1, 2, 'failed', 'server_downtime');
    await attempt(a1, 2, 'abandoned');
    await failCallback(a1, 2);
    // pub-a, now: sent.
    await attempt(a2, 0, 'succeeded');
    // pub-b, one hour ago: an IP refusal; its callback failed 30 hours ago too long ago for failedLast24h.
    await attempt(b1, 1, 'failed', 'ip_not_whitelisted');
    await failCallback(b1, 30);
    // Outside a 24-hour window: counted only with hours=48.
    await attempt(b1, 30, 'succeeded');
  });

  it('counts attempts per hour, failed callbacks of the last 24 hours, and failure causes per publisher', async () => {
    const { body } = await request(api.app).get('/v1/overview').set(AUTH).expect(200);
    // The window ends now, by the database's clock, and starts at the top of the hour 23 hours before.
    const toMs = new Date(body.to).getTime();
    expect(toMs).toBeGreaterThanOrEqual(nowMs);
    expect(body.from).toBe(hourOf(23, toMs));
    expect(body.hourly.map((h: { hour: string }) => h.hour)).toEqual(Array.from({ length: 24 }, (_, i) => hourOf(23 - i, toMs)));
    const at = (hoursAgo: number) => body.hourly.find((h: { hour: string }) => h.hour === hourOf(hoursAgo));
    expect(at(2)).toEqual({ hour: hourOf(2), sent: 0, retrying: 1, failed: 1 });
    expect(at(1)).toEqual({ hour: hourOf(1), sent: 0, retrying: 0, failed: 1 });
    expect(at(0)).toEqual({ hour: hourOf(0), sent: 1, retrying: 0, failed: 0 });
    const totals = body.hourly.reduce((sum: number, h: { sent: number; retrying: number; failed: number }) => sum + h.sent + h.retrying + h.failed, 0);
    expect(totals).toBe(4);
    expect(body.failedLast24h).toBe(1);
    expect(body.causesByPublisher).toEqual([
      { publisherId: 'pub-a', cause: 'server_downtime', label: 'Server downtime', count: 2 },
      { publisherId: 'pub-b', cause: 'ip_not_whitelisted', label: 'IP not whitelisted', count: 1 },
    ]);
  });

  it('narrows every count to one publisher', async () => {
    const { body } = await request(api.app).get('/v1/overview').query({ publisherId: 'pub-b', hours: 48 }).set(AUTH).expect(200);
    expect(body.hourly).toHaveLength(48);
    expect(body.hourly.find((h: { hour: string }) => h.hour === hourOf(30))).toMatchObject({ sent: 1 });
    expect(body.hourly.find((h: { hour: string }) => h.hour === hourOf(2))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(body.failedLast24h).toBe(0);
    expect(body.causesByPublisher).toEqual([{ publisherId: 'pub-b', cause: 'ip_not_whitelisted', label: 'IP not whitelisted', count: 1 }]);
  });

  it('takes a window of 1 to 168 hours', async () => {
    const { body } = await request(api.app).get('/v1/overview').query({ hours: 1 }).set(AUTH).expect(200);
    expect(body.hourly).toMatchObject([{ hour: hourOf(0, new Date(body.to).getTime()) }]);
    expect(body.from).toBe(body.hourly[0].hour);
    for (const hours of ['0', '169', '1.5', 'day']) {
      const res = await request(api.app).get('/v1/overview').query({ hours }).set(AUTH).expect(400);
      expect(res.body.error.fields).toEqual([{ in: 'query', field: 'hours', reason: expect.any(String) }]);
    }
    const unknown = await request(api.app).get('/v1/overview').query({ status: 'failed' }).set(AUTH).expect(400);
    expect(unknown.body.error.fields).toEqual([{ in: 'query', field: 'status', reason: 'is not a known field' }]);
  });
});
