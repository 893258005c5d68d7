import request from 'supertest';
import { dispatchOutbox } from '../../src/api/use-cases/dispatch-outbox';
import { silentLogger } from '../../src/logger';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';

describe('POST /v1/conversions', () => {
  const api = useTestApi();
  const { scheduler } = api;

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-1').set(AUTH).send(publisherBody()).expect(201);
  });
  beforeEach(() => {
    scheduler.temporalDown = false;
  });

  async function workflowStartedAt(conversionId: string): Promise<Date | null> {
    const { rows } = await api.db.pool.query<{ workflow_started_at: Date | null }>(
      'SELECT workflow_started_at FROM conversions WHERE id = $1',
      [conversionId],
    );
    return rows[0].workflow_started_at;
  }

  const dispatch = () => dispatchOutbox({ pool: api.db.pool, scheduler, logger: silentLogger }, { batchSize: 100, concurrency: 4 });

  async function outboxIds(): Promise<string[]> {
    const { rows } = await api.db.pool.query<{ conversion_id: string }>('SELECT conversion_id FROM delivery_outbox ORDER BY conversion_id');
    return rows.map((row) => row.conversion_id);
  }

  it('records a new conversion with a pending callback and an outbox entry (201); the dispatcher starts its workflow', async () => {
    const body = conversionBody('pub-1', { extras: { country: 'DE' } });
    const res = await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    expect(res.body).toMatchObject({
      conversionId: body.conversionId,
      publisherId: 'pub-1',
      payout: '1.5',
      extras: { country: 'DE' },
      workflowId: `conversion-callback/${String(body.conversionId)}`,
      callbackSent: 'No',
      callback: { status: 'pending', attempts: 0, lastStatusCode: null, lastError: null },
    });
    expect(res.body.workflowStartedAt).toBeNull();
    expect(await outboxIds()).toContain(body.conversionId);
    expect(scheduler.started).not.toContainEqual({ conversionId: body.conversionId, publisherId: 'pub-1' });

    await dispatch();
    expect(scheduler.started).toContainEqual({ conversionId: body.conversionId, publisherId: 'pub-1' });
    expect(await outboxIds()).not.toContain(body.conversionId);
    const read = await request(api.app).get(`/v1/conversions/${String(body.conversionId)}`).set(AUTH).expect(200);
    expect(read.body.workflowStartedAt).toEqual(expect.any(String));
  });

  it('returns the existing conversion (200) for the same payload and never starts a second delivery', async () => {
    const body = conversionBody('pub-1', { payout: 2, extras: { a: 1, b: 2 } });
    await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    // Same payload, other key order and payout spelling.
    const again = await request(api.app)
      .post('/v1/conversions')
      .set(AUTH)
      .send({ ...body, payout: '2.000', extras: { b: 2, a: 1 } })
      .expect(200);
    expect(again.body.conversionId).toBe(body.conversionId);
    await dispatch();
    expect(scheduler.started.filter((c) => c.conversionId === body.conversionId)).toHaveLength(1);
  });

  it('creates the conversion once when it is posted concurrently: one 201, the others 200 with the same row', async () => {
    const body = conversionBody('pub-1');
    const answers = await Promise.all([1, 2, 3, 4].map(() => request(api.app).post('/v1/conversions').set(AUTH).send(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    const created = answers.find((a) => a.status === 201)?.body as { createdAt: string };
    expect(created.createdAt).toEqual(expect.any(String));
    for (const answer of answers) expect(answer.body).toMatchObject({ conversionId: body.conversionId, createdAt: created.createdAt });
    await dispatch();
    expect(scheduler.started.filter((c) => c.conversionId === body.conversionId)).toHaveLength(1);
  });

  it('answers 409 for the same id with a different payload', async () => {
    const body = conversionBody('pub-1');
    await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    const res = await request(api.app).post('/v1/conversions').set(AUTH).send({ ...body, payout: '9.99' }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'conflict', conversionId: body.conversionId });
  });

  it('answers 422 naming publisherId when the publisher does not exist', async () => {
    const res = await request(api.app).post('/v1/conversions').set(AUTH).send(conversionBody('no-such-publisher')).expect(422);
    expect(res.body.error.fields).toEqual([{ in: 'body', field: 'publisherId', reason: expect.stringContaining('PUT /v1/publishers/no-such-publisher') }]);
  });

  it.each([
    ['conversionId', { conversionId: undefined }, 'Required'],
    ['conversionId', { conversionId: 'has space' }, 'letters, digits'],
    ['conversionId', { conversionId: 'x'.repeat(129) }, 'at most 128'],
    ['publisherId', { publisherId: '' }, 'at least 1'],
    ['clickId', { clickId: undefined }, 'Required'],
    ['clickId', { clickId: '   ' }, 'at least 1'],
    ['eventId', { eventId: 42 }, 'Expected string'],
    ['payout', { payout: true }, 'number or a decimal string'],
    ['offerId', { offerId: 'o'.repeat(257) }, 'at most 256'],
    ['payout', { payout: -1 }, 'non-negative decimal'],
    ['payout', { payout: '1.2345678' }, 'non-negative decimal'],
    ['payout', { payout: 'ten' }, 'non-negative decimal'],
    ['payout', { payout: undefined }, 'Required'],
    ['userId', { userId: null }, 'Expected string'],
    ['extras', { extras: 'not an object' }, 'Expected object'],
    ['extras', { extras: { blob: 'x'.repeat(5000) } }, 'at most 4096 bytes'],
    ['clickID', { clickID: 'typo' }, 'not a known field'],
  ])('rejects a bad %s with 400 naming it (%#)', async (field, overrides, reason) => {
    const res = await request(api.app).post('/v1/conversions').set(AUTH).send(conversionBody('pub-1', overrides)).expect(400);
    expect(res.body.error.fields).toContainEqual({ in: 'body', field, reason: expect.stringContaining(reason) });
  });

  it('names every bad field at once', async () => {
    const res = await request(api.app).post('/v1/conversions').set(AUTH).send({}).expect(400);
    const fields = (res.body.error.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['clickId', 'conversionId', 'eventId', 'offerId', 'payout', 'publisherId', 'userId']);
  });

  describe('when Temporal is down', () => {
    it('answers 201 all the same; the dispatcher keeps the entries and starts each workflow once Temporal is back', async () => {
      scheduler.temporalDown = true;
      const bodies = [conversionBody('pub-1'), conversionBody('pub-1'), conversionBody('pub-1')];
      for (const body of bodies) await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);

      expect(await dispatch()).toMatchObject({ started: 0, temporalUnavailable: true });
      for (const body of bodies) expect(await outboxIds()).toContain(body.conversionId);

      scheduler.temporalDown = false;
      expect(await dispatch()).toMatchObject({ started: expect.any(Number), temporalUnavailable: false });
      for (const body of bodies) {
        expect(await workflowStartedAt(String(body.conversionId))).toBeInstanceOf(Date);
        expect(scheduler.started.filter((c) => c.conversionId === body.conversionId)).toHaveLength(1);
      }
      expect(await outboxIds()).toEqual([]);
      expect(await dispatch()).toEqual({ claimed: 0, started: 0, postponed: 0, temporalUnavailable: false });
    });
  });
});
