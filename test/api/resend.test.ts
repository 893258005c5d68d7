import request from 'supertest';
import { keyFingerprint } from '../../src/api/api-keys';
import { AUTH, TEST_API_KEY, conversionBody, publisherBody, useTestApi } from '../support/api';

describe('resend', () => {
  const api = useTestApi();
  const { scheduler } = api;
  let single: Record<string, unknown>;
  let twins: Record<string, unknown>[];

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-r').set(AUTH).send(publisherBody()).expect(201);
    single = conversionBody('pub-r');
    // Two conversions of one event (e.g. a user converting twice), told apart by their click ids.
    twins = [conversionBody('pub-r', { eventId: 'event-shared' }), conversionBody('pub-r', { eventId: 'event-shared' })];
    for (const body of [single, ...twins]) await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
  });
  beforeEach(() => {
    scheduler.resends.length = 0;
    scheduler.temporalDown = false;
  });

  describe('POST /v1/conversions/:conversionId/resend', () => {
    it('signals the workflow and answers 202 with its id; the caller is the key\'s role and fingerprint', async () => {
      const res = await request(api.app).post(`/v1/conversions/${String(single.conversionId)}/resend`).set(AUTH).expect(202);
      expect(res.body).toEqual({ conversionId: single.conversionId, workflowId: `conversion-callback/${String(single.conversionId)}` });
      expect(scheduler.resends).toEqual([
        { conversion: { conversionId: single.conversionId, publisherId: 'pub-r' }, requestedBy: `admin ${keyFingerprint(TEST_API_KEY)}` },
      ]);
      expect(JSON.stringify(scheduler.resends)).not.toContain(TEST_API_KEY);
    });

    it('records who asked when the body says so, after the key that sent it', async () => {
      await request(api.app)
        .post(`/v1/conversions/${String(single.conversionId)}/resend`)
        .set(AUTH)
        .send({ requestedBy: 'alice@ops' })
        .expect(202);
      expect(scheduler.resends[0].requestedBy).toBe(`alice@ops (admin ${keyFingerprint(TEST_API_KEY)})`);
    });

    it('answers 404 for an unknown conversion', async () => {
      await request(api.app).post('/v1/conversions/unknown-conv/resend').set(AUTH).expect(404);
      expect(scheduler.resends).toHaveLength(0);
    });

    it('answers 503 when Temporal is down', async () => {
      scheduler.temporalDown = true;
      const res = await request(api.app).post(`/v1/conversions/${String(single.conversionId)}/resend`).set(AUTH).expect(503);
      expect(res.body.error.code).toBe('temporal_unavailable');
    });
  });

  describe('POST /v1/callbacks/resend', () => {
    it('resends the one conversion matching an event id', async () => {
      const res = await request(api.app).post('/v1/callbacks/resend').set(AUTH).send({ eventId: single.eventId }).expect(202);
      expect(res.body.conversionId).toBe(single.conversionId);
      expect(scheduler.resends.map((r) => r.conversion.conversionId)).toEqual([single.conversionId]);
    });

    it('resends by conversion id and event id together', async () => {
      const body = { conversionId: single.conversionId, eventId: single.eventId };
      const res = await request(api.app).post('/v1/callbacks/resend').set(AUTH).send(body).expect(202);
      expect(res.body).toEqual({ conversionId: single.conversionId, workflowId: `conversion-callback/${String(single.conversionId)}` });
      expect(scheduler.resends).toEqual([
        { conversion: { conversionId: single.conversionId, publisherId: 'pub-r' }, requestedBy: `admin ${keyFingerprint(TEST_API_KEY)}` },
      ]);
    });

    it('answers 404 when the identifiers do not match together', async () => {
      const res = await request(api.app)
        .post('/v1/callbacks/resend')
        .set(AUTH)
        .send({ conversionId: single.conversionId, eventId: 'event-shared' })
        .expect(404);
      expect(res.body.error.message).toContain('eventId=event-shared');
      expect(scheduler.resends).toHaveLength(0);
    });

    it('answers 409 listing the candidates when several conversions match', async () => {
      const res = await request(api.app).post('/v1/callbacks/resend').set(AUTH).send({ eventId: 'event-shared' }).expect(409);
      expect(res.body.error.candidates).toEqual(
        twins.map((t) => ({
          conversionId: t.conversionId,
          publisherId: 'pub-r',
          clickId: t.clickId,
          eventId: 'event-shared',
          createdAt: expect.any(String),
        })),
      );
      expect(res.body.error.moreCandidates).toBe(false);
      expect(scheduler.resends).toHaveLength(0);
    });

    it('a click id narrows several matches down to one', async () => {
      const res = await request(api.app)
        .post('/v1/callbacks/resend')
        .set(AUTH)
        .send({ eventId: 'event-shared', clickId: twins[1].clickId })
        .expect(202);
      expect(res.body.conversionId).toBe(twins[1].conversionId);
      expect(scheduler.resends.map((r) => r.conversion.conversionId)).toEqual([twins[1].conversionId]);
    });

    it.each([
      ['no identifier', {}, 'conversionId', 'conversionId and/or eventId'],
      ['only a click id', { clickId: 'c' }, 'conversionId', 'conversionId and/or eventId'],
      ['an empty event id', { eventId: '' }, 'eventId', 'at least 1'],
      ['an unknown field', { conversion_id: 'x' }, 'conversion_id', 'not a known field'],
    ])('answers 400 for %s', async (_case, body, field, reason) => {
      const res = await request(api.app).post('/v1/callbacks/resend').set(AUTH).send(body).expect(400);
      expect(res.body.error.fields).toContainEqual({ in: 'body', field, reason: expect.stringContaining(reason) });
      expect(scheduler.resends).toHaveLength(0);
    });
  });
});
