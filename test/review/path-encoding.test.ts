import request from 'supertest';
import { AUTH, publisherBody, useTestApi } from '../support/api';
import { expectNothingStored } from '../support/stored-rows';

/** Express decodes path parameters while matching routes; a malformed percent-encoding was a URIError and a 500. */
describe('a malformed percent-encoding in a path parameter', () => {
  const api = useTestApi();

  it.each([
    ['get', '/v1/publishers/%ff', 'publisherId'],
    ['put', '/v1/publishers/%ff', 'publisherId'],
    ['get', '/v1/publishers/pub%', 'publisherId'],
    ['get', '/v1/conversions/%C0%AF', 'conversionId'],
    // A lone surrogate (U+D800) written as UTF-8 bytes: not UTF-8 either.
    ['get', '/v1/conversions/%ED%A0%80', 'conversionId'],
    ['post', '/v1/conversions/%ff/resend', 'conversionId'],
  ] as const)('%s %s is a 400 naming %s, and nothing is stored or resent', async (method, path, field) => {
    const res = await expectNothingStored(api, () => request(api.app)[method](path).set(AUTH).send(publisherBody()));
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'validation_failed',
      message: expect.stringContaining(field),
      fields: [{ in: 'path', field, reason: expect.stringContaining('malformed percent-encoding') }],
    });
  });

  it('still decodes a well-formed encoding: /v1/publishers/pub%2Dx is publisher pub-x', async () => {
    const res = await request(api.app).get('/v1/publishers/pub%2Dx').set(AUTH).expect(404);
    expect(res.body.error.message).toBe('No publisher pub-x');
  });

  it('checks the key first: without one the answer is 401', async () => {
    await request(api.app).get('/v1/publishers/%ff').expect(401);
  });
});
