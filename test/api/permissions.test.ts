import type { Express } from 'express';
import request from 'supertest';
import { keyFingerprint } from '../../src/api/api-keys';
import { conversionBody, publisherBody, testConfig, useTestApi } from '../support/api';

const KEYS = {
  admin: 'admin-key-0123456789',
  operator: 'operator-key-0123456789',
  viewer: 'viewer-key-0123456789',
  /** publisher:pub-a; a base64 key whose padding precedes the role. */
  pubA: 'cHViLWEta2V5LTAx==',
  /** publisher:pub-new, a publisher that does not exist. */
  pubNew: 'pub-new-key-0123456789',
};
const API_KEYS = [
  KEYS.admin,
  `${KEYS.operator}=operator`,
  `${KEYS.viewer}=viewer`,
  `${KEYS.pubA}=publisher:pub-a`,
  `${KEYS.pubNew}=publisher:pub-new`,
].join(',');

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('permissions and publisher scoping', () => {
  const api = useTestApi(() => testConfig({ API_KEYS }));
  const { scheduler } = api;
  const own: Record<string, unknown>[] = [];
  const others: Record<string, unknown>[] = [];
  const app = (): Express => api.app;

  beforeAll(async () => {
    for (const publisherId of ['pub-a', 'pub-b']) {
      await request(app()).put(`/v1/publishers/${publisherId}`).set(as(KEYS.admin)).send(publisherBody()).expect(201);
    }
    // One event id in both publishers: a publisher key's resend by it must match only its own conversion.
    own.push(conversionBody('pub-a', { eventId: 'event-both' }), conversionBody('pub-a'));
    others.push(conversionBody('pub-b', { eventId: 'event-both' }), conversionBody('pub-b'));
    for (const body of [...own, ...others]) await request(app()).post('/v1/conversions').set(as(KEYS.admin)).send(body).expect(201);
  });
  beforeEach(() => {
    scheduler.resends.length = 0;
  });

  const forbidden = { error: { code: 'forbidden', message: expect.stringMatching(/^Forbidden for a \w+ key: /) } };

  describe('viewer', () => {
    it('reads every publisher\'s data', async () => {
      const conversions = await request(app()).get('/v1/conversions').set(as(KEYS.viewer)).expect(200);
      expect(conversions.body.data).toHaveLength(4);
      const publishers = await request(app()).get('/v1/publishers').set(as(KEYS.viewer)).expect(200);
      expect(publishers.body.data.map((p: { publisherId: string }) => p.publisherId).sort()).toEqual(['pub-a', 'pub-b']);
      await request(app()).get(`/v1/conversions/${String(others[0].conversionId)}`).set(as(KEYS.viewer)).expect(200);
    });

    it('cannot resend, edit or create publishers, or record conversions (403)', async () => {
      const attempts = [
        request(app()).post(`/v1/conversions/${String(own[0].conversionId)}/resend`),
        request(app()).post('/v1/callbacks/resend').send({ conversionId: own[0].conversionId }),
        request(app()).put('/v1/publishers/pub-a').send(publisherBody({ callbackUrl: 'https://viewer.example/cb' })),
        request(app()).put('/v1/publishers/pub-viewer').send(publisherBody()),
        request(app()).post('/v1/conversions').send(conversionBody('pub-a')),
      ];
      for (const attempt of attempts) expect((await attempt.set(as(KEYS.viewer)).expect(403)).body).toEqual(forbidden);
      expect(scheduler.resends).toEqual([]);
      const publisher = await request(app()).get('/v1/publishers/pub-a').set(as(KEYS.viewer)).expect(200);
      expect(publisher.body.callbackUrl).toBe(publisherBody().callbackUrl);
      await request(app()).get('/v1/publishers/pub-viewer').set(as(KEYS.admin)).expect(404);
    });
  });

  describe('operator', () => {
    it('resends any publisher\'s callback, recorded with the name it gives and its own key', async () => {
      await request(app()).post(`/v1/conversions/${String(others[1].conversionId)}/resend`).set(as(KEYS.operator)).expect(202);
      await request(app())
        .post('/v1/callbacks/resend')
        .set(as(KEYS.operator))
        .send({ conversionId: own[1].conversionId, requestedBy: 'alice@ops' })
        .expect(202);
      expect(scheduler.resends.map((r) => r.requestedBy)).toEqual([
        `operator ${keyFingerprint(KEYS.operator)}`,
        `alice@ops (operator ${keyFingerprint(KEYS.operator)})`,
      ]);
    });

    it('cannot edit publishers or record conversions (403)', async () => {
      expect((await request(app()).put('/v1/publishers/pub-a').set(as(KEYS.operator)).send(publisherBody()).expect(403)).body).toEqual(forbidden);
      expect((await request(app()).post('/v1/conversions').set(as(KEYS.operator)).send(conversionBody('pub-a')).expect(403)).body).toEqual(forbidden);
    });
  });

  describe('publisher:<id>', () => {
    const ownIds = () => own.map((c) => c.conversionId).reverse();

    it('sees only its own publisher in every list', async () => {
      const conversions = await request(app()).get('/v1/conversions').set(as(KEYS.pubA)).expect(200);
      expect(conversions.body.data.map((c: { conversionId: string }) => c.conversionId)).toEqual(ownIds());
      const callbacks = await request(app()).get('/v1/callbacks').set(as(KEYS.pubA)).query({ status: 'pending' }).expect(200);
      expect(callbacks.body.data.map((c: { conversionId: string }) => c.conversionId)).toEqual(ownIds());
      const publishers = await request(app()).get('/v1/publishers').set(as(KEYS.pubA)).expect(200);
      expect(publishers.body).toEqual({ data: [expect.objectContaining({ publisherId: 'pub-a' })], nextCursor: null });
      const filtered = await request(app()).get('/v1/conversions').set(as(KEYS.pubA)).query({ publisherId: 'pub-a', callbackSent: 'No' }).expect(200);
      expect(filtered.body.data).toHaveLength(2);
    });

    it('cannot filter a list on another publisher (403)', async () => {
      for (const url of ['/v1/conversions', '/v1/callbacks']) {
        const res = await request(app()).get(url).set(as(KEYS.pubA)).query({ publisherId: 'pub-b' }).expect(403);
        expect(res.body.error).toMatchObject({ code: 'forbidden', fields: [{ in: 'query', field: 'publisherId', reason: 'may only be pub-a' }] });
      }
    });

    it('gets 404 for another publisher\'s conversion or publisher, as for one that does not exist', async () => {
      await request(app()).get(`/v1/conversions/${String(own[0].conversionId)}`).set(as(KEYS.pubA)).expect(200);
      await request(app()).get('/v1/publishers/pub-a').set(as(KEYS.pubA)).expect(200);
      const other = await request(app()).get(`/v1/conversions/${String(others[0].conversionId)}`).set(as(KEYS.pubA)).expect(404);
      expect(other.body).toEqual({ error: { code: 'not_found', message: `No conversion ${String(others[0].conversionId)}` } });
      const publisher = await request(app()).get('/v1/publishers/pub-b').set(as(KEYS.pubA)).expect(404);
      expect(publisher.body).toEqual({ error: { code: 'not_found', message: 'No publisher pub-b' } });
    });

    it('resends its own callbacks, recorded under its key; another publisher\'s are not found', async () => {
      await request(app()).post(`/v1/conversions/${String(own[1].conversionId)}/resend`).set(as(KEYS.pubA)).expect(202);
      // Both publishers have event-both; only its own conversion matches, so this is not a 409 naming the other.
      const byEvent = await request(app()).post('/v1/callbacks/resend').set(as(KEYS.pubA)).send({ eventId: 'event-both' }).expect(202);
      expect(byEvent.body.conversionId).toBe(own[0].conversionId);
      await request(app()).post(`/v1/conversions/${String(others[1].conversionId)}/resend`).set(as(KEYS.pubA)).expect(404);
      await request(app()).post('/v1/callbacks/resend').set(as(KEYS.pubA)).send({ eventId: others[1].eventId }).expect(404);
      expect(scheduler.resends).toEqual([
        { conversion: { conversionId: own[1].conversionId, publisherId: 'pub-a' }, requestedBy: `publisher:pub-a ${keyFingerprint(KEYS.pubA)}` },
        { conversion: { conversionId: own[0].conversionId, publisherId: 'pub-a' }, requestedBy: `publisher:pub-a ${keyFingerprint(KEYS.pubA)}` },
      ]);
    });

    it('cannot name who resends (403)', async () => {
      const res = await request(app())
        .post(`/v1/conversions/${String(own[0].conversionId)}/resend`)
        .set(as(KEYS.pubA))
        .send({ requestedBy: 'someone else' })
        .expect(403);
      expect(res.body.error.message).toContain('cannot set requestedBy');
      expect(scheduler.resends).toEqual([]);
    });

    it('edits its own endpoint, not another publisher\'s (404)', async () => {
      const edited = await request(app())
        .put('/v1/publishers/pub-a')
        .set(as(KEYS.pubA))
        .send(publisherBody({ callbackUrl: 'https://pub-a.example/postback?c={click_id}' }))
        .expect(200);
      expect(edited.body.callbackUrl).toBe('https://pub-a.example/postback?c={click_id}');
      await request(app()).put('/v1/publishers/pub-b').set(as(KEYS.pubA)).send(publisherBody({ callbackUrl: 'https://evil.example/' })).expect(404);
      const other = await request(app()).get('/v1/publishers/pub-b').set(as(KEYS.admin)).expect(200);
      expect(other.body.callbackUrl).toBe(publisherBody().callbackUrl);
    });

    it('cannot create publishers, not even its own, nor record conversions (403)', async () => {
      const res = await request(app()).put('/v1/publishers/pub-new').set(as(KEYS.pubNew)).send(publisherBody()).expect(403);
      expect(res.body.error.message).toContain('creating a publisher needs an admin key');
      await request(app()).get('/v1/publishers/pub-new').set(as(KEYS.admin)).expect(404);
      await request(app()).put('/v1/publishers/pub-c').set(as(KEYS.pubA)).send(publisherBody()).expect(404);
      await request(app()).get('/v1/publishers/pub-c').set(as(KEYS.admin)).expect(404);
      expect((await request(app()).post('/v1/conversions').set(as(KEYS.pubA)).send(conversionBody('pub-a')).expect(403)).body).toEqual(forbidden);
    });

    it('of a publisher without data sees empty lists', async () => {
      for (const url of ['/v1/conversions', '/v1/callbacks', '/v1/publishers']) {
        expect((await request(app()).get(url).set(as(KEYS.pubNew)).expect(200)).body).toEqual({ data: [], nextCursor: null });
      }
    });
  });

  describe('GET /v1/publishers', () => {
    it('pages newest first with limit and cursor', async () => {
      const first = await request(app()).get('/v1/publishers').query({ limit: 1 }).set(as(KEYS.admin)).expect(200);
      expect(first.body.data.map((p: { publisherId: string }) => p.publisherId)).toEqual(['pub-b']);
      expect(first.body.data[0]).toEqual({
        publisherId: 'pub-b',
        callbackUrl: publisherBody().callbackUrl,
        method: 'POST',
        timeoutMs: 10_000,
        secretHeader: null,
        signingSecretSet: false,
        successRule: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const second = await request(app()).get('/v1/publishers').query({ limit: 1, cursor: first.body.nextCursor as string }).set(as(KEYS.admin)).expect(200);
      expect(second.body).toEqual({ data: [expect.objectContaining({ publisherId: 'pub-a' })], nextCursor: null });
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ cursor: 'nonsense' }, 'cursor'],
      [{ publisherId: 'pub-a' }, 'publisherId'],
    ])('answers 400 for %j', async (query, field) => {
      const res = await request(app()).get('/v1/publishers').query(query).set(as(KEYS.admin)).expect(400);
      expect(res.body.error.fields).toEqual([expect.objectContaining({ in: 'query', field })]);
    });
  });

  describe('test callbacks and the overview', () => {
    it('a test callback needs a key that may send one, to a publisher it sees', async () => {
      const viewer = await request(app()).post('/v1/publishers/pub-a/test-callback').set(as(KEYS.viewer)).send({}).expect(403);
      expect(viewer.body).toEqual(forbidden);
      // Another publisher's endpoint does not exist for a publisher key: 404 before anything is sent.
      const other = await request(app()).post('/v1/publishers/pub-b/test-callback').set(as(KEYS.pubA)).send({}).expect(404);
      expect(other.body.error.code).toBe('not_found');
    });

    it("a publisher key's overview is its own publisher's; naming another is 403", async () => {
      await request(app()).get('/v1/overview').set(as(KEYS.pubA)).expect(200);
      await request(app()).get('/v1/overview').query({ publisherId: 'pub-a' }).set(as(KEYS.pubA)).expect(200);
      const res = await request(app()).get('/v1/overview').query({ publisherId: 'pub-b' }).set(as(KEYS.pubA)).expect(403);
      expect(res.body.error.code).toBe('forbidden');
      await request(app()).get('/v1/overview').query({ publisherId: 'pub-b' }).set(as(KEYS.viewer)).expect(200);
    });
  });
});
