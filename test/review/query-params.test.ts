import request from 'supertest';
import { AUTH, useTestApi } from '../support/api';

describe('report query parameters', () => {
  const api = useTestApi();

  // zod's datetime takes any two-digit offset; these made an Invalid Date that Postgres refused (a 500).
  it.each(['+24:00', '-24:00', '+00:60', '+99:99', '+2400'])('a time with the offset %s is a 400 naming it', async (offset) => {
    for (const param of ['from', 'to']) {
      const res = await request(api.app)
        .get('/v1/conversions')
        .query({ [param]: `2026-01-31T00:00:00${offset}` })
        .set(AUTH)
        .expect(400);
      expect(res.body.error.fields).toEqual([{ in: 'query', field: param, reason: expect.stringContaining('offset out of range') }]);
    }
  });

  it('takes the extreme offsets +23:59 and -23:59', async () => {
    await request(api.app).get('/v1/conversions').query({ from: '2026-01-31T00:00:00+23:59', to: '2026-01-31T00:00:00-23:59' }).set(AUTH).expect(200);
  });

  it.each([
    ['/v1/conversions?limit=1&limit=2', 'limit'],
    ['/v1/conversions?callbackSent=Yes&callbackSent=No', 'callbackSent'],
    ['/v1/callbacks?status=sent&status=failed&publisherId=a&publisherId=b', 'status'],
  ])('%s says the parameter is given more than once', async (path, field) => {
    const res = await request(api.app).get(path).set(AUTH).expect(400);
    expect(res.body.error.fields).toContainEqual({ in: 'query', field, reason: expect.stringContaining('more than once') });
    expect(res.body.error.message).not.toMatch(/nan|array/i);
  });
});
