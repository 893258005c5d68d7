import request from 'supertest';
import { MAX_BATCH_SIZE } from '../../src/api/routes/conversions';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';

interface BatchAnswer {
  created: number;
  existing: number;
  rejected: number;
  results: { index: number; status: number; conversion?: { conversionId: string }; error?: { code: string; fields?: { field: string }[] } }[];
}

describe('POST /v1/conversions/batch', () => {
  const api = useTestApi();

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-b').set(AUTH).send(publisherBody()).expect(201);
  });

  const postBatch = (conversions: unknown[]) => request(api.app).post('/v1/conversions/batch').set(AUTH).send({ conversions });

  async function outboxHas(conversionId: string): Promise<boolean> {
    const { rowCount } = await api.db.pool.query('SELECT 1 FROM delivery_outbox WHERE conversion_id = $1', [conversionId]);
    return rowCount === 1;
  }

  it(`records ${MAX_BATCH_SIZE} conversions in one request, each answered 201 with its pending callback and outbox entry`, async () => {
    const bodies = Array.from({ length: MAX_BATCH_SIZE }, () => conversionBody('pub-b'));
    const res = await postBatch(bodies).expect(200);
    const answer = res.body as BatchAnswer;
    expect(answer).toMatchObject({ created: MAX_BATCH_SIZE, existing: 0, rejected: 0 });
    expect(answer.results.map((r) => [r.index, r.status, r.conversion?.conversionId])).toEqual(
      bodies.map((body, index) => [index, 201, body.conversionId]),
    );
    const { rows } = await api.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM conversions c JOIN callbacks cb ON cb.conversion_id = c.id JOIN delivery_outbox o ON o.conversion_id = c.id
        WHERE c.id = ANY($1) AND cb.status = 'pending'`,
      [bodies.map((b) => b.conversionId)],
    );
    expect(Number(rows[0].n)).toBe(MAX_BATCH_SIZE);
  });

  it('answers each conversion on its own: created, re-posted, conflicting, invalid, unknown publisher, repeated id', async () => {
    const recorded = conversionBody('pub-b');
    const recordedOther = conversionBody('pub-b');
    for (const body of [recorded, recordedOther]) await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    const fresh = conversionBody('pub-b');
    const conflicting = { ...recordedOther, payout: '99' };
    const invalid = conversionBody('pub-b', { payout: 'ten' });
    const orphan = conversionBody('no-such-publisher');
    const repeated = { ...conversionBody('pub-b'), conversionId: fresh.conversionId };

    const res = await postBatch([fresh, recorded, conflicting, invalid, orphan, repeated]).expect(200);
    const answer = res.body as BatchAnswer;
    expect(answer.results.map((r) => r.status)).toEqual([201, 200, 409, 400, 422, 400]);
    expect(answer).toMatchObject({ created: 1, existing: 1, rejected: 4 });
    expect(answer.results[1].conversion?.conversionId).toBe(recorded.conversionId);
    expect(answer.results[2].error?.code).toBe('conflict');
    expect(answer.results[3].error?.fields).toEqual([expect.objectContaining({ in: 'body', field: 'conversions.3.payout' })]);
    expect(answer.results[4].error?.fields).toEqual([expect.objectContaining({ field: 'conversions.4.publisherId' })]);
    expect(answer.results[5].error?.fields).toEqual([
      expect.objectContaining({ field: 'conversions.5.conversionId', reason: expect.stringContaining('repeats conversions.0') }),
    ]);

    expect(await outboxHas(String(fresh.conversionId))).toBe(true);
    for (const body of [invalid, orphan]) {
      const { rowCount } = await api.db.pool.query('SELECT 1 FROM conversions WHERE id = $1', [body.conversionId]);
      expect(rowCount).toBe(0);
    }
  });

  it('a re-sent batch is answered 200 for each conversion and writes nothing new', async () => {
    const bodies = [conversionBody('pub-b'), conversionBody('pub-b')];
    await postBatch(bodies).expect(200);
    const { rows: before } = await api.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM delivery_outbox');
    const again = (await postBatch(bodies).expect(200)).body as BatchAnswer;
    expect(again.results.map((r) => r.status)).toEqual([200, 200]);
    const { rows: after } = await api.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM delivery_outbox');
    expect(after[0].n).toBe(before[0].n);
  });

  it.each([
    ['no conversions', { conversions: [] }, 'conversions', 'at least one'],
    ['too many', { conversions: Array.from({ length: MAX_BATCH_SIZE + 1 }, () => ({})) }, 'conversions', `at most ${MAX_BATCH_SIZE}`],
    ['not an array', { conversions: {} }, 'conversions', 'Expected array'],
    ['an unknown field', { conversions: [conversionBody('pub-b')], dryRun: true }, 'dryRun', 'not a known field'],
  ])('answers 400 for %s, recording nothing', async (_case, body, field, reason) => {
    const res = await request(api.app).post('/v1/conversions/batch').set(AUTH).send(body).expect(400);
    expect(res.body.error.fields).toContainEqual({ in: 'body', field, reason: expect.stringContaining(reason) });
  });

  it('takes a body up to 8 MB (far above the single route limit) and refuses a larger one with 413', async () => {
    const big = Array.from({ length: 500 }, () => conversionBody('pub-b', { extras: { note: 'x'.repeat(4000) } }));
    await postBatch(big).expect(200);
    const tooBig = Array.from({ length: MAX_BATCH_SIZE }, () => conversionBody('pub-b', { extras: { note: 'x'.repeat(9000) } }));
    const res = await postBatch(tooBig).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
    await request(api.app).post('/v1/conversions').set(AUTH).send(big[0]).expect(200);
    // Express matches routes in any case: so does the body limit.
    const upper = Array.from({ length: 100 }, () => conversionBody('pub-b', { extras: { note: 'x'.repeat(1000) } }));
    await request(api.app).post('/v1/Conversions/Batch').set(AUTH).send({ conversions: upper }).expect(200);
  });

  it('leaves GET of a conversion whose id is "batch" to the conversion route', async () => {
    await request(api.app).get('/v1/conversions/batch').set(AUTH).expect(404);
    await request(api.app).put('/v1/conversions/batch').set(AUTH).send({}).expect(405);
  });
});
