/**
 * `npm run chaos [-- --callbacks N]`: N callbacks (default 1,000, posted at 12/s) in flight to a publisher on 127.0.0.1, while the
 * worker, then Postgres, then everything (worker, API, Postgres, Temporal: what `npm start` runs) is killed with
 * kill -9 and restarted. Then it waits for every callback to be sent and prints what was lost, duplicated, sent but
 * not recorded, and how many answers were 5xx or untrue. Not part of `npm test`: it takes minutes.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded';
import { silentLogger } from '../src/logger';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { freePort } from '../test/support/ports';
import { startReceiver } from '../test/support/receiver';
import { chaosReport, type ErrorAnswer } from './chaos/report';
import { killHard, startService, stopGracefully, type ServiceProcess } from './chaos/services';

const KEY = 'chaos-key';
const CONCURRENCY = 16;
/** Conversions posted per second: slow enough that posting goes on through every fault. */
const POST_RATE = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function callbackCount(): number {
  const index = process.argv.indexOf('--callbacks');
  const count = index >= 0 ? Number(process.argv[index + 1]) : 1_000;
  if (!Number.isInteger(count) || count < 1) throw new Error('--callbacks takes a positive whole number');
  return count;
}

async function untilOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((res) => res.ok, () => false)) return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const total = callbackCount();
  const dir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-chaos-'));
  const ports = { api: await freePort(), postgres: await freePort(), temporal: await freePort() };
  const receiver = await startReceiver(() => ({ status: 200, body: 'OK', delayMs: 20 }));
  let postgres: EmbeddedPostgres | undefined;
  let temporal: DevServer | undefined;
  let api: ServiceProcess | undefined;
  let worker: ServiceProcess | undefined;
  const startPostgres = async () => (postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: ports.postgres }));
  const startTemporal = async () =>
    (temporal = await startDevServer({ port: ports.temporal, dbFile: path.join(dir, 'temporal.db'), namespace: 'default', logger: silentLogger }));
  const env = () => ({
    DATABASE_URL: postgres?.url ?? '',
    TEMPORAL_ADDRESS: temporal?.address ?? '',
    API_KEYS: KEY,
    PORT: String(ports.api),
    ALLOW_PRIVATE_TARGETS: 'true',
    RETRY_INITIAL_INTERVAL: '1s',
    RETRY_MAX_ATTEMPTS: '100',
    CALLBACK_TIMEOUT: '5s',
    LOG_LEVEL: 'warn',
  });
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const startApi = async () => {
    api = startService('api', env(), dir);
    await untilOk(`${apiUrl}/healthz`, 60_000);
  };
  const startWorker = () => (worker = startService('worker', env(), dir));

  try {
    console.log(`chaos: ${total} callbacks; logs in ${dir}`);
    await Promise.all([startPostgres(), startTemporal()]);
    await startApi();
    startWorker();
    const auth = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
    await fetch(`${apiUrl}/v1/publishers/chaos`, { method: 'PUT', headers: auth, body: JSON.stringify({ callbackUrl: `${receiver.url}/cb` }) });

    // The client: posts every conversion until it is answered 2xx, as a real client retries a 5xx or a dead socket.
    const posted: string[] = [];
    const created = new Set<string>();
    const errorAnswers: ErrorAnswer[] = [];
    let next = 0;
    const post = async (conversionId: string): Promise<void> => {
      const body = JSON.stringify({ conversionId, publisherId: 'chaos', clickId: 'c', eventId: 'e', offerId: 'o', payout: '1', userId: 'u' });
      for (;;) {
        const res = await fetch(`${apiUrl}/v1/conversions`, { method: 'POST', headers: auth, body }).catch(() => undefined);
        if (res?.ok) {
          if (res.status === 201) created.add(conversionId);
          return void posted.push(conversionId);
        }
        if (res) {
          const { error } = (await res.json().catch(() => ({ error: {} }))) as { error: { code?: string; message?: string } };
          errorAnswers.push({ conversionId, status: res.status, code: error.code ?? '', message: error.message ?? '' });
        }
        await sleep(250);
      }
    };
    const postingStarted = Date.now();
    const client = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < total) {
          const index = next++;
          await sleep(postingStarted + (index * 1000) / POST_RATE - Date.now());
          await post(`chaos-${index}`);
        }
      }),
    );

    /** Waits until the publisher has received `callbacks` more callbacks (deliveries are in full swing), then strikes. */
    const phase = async (name: string, callbacks: number, fault: () => Promise<void>) => {
      const target = receiver.requests.length + callbacks;
      const giveUpAt = Date.now() + 120_000;
      while (receiver.requests.length < target && Date.now() < giveUpAt) await sleep(100);
      console.log(`chaos: ${name} (${posted.length} posted, ${receiver.requests.length} callbacks received so far)`);
      await fault();
    };
    const step = Math.max(1, Math.floor(total / 5));
    await phase('kill -9 the worker', step, async () => {
      if (worker?.child.pid) await killHard(worker.child.pid);
      await sleep(2_000);
      startWorker();
    });
    await phase('kill -9 Postgres', step, async () => {
      if (postgres) await killHard(postgres.pid);
      await sleep(2_000);
      await startPostgres();
    });
    await phase('kill -9 everything (API, worker, Postgres, Temporal)', step, async () => {
      await Promise.all([
        api?.child.pid ? killHard(api.child.pid) : undefined,
        worker?.child.pid ? killHard(worker.child.pid) : undefined,
        postgres ? killHard(postgres.pid) : undefined,
        temporal ? killHard(temporal.pid) : undefined,
      ]);
      await sleep(2_000);
      await Promise.all([startPostgres(), startTemporal()]);
      await startApi();
      startWorker();
    });
    await client;
    console.log(`chaos: all ${total} posted; waiting for every callback to be sent`);
    const pool = new pg.Pool({ connectionString: postgres?.url, max: 2 });
    try {
      const deadline = Date.now() + 10 * 60_000;
      for (;;) {
        const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM callbacks WHERE status = 'sent'`);
        if (Number(rows[0].n) >= total || Date.now() > deadline) break;
        await sleep(1_000);
      }
      // Let attempts in flight land before counting.
      await sleep(2_000);
      const report = await chaosReport(pool, posted, created, receiver.requests, errorAnswers);
      console.log(JSON.stringify(report, null, 2));
      const failed = report.lost > 0 || report.sentButNotRecorded > 0 || report.lies > 0 || report.duplicatesWithoutSharedKey > 0;
      process.exitCode = failed ? 1 : 0;
    } finally {
      await pool.end();
    }
  } finally {
    for (const service of [api, worker]) if (service) await stopGracefully(service);
    await temporal?.stop();
    await postgres?.stop();
    await receiver.close();
    if (process.exitCode === 0) {
      // Under root, Postgres' data was kept where its user can reach it, linked from the data directory.
      const postgresData = await realpath(path.join(dir, 'postgres')).catch(() => undefined);
      if (postgresData) await rm(postgresData, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
