import request from 'supertest';
import { AUTH, conversionBody, pageThrough, publisherBody, useTestApi } from '../support/api';

const encode = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('report cursors', () => {
  const api = useTestApi();
  const ids: string[] = [];

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-k').set(AUTH).send(publisherBody()).expect(201);
    for (let i = 0; i < 5; i += 1) {
      const body = conversionBody('pub-k');
      await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
      ids.push(String(body.conversionId));
    }
    // Three share one microsecond, two differ from it by a single microsecond.
    await api.db.pool.query(`UPDATE conversions SET created_at = '2026-03-01T12:00:00.000001Z' WHERE id = ANY($1)`, [ids.slice(0, 3)]);
    await api.db.pool.query(`UPDATE conversions SET created_at = '2026-03-01T12:00:00.000000Z' WHERE id = $1`, [ids[3]]);
    await api.db.pool.query(`UPDATE conversions SET created_at = '2026-03-01T12:00:00.000002Z' WHERE id = $1`, [ids[4]]);
  });

  it.each(['/v1/conversions', '/v1/callbacks'])('%s pages one row at a time through ties and neighbouring microseconds', async (path) => {
    const { conversionIds: seen } = await pageThrough(api.app, path, 1);
    const tied = [...ids.slice(0, 3)].sort().reverse();
    expect(seen).toEqual([ids[4], ...tied, ids[3]]);
  });

  it.each([
    ['a timestamp Postgres cannot read', { createdAt: 'garbage', id: 'conv-1' }],
    ['a timestamp out of range', { createdAt: '99999999999999999999', id: 'conv-1' }],
    ['an id with a NUL', { createdAt: '1772366400000001', id: 'a\u0000' }],
    ['an extra field', { createdAt: '1772366400000001', id: 'conv-1', x: 1 }],
  ])('a cursor with %s is a 400 naming the cursor', async (_, key) => {
    const res = await request(api.app).get('/v1/conversions').query({ cursor: encode(key) }).set(AUTH).expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'query', field: 'cursor', reason: expect.any(String) }]);
  });
});
