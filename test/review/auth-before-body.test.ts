import request from 'supertest';
import { AUTH, useTestApi } from '../support/api';

/** Without a valid key the body is never read: every /v1 request without one is a 401, whatever it carries. */
describe('the API key comes before the body', () => {
  const api = useTestApi();

  it('answers malformed JSON without a key with 401', async () => {
    const res = await request(api.app).post('/v1/conversions').set('Content-Type', 'application/json').send('{bad').expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('answers an oversized body with a wrong key with 401', async () => {
    const res = await request(api.app)
      .post('/v1/conversions')
      .set('Authorization', 'Bearer not-the-key')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(100_000) }))
      .expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('still parses the body of an authenticated request', async () => {
    const res = await request(api.app).post('/v1/conversions').set(AUTH).set('Content-Type', 'application/json').send('{bad').expect(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});
