import { Connection, Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { silentLogger } from '../../src/logger';
import { refusedAddress, useReceivers, type Answer, type ReceivedRequest } from '../support/receiver';
import { eventually } from '../support/eventually';
import { AUTH, conversionBody, testApp } from '../support/api';
import { freePort } from '../support/ports';
import { createTestDatabase } from '../support/postgres';
import { e2eConfig, registerPublisher, startStack, useStack } from '../support/stack';

/**
 * The whole service as `npm start` runs it, in real time (test/support/stack.ts), with publishers as HTTP receivers
 * on 127.0.0.1. Retries are shortened to one second by configuration, which is all that differs from production.
 */

describe('end to end: HTTP API, Temporal, worker, Postgres, publisher', () => {
  const running = useStack();
  const startEndpoint = useReceivers();

  async function publisher(app: Express, answers: Answer[] | ((req: ReceivedRequest, i: number) => Answer)) {
    const endpoint = await startEndpoint(answers);
    return { receiver: endpoint, publisherId: await registerPublisher(app, endpoint.url) };
  }

  /** GET /v1/conversions/:id until `done` holds for it. */
  async function conversionWhen(app: Express, conversionId: string, done: (body: ConversionBody) => boolean): Promise<ConversionBody> {
    return eventually(async () => {
      const { body } = await request(app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
      return done(body as ConversionBody) ? (body as ConversionBody) : undefined;
    });
  }

  interface ConversionBody {
    callbackSent: 'Yes' | 'No';
    callback: { status: string; attempts: number; lastStatusCode: number | null; lastError: string | null };
    attempts: { attemptNumber: number; trigger: string; requestedBy: string | null; outcome: string; statusCode: number | null; startedAt: string }[];
  }

  const settled = (status: string) => (body: ConversionBody) =>
    body.callback.status === status && body.attempts.every((a) => a.outcome !== 'in_flight');

  /** Every run Temporal has for the conversion's workflow id, open or closed. */
  async function runsOf(conversionId: string, client = running.stack.client): Promise<number> {
    const { count } = await client.workflow.count(`WorkflowId = "conversion-callback/${conversionId}"`);
    return count;
  }

  it('delivers a posted conversion, retrying a 503, and reports it Sent; a duplicate POST sends nothing', async () => {
    const { receiver, publisherId } = await publisher(running.stack.app, [{ status: 503, body: 'busy' }, { status: 200, body: 'ok' }]);
    const body = conversionBody(publisherId, { payout: '2.50', clickId: 'click 1&2' });
    const conversionId = String(body.conversionId);
    await request(running.stack.app).post('/v1/conversions').set(AUTH).send(body).expect(201);

    const done = await conversionWhen(running.stack.app, conversionId, settled('sent'));
    expect(done.callbackSent).toBe('Yes');
    expect(done.attempts.map((a) => [a.attemptNumber, a.trigger, a.outcome, a.statusCode])).toEqual([
      [1, 'automatic', 'failed', 503],
      [2, 'automatic', 'succeeded', 200],
    ]);
    expect(receiver.requests).toHaveLength(2);
    for (const req of receiver.requests) {
      expect(req.url).toBe('/postback?click=click%201%262&payout=2.5');
      expect(req.headers['idempotency-key']).toBe(conversionId);
      expect(req.headers['webhook-signature']).toMatch(/^v1,/);
      expect(JSON.parse(req.body)).toMatchObject({ conversionId, clickId: 'click 1&2', payout: 2.5 });
    }

    const sent = await request(running.stack.app).get('/v1/conversions').query({ publisherId, callbackSent: 'Yes' }).set(AUTH).expect(200);
    expect(sent.body.data.map((row: { conversionId: string }) => row.conversionId)).toEqual([conversionId]);
    const callbacks = await request(running.stack.app).get('/v1/callbacks').query({ status: 'sent' }).set(AUTH).expect(200);
    expect(callbacks.body.data).toContainEqual(expect.objectContaining({ conversionId, status: 'sent', attempts: 2, lastStatusCode: 200 }));

    // The delivery's run is closed; a duplicate POST starts no other run, so nothing can send again.
    const handle = running.stack.client.workflow.getHandle(`conversion-callback/${conversionId}`);
    await handle.result();
    const run = await handle.describe();
    expect(run.status.name).toBe('COMPLETED');
    await request(running.stack.app).post('/v1/conversions').set(AUTH).send(body).expect(200);
    expect(await runsOf(conversionId)).toBe(1);
    expect((await handle.describe()).runId).toBe(run.runId);
    expect(receiver.requests).toHaveLength(2);
  });

  it('starts one workflow and sends one callback when the same conversion is posted concurrently', async () => {
    const { receiver, publisherId } = await publisher(running.stack.app, [{ status: 200 }]);
    const body = conversionBody(publisherId);
    const conversionId = String(body.conversionId);
    const answers = await Promise.all([1, 2, 3, 4].map(() => request(running.stack.app).post('/v1/conversions').set(AUTH).send(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);

    await conversionWhen(running.stack.app, conversionId, settled('sent'));
    await running.stack.client.workflow.getHandle(`conversion-callback/${conversionId}`).result();
    expect(await runsOf(conversionId)).toBe(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('marks a 404 Failed after one attempt, and a resend by identifiers delivers it (manual attempt)', async () => {
    const { receiver, publisherId } = await publisher(running.stack.app, (_req, i) => (i === 0 ? { status: 404, body: 'no such user' } : { status: 200 }));
    const body = conversionBody(publisherId);
    const conversionId = String(body.conversionId);
    await request(running.stack.app).post('/v1/conversions').set(AUTH).send(body).expect(201);

    const failed = await conversionWhen(running.stack.app, conversionId, settled('failed'));
    expect(failed).toMatchObject({ callbackSent: 'No', callback: { status: 'failed', attempts: 1, lastStatusCode: 404 } });
    expect(failed.callback.lastError).toContain('404');
    const failedReport = await request(running.stack.app).get('/v1/callbacks').query({ status: 'failed' }).set(AUTH).expect(200);
    expect(failedReport.body.data.map((row: { conversionId: string }) => row.conversionId)).toContain(conversionId);

    const resend = await request(running.stack.app)
      .post('/v1/callbacks/resend')
      .set(AUTH)
      .send({ eventId: body.eventId, clickId: body.clickId })
      .expect(202);
    expect(resend.body).toEqual({ conversionId, workflowId: `conversion-callback/${conversionId}` });

    const sent = await conversionWhen(running.stack.app, conversionId, settled('sent'));
    expect(sent.callbackSent).toBe('Yes');
    // Who resent is recorded on the manual attempt: the caller's key, by its non-secret fingerprint.
    expect(sent.attempts.map((a) => [a.attemptNumber, a.trigger, a.statusCode, a.requestedBy])).toEqual([
      [1, 'automatic', 404, null],
      [2, 'manual', 200, expect.stringMatching(/^admin key:[0-9a-f]{8}$/)],
    ]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('retries until the attempts are exhausted, then Failed; a resend after Failed delivers', async () => {
    const { receiver, publisherId } = await publisher(running.stack.app, (_req, i) => (i < 3 ? { status: 500 } : { status: 200 }));
    const body = conversionBody(publisherId);
    const conversionId = String(body.conversionId);
    await request(running.stack.app).post('/v1/conversions').set(AUTH).send(body).expect(201);

    const failed = await conversionWhen(running.stack.app, conversionId, settled('failed'));
    expect(failed.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500]);
    expect(receiver.requests).toHaveLength(3);

    await request(running.stack.app).post(`/v1/conversions/${conversionId}/resend`).set(AUTH).send({ requestedBy: 'ops' }).expect(202);
    const sent = await conversionWhen(running.stack.app, conversionId, settled('sent'));
    expect(sent.attempts.map((a) => [a.attemptNumber, a.trigger, a.statusCode, a.requestedBy])).toEqual([
      [1, 'automatic', 500, null],
      [2, 'automatic', 500, null],
      [3, 'automatic', 500, null],
      [4, 'manual', 200, expect.stringMatching(/^ops \(admin key:[0-9a-f]{8}\)$/)],
    ]);
  });

  it('a resend of a callback that was sent sends it once more, recorded as manual', async () => {
    const { receiver, publisherId } = await publisher(running.stack.app, [{ status: 200 }]);
    const body = conversionBody(publisherId);
    const conversionId = String(body.conversionId);
    await request(running.stack.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    await conversionWhen(running.stack.app, conversionId, settled('sent'));

    const handle = running.stack.client.workflow.getHandle(`conversion-callback/${conversionId}`);
    // Postgres says sent before the workflow has closed; a resend in between would ride the same run.
    await handle.result();
    const firstRun = (await handle.describe()).runId;
    await request(running.stack.app).post(`/v1/conversions/${conversionId}/resend`).set(AUTH).expect(202);
    await conversionWhen(running.stack.app, conversionId, (b) => settled('sent')(b) && b.attempts.length >= 2);
    // The resend's run has closed (nothing more can be sent); then the record is final.
    await handle.result();
    expect((await handle.describe()).runId).not.toBe(firstRun);
    const { body: again } = await request(running.stack.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
    expect((again as ConversionBody).attempts.map((a) => [a.attemptNumber, a.trigger])).toEqual([
      [1, 'automatic'],
      [2, 'manual'],
    ]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('answers 201 while Temporal is unreachable; the outbox delivers once a dispatcher reaches Temporal', async () => {
    const { receiver, publisherId } = await publisher(running.stack.app, [{ status: 200 }]);
    const config = e2eConfig();
    const deadClient = new Client({ connection: Connection.lazy({ address: await refusedAddress() }) });
    // An API whose Temporal is unreachable, without a dispatcher of its own: the stack's dispatcher (whose Temporal
    // is up) finds the entry in the shared outbox.
    const unreachable = testApp(running.db, new TemporalCallbackScheduler(deadClient, config), config);
    try {
      const body = conversionBody(publisherId);
      const res = await request(unreachable).post('/v1/conversions').set(AUTH).send(body).expect(201);
      expect(res.body).toMatchObject({ workflowStartedAt: null, callback: { status: 'pending' } });
      const health = await request(unreachable).get('/healthz').expect(503);
      expect(health.body.checks).toEqual({ postgres: 'ok', temporal: 'unavailable' });
      await request(running.stack.app).get('/healthz').expect(200, { status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } });

      await conversionWhen(running.stack.app, String(body.conversionId), settled('sent'));
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await deadClient.connection.close();
    }
  });

  it('after Temporal restarts, a retrying callback keeps its attempt number and its schedule', async () => {
    // Two attempts, 6 s apart: the second is due while Temporal is being restarted, and there is never a third.
    const config = e2eConfig({ RETRY_INITIAL_INTERVAL: '6s', RETRY_MAX_ATTEMPTS: '2' });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-temporal-'));
    const temporal = { port: await freePort(), dbFile: path.join(dataDir, 'temporal.db') };
    // A database of its own: the file's stack would otherwise dispatch this test's conversions to its own Temporal.
    const ownDb = await createTestDatabase();
    try {
      const before = await startStack(ownDb, running.bundle, config, temporal);
      const { receiver, conversionId } = await (async () => {
        const { receiver, publisherId } = await publisher(before.app, [{ status: 503 }]);
        const body = conversionBody(publisherId);
        await request(before.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
        await conversionWhen(before.app, String(body.conversionId), settled('retrying'));
        return { receiver, conversionId: String(body.conversionId) };
      })().finally(() => before.stop());

      const after = await startStack(ownDb, running.bundle, config, temporal);
      try {
        const failed = await conversionWhen(after.app, conversionId, settled('failed'));
        const [first, second] = failed.attempts;
        expect(failed.attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([
          [1, 503],
          [2, 503],
        ]);
        // The retry came on the schedule of the first run (6 s after the first attempt), not at once after the restart.
        expect(Date.parse(second.startedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(6_000);
        expect(receiver.requests).toHaveLength(2);
        // The workflow that Temporal kept is the one that made both attempts: no second run was started.
        expect(await runsOf(conversionId, after.client)).toBe(1);
      } finally {
        await after.stop();
      }
    } finally {
      await ownDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a Temporal outage during a burst: every conversion is answered 201, stored, and delivered once when Temporal is back', async () => {
    const config = e2eConfig();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-temporal-'));
    const temporal = { port: await freePort(), dbFile: path.join(dataDir, 'temporal.db') };
    // A database of its own: the file's stack would otherwise dispatch this test's conversions to its own Temporal.
    const ownDb = await createTestDatabase();
    const outage = await startStack(ownDb, running.bundle, config, temporal);
    let restarted: DevServer | undefined;
    try {
      const { receiver, publisherId } = await publisher(outage.app, () => ({ status: 200 }));
      const batch = () => Array.from({ length: 25 }, () => conversionBody(publisherId));
      const post = (conversions: Record<string, unknown>[]) =>
        request(outage.app).post('/v1/conversions/batch').set(AUTH).send({ conversions }).expect(200);
      const before = batch();
      const during = batch();
      const singles = Array.from({ length: 10 }, () => conversionBody(publisherId));

      const first = post(before);
      await outage.devServer.stop();
      const answers = await Promise.all([first, post(during), ...singles.map((body) => request(outage.app).post('/v1/conversions').set(AUTH).send(body))]);
      expect(answers[0].body.created + answers[1].body.created).toBe(50);
      expect(answers.slice(2).map((res) => res.status)).toEqual(singles.map(() => 201));

      restarted = await startDevServer({ port: temporal.port, dbFile: temporal.dbFile, namespace: config.TEMPORAL_NAMESPACE, logger: silentLogger });
      const ids = [...before, ...during, ...singles].map((body) => String(body.conversionId));
      await eventually(
        async () => {
          const { rows } = await ownDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM callbacks WHERE status = 'sent' AND conversion_id = ANY($1)`, [ids]);
          return Number(rows[0].n) === ids.length ? true : undefined;
        },
        90_000,
        'every callback sent',
      );
      const received = receiver.requests.map((req) => String(req.headers['idempotency-key']));
      expect(received.sort()).toEqual([...ids].sort());
    } finally {
      await outage.stop();
      await restarted?.stop();
      await ownDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
