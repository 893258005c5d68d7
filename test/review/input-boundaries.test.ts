import request from 'supertest';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';

/** Input that Postgres or Node's HTTP client would refuse later is refused at the boundary, with a 400 naming it. */
describe('input the storage or the sender cannot take', () => {
  const api = useTestApi();

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-b').set(AUTH).send(publisherBody()).expect(201);
  });

  it.each([
    ['clickId', { clickId: 'a\u0000b' }, 'clickId'],
    ['userId', { userId: 'u\u0000' }, 'userId'],
    ['an extras value', { extras: { note: 'x\u0000y' } }, 'extras'],
    ['an extras key', { extras: { 'k\u0000': 1 } }, 'extras'],
  ])('a NUL character in %s is a 400', async (_, overrides, field) => {
    const res = await request(api.app).post('/v1/conversions').set(AUTH).send(conversionBody('pub-b', overrides)).expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'body', field, reason: expect.stringMatching(/NUL/) }]);
    expect(await api.db.pool.query('SELECT count(*)::int AS n FROM conversions')).toMatchObject({ rows: [{ n: 0 }] });
  });

  it('counts the extras limit in bytes', async () => {
    const res = await request(api.app)
      .post('/v1/conversions')
      .set(AUTH)
      .send(conversionBody('pub-b', { extras: { note: 'é'.repeat(3000) } }))
      .expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'body', field: 'extras', reason: expect.stringMatching(/4096 bytes/) }]);
  });

  it.each([
    ['a NUL in the callback URL', { callbackUrl: 'https://publisher.example/cb\u0000' }, 'callbackUrl', 'NUL'],
    ['a NUL in the signing secret', { signingSecret: 'a-long-enough-secret\u0000' }, 'signingSecret', 'NUL'],
    ['a NUL in the header value', { secretHeader: { name: 'X-T', value: 'a\u0000b' } }, 'secretHeader.value', 'printable'],
    ['a header value beyond Latin-1', { secretHeader: { name: 'X-T', value: 'token€' } }, 'secretHeader.value', 'printable'],
  ])('%s is a 400', async (_, overrides, field, reason) => {
    const res = await request(api.app).put('/v1/publishers/pub-c').set(AUTH).send(publisherBody(overrides)).expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'body', field, reason: expect.stringContaining(reason) }]);
  });

  it('still takes a header value with a tab and Latin-1 characters', async () => {
    await request(api.app)
      .put('/v1/publishers/pub-d')
      .set(AUTH)
      .send(publisherBody({ secretHeader: { name: 'X-T', value: 'clé\tvaleur' } }))
      .expect(201);
  });

  it('a NUL in requestedBy is a 400', async () => {
    const res = await request(api.app).post('/v1/callbacks/resend').set(AUTH).send({ eventId: 'e', requestedBy: 'op\u0000' }).expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'body', field: 'requestedBy', reason: expect.stringMatching(/NUL/) }]);
  });
});

describe('whsec_ signing secrets', () => {
  const api = useTestApi();

  it.each([
    ['not base64', 'whsec_!!!!!!!!!!!!!!!!!!!!!!!!'],
    ['fewer than 16 bytes', `whsec_${Buffer.from('short-key').toString('base64')}`],
  ])('a whsec_ secret that is %s is a 400 (it would sign with a short or empty key)', async (_, signingSecret) => {
    const res = await request(api.app).put('/v1/publishers/pub-w').set(AUTH).send(publisherBody({ signingSecret })).expect(400);
    expect(res.body.error.fields).toEqual([{ in: 'body', field: 'signingSecret', reason: expect.stringContaining('base64') }]);
  });

  it('takes a whsec_ secret of 16 bytes or more, and any other secret of 16 characters', async () => {
    const whsec = `whsec_${Buffer.from('sixteen-byte-key').toString('base64')}`;
    await request(api.app).put('/v1/publishers/pub-w1').set(AUTH).send(publisherBody({ signingSecret: whsec })).expect(201);
    await request(api.app).put('/v1/publishers/pub-w2').set(AUTH).send(publisherBody({ signingSecret: 'plain-secret-16c' })).expect(201);
  });
});
