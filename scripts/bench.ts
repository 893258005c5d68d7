/**
 * `npm run bench [-- --burst N] [--runs N] [--rate N] [--temporal-file]`: the service's speed, each figure next to a
 * baseline measured in the same run on the same machine (see README, Benchmarks): intake against bare INSERTs,
 * delivery against bare Temporal workflows, and the latency from POST to callback at a steady rate. Everything runs
 * as in production (`npm run api`, `npm run worker`, the embedded Postgres, Temporal's dev server) and is stopped
 * and deleted at the end.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/logger';
import { startReceiver } from '../test/support/receiver';
import { ServiceStack } from './chaos/stack';
import { Arrivals } from './bench/arrivals';
import { runPlan } from './bench/plan';
import { benchReport } from './bench/report';
import { connectSenders } from './bench/senders';
import { benchSettings } from './bench/settings';
import { Teardown } from './bench/teardown';

const PUBLISHER = 'bench';
const log = (line: string) => console.error(`bench: ${line}`);

/** Rejects when one of the processes exits while the bench runs. */
function anyExit(processes: { name: string; exited: Promise<void> }[]): Promise<never> {
  return Promise.race(processes.map(({ name, exited }) => exited.then(() => name))).then((name) => {
    throw new Error(`${name} exited during the bench`);
  });
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
  const arrivals = new Arrivals();
  const receiver = await startReceiver(arrivals.answer);
  teardown.add('close the receiver', () => receiver.close());
  teardown.add('stop the service', () => stack.stop());
  try {
    log(`starting Postgres, Temporal, the API, the worker and the bare worker (logs in ${stack.dir})`);
    await stack.start();
    const bareWorker = stack.startScript('bare-worker', 'scripts/bench/bare-worker.ts');
    await stack.registerPublisher(PUBLISHER, `${receiver.url}/callbacks`);
    const senders = await connectSenders(stack, { id: PUBLISHER, receiverUrl: receiver.url, arrivals }, settings, teardown);
    const services = [stack.api, stack.worker, bareWorker].flatMap((service) => (service ? [service] : []));
    const runs = await Promise.race([runPlan(settings, senders, log), anyExit(services)]);
    console.log(benchReport(settings, runs, arrivals.repeats, (performance.now() - started) / 1000));
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
