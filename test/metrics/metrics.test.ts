import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { createHttpSender } from '../../src/delivery/http-sender';
import { TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { AUTH, conversionBody, testApp, testConfig } from '../support/api';
import { collectLogs } from '../support/collect-logs';
import { eventually } from '../support/eventually';
import { callbackRow, insertConversion } from '../support/fixtures';
import { freePort } from '../support/ports';
import { createTestDatabase } from '../support/postgres';
import { parseMetrics, valueOf, type Sample } from '../support/prometheus';
import { useReceivers } from '../support/receiver';
import { RecordingScheduler } from '../support/schedulers';
import { runScript, whileRunning, type ScriptProcess } from '../support/scripts';
import { registerPublisher, useStack } from '../support/stack';

/**
 * GET /metrics after real deliveries: the worker and the API in one process, as `npm start` runs them (one registry
 * serves both), on the official dev server; and `npm run worker` alone, serving its own on WORKER_METRICS_PORT.
 */

const e2e = useStack();
const startReceiver = useReceivers();

async function scrape(app: Express): Promise<Sample[]> {
  const res = await request(app).get('/metrics').expect(200).expect('Content-Type', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
  return parseMetrics(res.text);
}

/** GET /v1/conversions/:id until its callback has `status` and no attempt is in flight. */
async function settled(app: Express, conversionId: string, status: string): Promise<void> {
  await eventually(async () => {
    const { body } = await request(app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
    const done = body.callback.status === status && body.attempts.every((a: { outcome: string }) => a.outcome !== 'in_flight');
    return done ? true : undefined;
  });
}

const ATTEMPT_LABELS = [
  { outcome: 'retrying', failure_type: 'CallbackHttpStatus', cause: 'server_downtime' },
  { outcome: 'succeeded', failure_type: 'none', cause: 'none' },
  { outcome: 'failed', failure_type: 'CallbackRejected', cause: 'other' },
];

/** The values that deliveries move, to compare a scrape after them with one before. */
function deliveryFigures(samples: Sample[]) {
  return {
    attempts: ATTEMPT_LABELS.map((labels) => valueOf(samples, 'callback_attempts_total', labels)),
    firstAttempts: valueOf(samples, 'callback_first_attempt_delay_seconds_count'),
    sent: valueOf(samples, 'callback_delivery_seconds_count'),
    sentSeconds: valueOf(samples, 'callback_delivery_seconds_sum'),
  };
}

describe('GET /metrics', () => {
  it('counts attempts by outcome, failure type and cause, the delivery latencies, callbacks by status, the outbox and requests by route pattern', async () => {
    const before = deliveryFigures(await scrape(e2e.stack.app));

    // One callback sent on its second attempt (a 503 first), one failed at once (a 404 is final).
    const retried = await startReceiver([{ status: 503 }, { status: 200 }]);
    const rejected = await startReceiver([{ status: 404 }]);
    const retriedBody = conversionBody(await registerPublisher(e2e.stack.app, retried.url));
    const rejectedBody = conversionBody(await registerPublisher(e2e.stack.app, rejected.url));
    await request(e2e.stack.app).post('/v1/conversions').set(AUTH).send(retriedBody).expect(201);
    await request(e2e.stack.app).post('/v1/conversions').set(AUTH).send(rejectedBody).expect(201);
    await settled(e2e.stack.app, String(retriedBody.conversionId), 'sent');
    await settled(e2e.stack.app, String(rejectedBody.conversionId), 'failed');
    await request(e2e.stack.app).get('/v1/conversions').expect(401);
    await request(e2e.stack.app).get('/v1/nothing-here/12345').set(AUTH).expect(404);

    const samples = await scrape(e2e.stack.app);
    const after = deliveryFigures(samples);
    expect(after.attempts.map((value, i) => value - before.attempts[i])).toEqual([1, 1, 1]);
    expect(after.firstAttempts - before.firstAttempts).toBe(2);
    expect(after.sent - before.sent).toBe(1);
    // The sent callback waited out a retry interval (1 s here) before its second attempt.
    expect(after.sentSeconds - before.sentSeconds).toBeGreaterThanOrEqual(1);
    // A histogram's +Inf bucket counts every observation.
    expect(valueOf(samples, 'callback_delivery_seconds_bucket', { le: '+Inf' })).toBe(after.sent);

    // This database holds exactly these two callbacks.
    expect(samples.filter((s) => s.name === 'callbacks')).toEqual(
      expect.arrayContaining([
        { name: 'callbacks', labels: { status: 'pending' }, value: 0 },
        { name: 'callbacks', labels: { status: 'retrying' }, value: 0 },
        { name: 'callbacks', labels: { status: 'sent' }, value: 1 },
        { name: 'callbacks', labels: { status: 'failed' }, value: 1 },
      ]),
    );
    // The dispatcher started both workflows: nothing waits in the outbox.
    expect(samples.filter((s) => s.name === 'delivery_outbox_entries')).toEqual([{ name: 'delivery_outbox_entries', labels: {}, value: 0 }]);

    const requests = (method: string, route: string, status: number) =>
      valueOf(samples, 'http_requests_total', { method, route, status_code: String(status) });
    expect(requests('POST', '/v1/conversions', 201)).toBe(2);
    expect(requests('PUT', '/v1/publishers/:publisherId', 201)).toBeGreaterThanOrEqual(2);
    expect(requests('GET', '/v1/conversions/:conversionId', 200)).toBeGreaterThanOrEqual(2);
    expect(requests('GET', '/v1/conversions', 401)).toBe(1);
    expect(requests('GET', 'unmatched', 404)).toBe(1);
    expect(requests('GET', '/metrics', 200)).toBeGreaterThanOrEqual(1);
    // Labels hold patterns, never the ids of a request.
    const labelValues = samples.flatMap((s) => Object.values(s.labels)).join('\n');
    for (const id of [retriedBody.conversionId, retriedBody.publisherId, 'nothing-here']) expect(labelValues).not.toContain(String(id));

    // prom-client's default process metrics.
    expect(samples.map((s) => s.name)).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']));
  });

  it('counts the conversions whose workflow has not started yet', async () => {
    // A database of its own: no dispatcher empties its outbox.
    const waiting = await createTestDatabase();
    try {
      await insertConversion(waiting.pool, { callbackUrl: 'https://publisher.example/cb' });
      await insertConversion(waiting.pool, { callbackUrl: 'https://publisher.example/cb' });
      const samples = await scrape(testApp(waiting, new RecordingScheduler()));
      expect(valueOf(samples, 'delivery_outbox_entries')).toBe(2);
      expect(valueOf(samples, 'callbacks', { status: 'pending' })).toBe(2);
    } finally {
      await waiting.drop();
    }
  });

  it('answers without the callbacks gauge and with no outbox count (NaN), and says why in the log, when Postgres does not answer in time', async () => {
    // A "database" that accepts connections and never says a word.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const pool = new pg.Pool({ connectionString: `postgres://user@127.0.0.1:${(silent.address() as AddressInfo).port}/db` });
    const logs = collectLogs('warn');
    try {
      const config = testConfig();
      const http = createHttpSender({ allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS });
      const app = createApp({ pool, scheduler: new RecordingScheduler(), http, config, logger: logs.logger });
      const samples = await scrape(app);
      expect(samples.filter((s) => s.name === 'callbacks')).toEqual([]);
      // A gauge without labels cannot be absent: not a number, rather than a 0 that would mean an empty outbox.
      expect(valueOf(samples, 'delivery_outbox_entries')).toBeNaN();
      expect(samples.map((s) => s.name)).toContain('process_cpu_user_seconds_total');
      expect(logs.records()).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'metrics: callbacks by status not counted', error: expect.stringContaining('took over') }),
      );
      expect(logs.records()).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'metrics: outbox entries not counted', error: expect.stringContaining('took over') }),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await pool.end();
    }
  });

  it('npm run worker serves its own metrics on WORKER_METRICS_PORT', async () => {
    const publisher = await startReceiver([{ status: 503 }, { status: 200 }]);
    const { conversionId, publisherId } = await insertConversion(e2e.db.pool, { callbackUrl: publisher.url });
    const port = await freePort();
    const env = {
      DATABASE_URL: e2e.db.url,
      TEMPORAL_ADDRESS: e2e.stack.devServer.address,
      TEMPORAL_TASK_QUEUE: `metrics-${randomUUID()}`,
      ALLOW_PRIVATE_TARGETS: 'true',
      RETRY_INITIAL_INTERVAL: '1s',
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: String(port),
    };
    const config = testConfig(env);
    await new TemporalCallbackScheduler(e2e.stack.client, config).startDelivery({ conversionId, publisherId });
    let worker: ScriptProcess | undefined;
    try {
      worker = runScript('src/worker.ts', env);
      await eventually(
        whileRunning(worker, 'the worker', async () => ((await callbackRow(e2e.db.pool, conversionId)).status === 'sent' ? true : undefined)),
        60_000,
        'the callback to be sent after one retry',
      );
      const metricsUrl = `http://127.0.0.1:${port}`;
      const res = await request(metricsUrl).get('/metrics').expect(200).expect('Content-Type', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
      const samples = parseMetrics(res.text);
      expect(ATTEMPT_LABELS.map((labels) => valueOf(samples, 'callback_attempts_total', labels))).toEqual([1, 1, 0]);
      expect(valueOf(samples, 'callback_first_attempt_delay_seconds_count')).toBe(1);
      expect(valueOf(samples, 'callback_delivery_seconds_count')).toBe(1);
      expect(samples.map((s) => s.name)).toContain('process_cpu_user_seconds_total');
      // Only /metrics is served there, and every other answer is JSON.
      const other = await request(metricsUrl).get('/v1/conversions').expect(404).expect('Content-Type', /application\/json/);
      expect(other.body.error.code).toBe('not_found');
      await request(metricsUrl).post('/metrics').expect(405).expect('Allow', 'GET, HEAD');
    } finally {
      worker?.child.kill('SIGTERM');
      await worker?.exited;
    }
    expect(publisher.requests).toHaveLength(2);
  }, 120_000);
});
