/**
 * `npm run chaos [-- --callbacks N]`: N callbacks (default 1,000, posted at 12/s) in flight to a publisher on 127.0.0.1, while the
 * worker, then Postgres, then everything (worker, API, Postgres, Temporal: what `npm start` runs) is killed with
 * kill -9 and restarted. Then it waits for every callback to be sent and prints what was lost, duplicated, sent but
 * not recorded, and how many answers were 5xx or untrue. Not part of `npm test`: it takes minutes.
 */
import pg from 'pg';
import { startReceiver } from '../test/support/receiver';
import { chaosReport, type ErrorAnswer } from './chaos/report';
import { killHard } from './chaos/services';
import { conversionJson, ServiceStack, sleep } from './chaos/stack';

const CONCURRENCY = 16;
/** Conversions posted per second: slow enough that posting goes on through every fault. */
const POST_RATE = 12;

function callbackCount(): number {
  const index = process.argv.indexOf('--callbacks');
  const count = index >= 0 ? Number(process.argv[index + 1]) : 1_000;
  if (!Number.isInteger(count) || count < 1) throw new Error('--callbacks takes a positive whole number');
  return count;
}

async function main(): Promise<void> {
  const total = callbackCount();
  const stack = await ServiceStack.create('chaos', { env: { RETRY_INITIAL_INTERVAL: '1s', RETRY_MAX_ATTEMPTS: '100', CALLBACK_TIMEOUT: '5s' } });
  const receiver = await startReceiver(() => ({ status: 200, body: 'OK', delayMs: 20 }));

  try {
    console.log(`chaos: ${total} callbacks; logs in ${stack.dir}`);
    await stack.start();
    await stack.registerPublisher('chaos', `${receiver.url}/cb`);

    // The client: posts every conversion until it is answered 2xx, as a real client retries a 5xx or a dead socket.
    const posted: string[] = [];
    const created = new Set<string>();
    const errorAnswers: ErrorAnswer[] = [];
    let next = 0;
    const post = async (conversionId: string): Promise<void> => {
      const body = conversionJson(conversionId, 'chaos');
      for (;;) {
        const res = await fetch(`${stack.apiUrl}/v1/conversions`, { method: 'POST', headers: stack.headers, body }).catch(() => undefined);
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
      if (stack.worker?.child.pid) await killHard(stack.worker.child.pid);
      await sleep(2_000);
      stack.startWorker();
    });
    await phase('kill -9 Postgres', step, async () => {
      if (stack.postgres) await killHard(stack.postgres.pid);
      await sleep(2_000);
      await stack.startPostgres();
    });
    await phase('kill -9 everything (API, worker, Postgres, Temporal)', step, async () => {
      const { api, worker, postgres, temporal } = stack;
      await Promise.all([
        api?.child.pid ? killHard(api.child.pid) : undefined,
        worker?.child.pid ? killHard(worker.child.pid) : undefined,
        postgres ? killHard(postgres.pid) : undefined,
        temporal ? killHard(temporal.pid) : undefined,
      ]);
      await sleep(2_000);
      await stack.start();
    });
    await client;
    console.log(`chaos: all ${total} posted; waiting for every callback to be sent`);
    const pool = new pg.Pool({ connectionString: stack.postgres?.url, max: 2 });
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
    await stack.stop();
    await receiver.close();
    // Logs and data are kept when something went wrong.
    if (process.exitCode === 0) await stack.removeData();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
