import request from 'supertest';
import { createPool } from '../../src/db/pool';
import { silentLogger } from '../../src/logger';
import { AUTH, conversionBody, publisherBody, testApp, testConfig } from '../support/api';
import { useTestDatabase } from '../support/postgres';
import { RecordingScheduler } from '../support/schedulers';

/**
 * Under load or in an outage the database can fail between the commit of a conversion and the answer. The answer
 * must then say the conversion is recorded: a client told "nothing was changed" would believe it lost.
 */
describe('answers while the database fails', () => {
  const db = useTestDatabase();

  it('says a re-posted conversion is recorded when the database fails before its answer is read', async () => {
    const pool = createPool(db.url, silentLogger);
    const app = testApp({ ...db, pool }, new RecordingScheduler(), testConfig());
    try {
      await request(app).put('/v1/publishers/pub-truth').set(AUTH).send(publisherBody()).expect(201);
      const body = conversionBody('pub-truth');
      await request(app).post('/v1/conversions').set(AUTH).send(body).expect(201);
      // The intake statement still works; the read of the stored conversion that follows it finds Postgres gone.
      const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<unknown>;
      pool.query = ((text: string, values?: unknown[]) =>
        text.includes('JOIN callbacks cb')
          ? Promise.reject(new Error('Connection terminated unexpectedly'))
          : query(text, values)) as unknown as typeof pool.query;
      const res = await request(app).post('/v1/conversions').set(AUTH).send(body).expect(503);
      expect(res.body.error.code).toBe('database_unavailable');
      expect(res.body.error.message).toContain(`Conversion ${String(body.conversionId)} is recorded`);
      expect(res.body.error.message).not.toMatch(/nothing was changed/);
      const { rows } = await db.pool.query('SELECT id FROM conversions WHERE id = $1', [body.conversionId]);
      expect(rows).toEqual([{ id: body.conversionId }]);
    } finally {
      await pool.end();
    }
  });

  it('never claims that nothing was changed when the database is down', async () => {
    const deadPool = createPool('postgres://nobody:nothing@127.0.0.1:1/none', silentLogger);
    try {
      const app = testApp({ ...db, pool: deadPool }, new RecordingScheduler(), testConfig());
      const res = await request(app).post('/v1/conversions').set(AUTH).send(conversionBody('pub-truth')).expect(503);
      expect(res.body.error).toEqual({ code: 'database_unavailable', message: 'The database is unavailable. Retry the request: repeating it is safe.' });
    } finally {
      await deadPool.end();
    }
  });
});
