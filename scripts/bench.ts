/**
 * `npm run bench [-- --burst N] [--delivery-burst N] [--parked N] [--runs N] [--rate N] [--temporal-file]`: the
 * service's speed, each figure next to a baseline measured in the same run on the same machine (see README,
 * Benchmarks): intake against bare INSERTs, delivery against bare Temporal workflows, the latency from POST to
 * callback at a steady rate, delivery with two workers against one, and the memory that parked callbacks hold.
 * Everything runs as in production (`npm run api`, `npm run worker`, the embedded Postgres, Temporal's dev server)
 * and is stopped and deleted at the end.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/logger';
import { startReceiver } from '../test/support/receiver';
import { ServiceStack } from './chaos/stack';
import { Arrivals } from './bench/arrivals';
import { runPlan } from './bench/plan';
import { BenchProcesses } from './bench/processes';
import { benchReport } from './bench/report';
import { connectSenders, type BenchPublisher } from './bench/senders';
import { benchSettings } from './bench/settings';
import { Teardown } from './bench/teardown';

const log = (line: string) => console.error(`bench: ${line}`);

/** A publisher whose receiver, on 127.0.0.1, answers every callback `status` (closed by the teardown). */
async function benchPublisher(id: string, status: number, teardown: Teardown): Promise<BenchPublisher> {
  const arrivals = new Arrivals(status);
  const receiver = await startReceiver(arrivals.answer);
  teardown.add(`close the receiver of ${id}`, () => receiver.close());
  return { id, receiverUrl: receiver.url, arrivals };
}

/** The last lines of each process's log, for a bench that failed (the logs are deleted with the data). */
async function logTails(dir: string): Promise<string> {
  const logs = (await readdir(dir).catch(() => [])).filter((file) => file.endsWith('.log'));
  const tails = await Promise.all(
    logs.map(async (file) => `--- ${file}\n${(await readFile(path.join(dir, file), 'utf8')).trim().split('\n').slice(-10).join('\n')}`),
  );
  return tails.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const settings = benchSettings(process.argv);
  const teardown = new Teardown();
  teardown.onSignals(createLogger({ level: 'warn' }));
  const stack = await ServiceStack.create('bench', { temporalState: settings.temporalState });
  teardown.add('delete the data', () => stack.removeData());
  const delivered = await benchPublisher('bench', 200, teardown);
  const parked = await benchPublisher('bench-parked', 503, teardown);
  teardown.add('stop the service', () => stack.stop());
  try {
    log(`starting Postgres, Temporal and the API (logs in ${stack.dir})`);
    await Promise.all([stack.startPostgres(), stack.startTemporal()]);
    const processes = new BenchProcesses(stack);
    await processes.intake();
    for (const publisher of [delivered, parked]) await stack.registerPublisher(publisher.id, `${publisher.receiverUrl}/callbacks`);
    const senders = await connectSenders(stack, { delivered, parked }, settings, teardown);
    const results = await runPlan(settings, { senders, processes, temporalPid: stack.temporal?.pid ?? 0, log });
    console.log(benchReport(settings, results, delivered.arrivals.repeats + parked.arrivals.repeats, (performance.now() - started) / 1000));
  } catch (err) {
    if (teardown.interrupted) return;
    console.error(await logTails(stack.dir));
    throw err;
  } finally {
    await teardown.run();
    log(`stopped and deleted everything; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
