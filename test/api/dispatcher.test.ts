import request from 'supertest';
import { startDispatcher, type Dispatcher } from '../../src/api/dispatcher';
import { dispatchOutbox } from '../../src/api/use-cases/dispatch-outbox';
import { silentLogger } from '../../src/logger';
import type { ConversionRef } from '../../src/temporal/callback-scheduler';
import { AUTH, conversionBody, publisherBody, testApp, useTestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { RecordingScheduler } from '../support/schedulers';

/** The outbox's dispatcher on a real database, with a scheduler double that records each workflow start. */
describe('the outbox dispatcher', () => {
  const api = useTestApi();
  const running: Dispatcher[] = [];

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-d').set(AUTH).send(publisherBody()).expect(201);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((dispatcher) => dispatcher.stop()));
  });

  function dispatcher(scheduler: RecordingScheduler, settings = { batchSize: 50, concurrency: 8, idleMs: 60_000, backoffMs: { first: 50, max: 200 } }) {
    const started = startDispatcher({ pool: api.db.pool, scheduler, logger: silentLogger }, settings);
    running.push(started);
    return started;
  }

  async function outboxSize(): Promise<number> {
    const { rows } = await api.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM delivery_outbox');
    return Number(rows[0].n);
  }

  const startsOf = (scheduler: RecordingScheduler, ids: unknown[]) => ids.map((id) => scheduler.started.filter((c) => c.conversionId === id).length);

  it('starts the workflow of a new conversion at once when intake nudges it (its idle wait is a minute)', async () => {
    const scheduler = new RecordingScheduler();
    const app = testApp(api.db, scheduler, undefined, dispatcher(scheduler));
    await eventually(async () => ((await outboxSize()) === 0 ? true : undefined), 5_000, 'the first idle round');
    const body = conversionBody('pub-d');
    await request(app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    await eventually(async () => (startsOf(scheduler, [body.conversionId])[0] === 1 ? true : undefined), 5_000, 'the workflow start');
    expect(await outboxSize()).toBe(0);
  });

  it('keeps every entry while Temporal is down and starts each one once when it is back', async () => {
    const scheduler = new RecordingScheduler();
    scheduler.temporalDown = true;
    const app = testApp(api.db, scheduler, undefined, dispatcher(scheduler));
    const bodies = Array.from({ length: 120 }, () => conversionBody('pub-d'));
    const res = await request(app).post('/v1/conversions/batch').set(AUTH).send({ conversions: bodies }).expect(200);
    expect(res.body.created).toBe(120);
    expect(await outboxSize()).toBe(120);

    scheduler.temporalDown = false;
    await eventually(async () => ((await outboxSize()) === 0 ? true : undefined), 10_000, 'the outbox to empty');
    expect(startsOf(scheduler, bodies.map((b) => b.conversionId))).toEqual(bodies.map(() => 1));
    const { rows } = await api.db.pool.query('SELECT 1 FROM conversions WHERE id = ANY($1) AND workflow_started_at IS NULL', [
      bodies.map((b) => b.conversionId),
    ]);
    expect(rows).toEqual([]);
  });

  it('two dispatchers on one outbox start each workflow once', async () => {
    const one = new RecordingScheduler();
    const other = new RecordingScheduler();
    one.temporalDown = true;
    other.temporalDown = true;
    dispatcher(one, { batchSize: 20, concurrency: 4, idleMs: 10, backoffMs: { first: 10, max: 50 } });
    dispatcher(other, { batchSize: 20, concurrency: 4, idleMs: 10, backoffMs: { first: 10, max: 50 } });
    const bodies = Array.from({ length: 300 }, () => conversionBody('pub-d'));
    await request(api.app).post('/v1/conversions/batch').set(AUTH).send({ conversions: bodies }).expect(200);
    one.temporalDown = false;
    other.temporalDown = false;
    await eventually(async () => ((await outboxSize()) === 0 ? true : undefined), 20_000, 'the outbox to empty');
    const ids = bodies.map((b) => b.conversionId);
    expect(ids.map((id) => startsOf(one, [id])[0] + startsOf(other, [id])[0])).toEqual(ids.map(() => 1));
  });

  it('postpones an entry Temporal refuses for a reason of its own, without holding back the others', async () => {
    const scheduler = new RecordingScheduler();
    const refusedBody = conversionBody('pub-d');
    const start = scheduler.startDelivery.bind(scheduler);
    scheduler.startDelivery = (conversion: ConversionRef) =>
      conversion.conversionId === refusedBody.conversionId ? Promise.reject(new Error('namespace not found')) : start(conversion);
    const others = [conversionBody('pub-d'), conversionBody('pub-d')];
    await request(api.app).post('/v1/conversions/batch').set(AUTH).send({ conversions: [refusedBody, ...others] }).expect(200);

    const round = await dispatchOutbox({ pool: api.db.pool, scheduler, logger: silentLogger }, { batchSize: 10, concurrency: 2 });
    expect(round).toEqual({ claimed: 3, started: 2, postponed: 1, temporalUnavailable: false });
    const { rows } = await api.db.pool.query<{ failures: number; due_later: boolean }>(
      'SELECT failures, next_attempt_at > now() AS due_later FROM delivery_outbox WHERE conversion_id = $1',
      [refusedBody.conversionId],
    );
    expect(rows).toEqual([{ failures: 1, due_later: true }]);
    // Not due yet: the next round leaves it alone.
    expect(await dispatchOutbox({ pool: api.db.pool, scheduler, logger: silentLogger }, { batchSize: 10, concurrency: 2 })).toMatchObject({ claimed: 0 });
    await api.db.pool.query('DELETE FROM delivery_outbox');
  });

  it('stops promptly while it backs off from an unreachable Temporal', async () => {
    const scheduler = new RecordingScheduler();
    scheduler.temporalDown = true;
    let tries = 0;
    const start = scheduler.startDelivery.bind(scheduler);
    scheduler.startDelivery = (conversion: ConversionRef) => {
      tries += 1;
      return start(conversion);
    };
    await request(api.app).post('/v1/conversions').set(AUTH).send(conversionBody('pub-d')).expect(201);
    const backoffMs = { first: 60_000, max: 60_000 };
    const stuck = startDispatcher({ pool: api.db.pool, scheduler, logger: silentLogger }, { batchSize: 5, concurrency: 1, idleMs: 10, backoffMs });
    await eventually(async () => (tries >= 1 ? true : undefined), 5_000, 'the first try');
    // Jest's 5 s timeout fails the test if stop() waits for the minute of backoff.
    await stuck.stop();
    expect(tries).toBe(1);
    expect(await outboxSize()).toBe(1);
    await api.db.pool.query('DELETE FROM delivery_outbox');
  });
});
