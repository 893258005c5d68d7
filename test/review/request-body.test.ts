import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';
import { sendBytes, sendJsonText } from '../support/raw-request';
import { expectNothingStored } from '../support/stored-rows';

const COMPRESSORS = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };

/** How a body is sent (type, charset, compression) and its top-level shape: a 4xx saying what is wrong, never a 500. */
describe('reading the request body', () => {
  const api = useTestApi();
  const post = () => request(api.app).post('/v1/conversions').set(AUTH);

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-body').set(AUTH).send(publisherBody()).expect(201);
  });

  describe('Content-Type', () => {
    it.each([
      ['text/plain', 'text/plain'],
      ['form-encoded', 'application/x-www-form-urlencoded'],
      ['none', undefined],
    ])('a body sent as %s is a 415 saying it must be application/json', async (_, type) => {
      const json = JSON.stringify(conversionBody('pub-body'));
      const res = await expectNothingStored(api, () => sendBytes(type ? post().set('Content-Type', type) : post(), json));
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ error: { code: 'unsupported_media_type', message: expect.stringContaining('Content-Type: application/json') } });
    });

    it('a PUT without the JSON type is a 415 too', async () => {
      const res = await request(api.app).put('/v1/publishers/pub-typed').set(AUTH).set('Content-Type', 'text/plain').send(JSON.stringify(publisherBody()));
      expect(res.status).toBe(415);
    });

    it('a charset other than UTF-8 is a 415', async () => {
      const res = await sendBytes(post().set('Content-Type', 'application/json; charset=utf-16le'), Buffer.from('{}', 'utf16le'));
      expect(res.status).toBe(415);
      expect(res.body.error.message).toContain('UTF-8');
    });

    it('takes application/json; charset=utf-8', async () => {
      await sendBytes(post().set('Content-Type', 'application/json; charset=UTF-8'), JSON.stringify(conversionBody('pub-body'))).expect(201);
    });
  });

  describe('shape', () => {
    it.each(['null', '[]', '"conversion"', '42', 'true'])('a body of %s is a 400 saying it must be a JSON object', async (text) => {
      const res = await expectNothingStored(api, () => sendJsonText(post(), text));
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([{ in: 'body', field: '', reason: 'must be a JSON object' }]);
    });

    it('no body at all is a 400 saying how to send one', async () => {
      const res = await post().expect(400);
      expect(res.body.error.fields).toEqual([{ in: 'body', field: '', reason: expect.stringContaining('Content-Type: application/json') }]);
    });

    it('bytes that are not UTF-8 are a 400 (they were stored as U+FFFD)', async () => {
      const json = Buffer.from(JSON.stringify(conversionBody('pub-body', { userId: 'user-X' })));
      json[json.indexOf('user-X') + 5] = 0xff;
      const res = await expectNothingStored(api, () => sendBytes(post().set('Content-Type', 'application/json'), json));
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([{ in: 'body', field: '', reason: 'is not valid UTF-8' }]);
    });
  });

  describe('Content-Encoding', () => {
    it.each(Object.keys(COMPRESSORS))('a body marked %s that is not compressed is a 400 naming the encoding', async (encoding) => {
      const res = await expectNothingStored(api, () =>
        sendJsonText(post().set('Content-Encoding', encoding), JSON.stringify(conversionBody('pub-body'))),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([{ in: 'body', field: '', reason: `is not valid ${encoding} data (Content-Encoding: ${encoding})` }]);
    });

    it.each(Object.entries(COMPRESSORS))('a valid %s body is read and stored as sent', async (encoding, compress) => {
      const body = conversionBody('pub-body', { extras: { encoding } });
      const res = await sendBytes(post().set('Content-Type', 'application/json').set('Content-Encoding', encoding), compress(JSON.stringify(body)));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ conversionId: body.conversionId, extras: { encoding } });
    });

    it.each(['zstd', 'compress', 'gzip, br'])('Content-Encoding: %s is a 415', async (encoding) => {
      const res = await expectNothingStored(api, () => sendJsonText(post().set('Content-Encoding', encoding), '{}'));
      expect(res.status).toBe(415);
      expect(res.body.error).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('gzip, deflate or br') });
    });

    it('counts the 64 KB limit after decompression', async () => {
      const bomb = gzipSync(JSON.stringify({ ...conversionBody('pub-body'), extras: { pad: ' '.repeat(1_000_000) } }));
      expect(bomb.length).toBeLessThan(4096);
      const res = await sendBytes(post().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip'), bomb);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
    });
  });
});
