import request from 'supertest';
import { AUTH, useTestApi } from '../support/api';

/** Express answered OPTIONS with a text/plain 200 and other methods with 404; now 204 + Allow and a JSON 405. */
describe('methods a route does not have', () => {
  const api = useTestApi();

  it.each([
    ['/healthz', 'GET, HEAD, OPTIONS'],
    ['/v1/publishers/pub-1', 'PUT, GET, HEAD, OPTIONS'],
    ['/v1/conversions', 'POST, GET, HEAD, OPTIONS'],
    ['/v1/conversions/conv-1', 'GET, HEAD, OPTIONS'],
    ['/v1/conversions/conv-1/resend', 'POST, OPTIONS'],
    ['/v1/callbacks', 'GET, HEAD, OPTIONS'],
    ['/v1/callbacks/resend', 'POST, OPTIONS'],
  ])('OPTIONS %s is a 204 with Allow: %s', async (path, allow) => {
    const res = await request(api.app).options(path).set(AUTH).expect(204);
    expect(res.headers.allow).toBe(allow);
    expect(res.text).toBe('');
  });

  it.each([
    ['delete', '/v1/publishers/pub-1', 'PUT, GET, HEAD, OPTIONS'],
    ['patch', '/v1/conversions', 'POST, GET, HEAD, OPTIONS'],
    ['get', '/v1/callbacks/resend', 'POST, OPTIONS'],
    ['post', '/healthz', 'GET, HEAD, OPTIONS'],
  ] as const)('%s %s is a JSON 405 listing the allowed methods', async (method, path, allow) => {
    const res = await request(api.app)[method](path).set(AUTH).expect(405).expect('Content-Type', /application\/json/);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining(allow) } });
  });

  it('OPTIONS on an unknown path is a JSON 404, and on /v1 without a key a JSON 401', async () => {
    const unknown = await request(api.app).options('/v1/nothing').set(AUTH).expect(404);
    expect(unknown.body.error.code).toBe('not_found');
    const noKey = await request(api.app).options('/v1/conversions').expect(401);
    expect(noKey.body.error.code).toBe('unauthorized');
  });
});
