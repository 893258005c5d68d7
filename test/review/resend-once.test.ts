import request from 'supertest';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';

/**
 * A resend is not idempotent (each one sends again), so once Temporal took it the caller must hear 202: a 503
 * for the bookkeeping write after it would make a well-behaved client resend a second time.
 */
describe('a resend that Temporal accepted', () => {
  const api = useTestApi();
  const { scheduler } = api;

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-r').set(AUTH).send(publisherBody()).expect(201);
  });

  it('is a 202 even when marking its workflow started fails', async () => {
    // Recorded, its workflow not started yet (this app has no dispatcher): the resend starts it.
    const body = conversionBody('pub-r');
    await request(api.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    // The database drops the connection on that one write, as if it went down right after the signal.
    await api.db.pool.query(`
      CREATE FUNCTION refuse_started_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'connection lost' USING ERRCODE = '08006'; END $$;
      CREATE TRIGGER refuse_started_mark BEFORE UPDATE OF workflow_started_at ON conversions
        FOR EACH ROW EXECUTE FUNCTION refuse_started_mark();`);
    try {
      const res = await request(api.app).post(`/v1/conversions/${String(body.conversionId)}/resend`).set(AUTH).expect(202);
      expect(res.body).toEqual({ conversionId: body.conversionId, workflowId: `conversion-callback/${String(body.conversionId)}` });
      expect(scheduler.resends).toHaveLength(1);
    } finally {
      await api.db.pool.query('DROP TRIGGER refuse_started_mark ON conversions; DROP FUNCTION refuse_started_mark();');
    }
  });
});
