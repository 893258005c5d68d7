/**
 * The order of the measurements, in phases that each run the service's processes configured for what they measure
 * (see processes.ts): intake, delivery, delivery with two workers, memory. Within a phase, a warm-up, then runs
 * that each measure everything once, each product figure next to its baseline, so that a run's ratios compare
 * figures taken seconds apart on the same (noisy) machine. Memory is measured once, at the end: parking its
 * callbacks takes as long as delivering them.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { ServiceProcess } from '../chaos/services';
import { sleep } from '../chaos/stack';
import type { Arrivals } from './arrivals';
import type { IntakeBacklog } from './intake-backlog';
import { deliveryFigures, intakeFigures, steadyFigures, type IntakeFigures, type Latency, type Send, type Store } from './measure';
import type { BenchProcesses } from './processes';
import { nodeProcessOf, rssKb } from './rss';
import type { BenchSettings } from './settings';

/** What each measurement sends. */
export interface Senders {
  /** POST /v1/conversions of a conversion with this id, for the publisher that answers 200. */
  conversion: Send;
  /** POST /v1/conversions/batch of these conversions, for the publisher that answers 200. */
  batch: Store;
  /** POST /v1/conversions/batch of these conversions, for the publisher that answers 503. */
  parkedBatch: Store;
  /** The start of a bare delivery workflow whose callback carries this key. */
  bareWorkflow: Send;
  /** A single-row INSERT into the scratch table. */
  insert: Send;
  /** One multi-row INSERT into the scratch table. */
  insertMany: Store;
  arrivals: Arrivals;
  parkedArrivals: Arrivals;
  backlog: IntakeBacklog;
  temporal: Client;
}

export interface BenchHost {
  senders: Senders;
  processes: BenchProcesses;
  /** Temporal's dev server, whose memory the memory figure shows for reference. */
  temporalPid: number;
  log: (line: string) => void;
}

interface IntakeBurst extends IntakeFigures {
  /** The share (%) of the burst whose workflow the dispatcher had started by the time the last answer came. */
  startedPercent: number;
}

export interface RunFigures {
  inserts: IntakeFigures;
  single: IntakeBurst;
  insertBatches: IntakeFigures;
  batches: IntakeBurst;
  deliveredPerSecond: number;
  bareWorkflowsPerSecond: number;
  steady: Latency;
  bareSteady: Latency;
  twoWorkersPerSecond: number;
}

/** Resident memory (KB) of the processes, with this many callbacks parked. */
export interface RssSample {
  parked: number;
  apiKb: number;
  workerKb: number;
  temporalKb: number;
}

export interface BenchResults {
  runs: RunFigures[];
  /** Idle (after the warm-up) first, then as more callbacks park. */
  memory: RssSample[];
}

/** Lets the tail of a measurement (outcome writes, workflow completions) end before the next one starts. */
const SETTLE_MS = 1_000;
/** The last parked callbacks' attempts write their outcome, and the workers' heaps settle, before RSS is read. */
const PARKED_SETTLE_MS = 3_000;
/** How long the bench waits for its callbacks to park, per callback (a generous bound, for a very busy machine). */
const PARKING_TIMEOUT_MS_PER_CALLBACK = 200;

const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

async function timed<T>(log: (line: string) => void, what: string, measure: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await measure();
  log(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  await sleep(SETTLE_MS);
  return result;
}

/** Rejects when one of the processes exits while the phase runs. */
function guarded<T>(processes: ServiceProcess[], measure: () => Promise<T>): Promise<T> {
  const exit = Promise.race(processes.map(({ name, exited }) => exited.then(() => name))).then((name) => {
    throw new Error(`${name} exited during the bench`);
  });
  return Promise.race([measure(), exit]);
}

/** A burst of intake with the dispatcher at work; afterwards, the burst's entries it has not started are withdrawn. */
async function intakeBurst(senders: Senders, prefix: string, count: number, perRequest: number, concurrency: number, store: Store): Promise<IntakeBurst> {
  const figures = await intakeFigures(keys(prefix, count), perRequest, concurrency, store);
  const withdrawn = await senders.backlog.withdraw(`${prefix}-`);
  return { ...figures, startedPercent: (100 * (count - figures.errors - withdrawn)) / count };
}

function logErrors(log: (line: string) => void, what: string, figures: IntakeFigures): void {
  if (figures.errors > 0) log(`${what}: ${figures.errors} not stored; the first error: ${figures.firstError}`);
}

type IntakeRun = Pick<RunFigures, 'inserts' | 'single' | 'insertBatches' | 'batches'>;

/** Figure 1: a burst of single POSTs and the same burst in batches, each after its INSERT baseline. */
async function intakePhase(settings: BenchSettings, { senders, processes, log }: BenchHost): Promise<IntakeRun[]> {
  const { intakeBurst: count, concurrency, batchSize, batchConcurrency, warmup } = settings;
  const single: Store = ([key]) => senders.conversion(key);
  const insert: Store = ([key]) => senders.insert(key);
  return guarded(processes.running(), async () => {
    await timed(log, `intake warm-up (${warmup} of each)`, async () => {
      await intakeFigures(keys('is-warmup', warmup), 1, concurrency, insert);
      await intakeFigures(keys('im-warmup', warmup), warmup, 1, senders.insertMany);
      await intakeBurst(senders, 'i1-warmup', warmup, 1, concurrency, single);
      await intakeBurst(senders, 'ib-warmup', warmup, warmup, 1, senders.batch);
    });
    const runs: IntakeRun[] = [];
    for (let run = 1; run <= settings.runs; run++) {
      const step = <T>(what: string, measure: () => Promise<T>) => timed(log, `intake run ${run}/${settings.runs}: ${what}`, measure);
      const inserts = await step(`${count} single-row INSERTs`, () => intakeFigures(keys(`is-r${run}`, count), 1, concurrency, insert));
      const singles = await step(`${count} POST /v1/conversions`, () => intakeBurst(senders, `i1-r${run}`, count, 1, concurrency, single));
      const insertBatches = await step(`${count} rows in INSERTs of ${batchSize}`, () =>
        intakeFigures(keys(`im-r${run}`, count), batchSize, batchConcurrency, senders.insertMany),
      );
      const batches = await step(`${count} conversions in batches of ${batchSize}`, () =>
        intakeBurst(senders, `ib-r${run}`, count, batchSize, batchConcurrency, senders.batch),
      );
      for (const [what, figures] of [['INSERTs', inserts], ['single POSTs', singles], ['multi-row INSERTs', insertBatches], ['batches', batches]] as const) {
        logErrors(log, what, figures);
      }
      runs.push({ inserts, single: singles, insertBatches, batches });
    }
    return runs;
  });
}

type DeliveryRun = Pick<RunFigures, 'deliveredPerSecond' | 'bareWorkflowsPerSecond' | 'steady' | 'bareSteady'>;

/** Figures 2 and 3: a burst of conversions and one at a steady rate, each after the same with bare workflows. */
async function deliveryPhase(settings: BenchSettings, { senders, processes, log }: BenchHost): Promise<DeliveryRun[]> {
  const { deliveryBurst, concurrency, steadyRate, steadySeconds, warmup } = settings;
  const steadyCount = steadyRate * steadySeconds;
  const running = await processes.delivery();
  return guarded(running, async () => {
    await timed(log, `delivery warm-up (${warmup} of each)`, () =>
      Promise.all([
        deliveryFigures(keys('b-warmup', warmup), concurrency, senders.bareWorkflow, senders.arrivals),
        deliveryFigures(keys('c-warmup', warmup), concurrency, senders.conversion, senders.arrivals),
      ]),
    );
    const runs: DeliveryRun[] = [];
    for (let run = 1; run <= settings.runs; run++) {
      const step = <T>(what: string, measure: () => Promise<T>) => timed(log, `delivery run ${run}/${settings.runs}: ${what}`, measure);
      const bare = await step('bare workflow burst', () => deliveryFigures(keys(`b-r${run}`, deliveryBurst), concurrency, senders.bareWorkflow, senders.arrivals));
      const service = await step('conversion burst', () => deliveryFigures(keys(`c-r${run}`, deliveryBurst), concurrency, senders.conversion, senders.arrivals));
      const bareSteady = await step('bare workflows, steady', () => steadyFigures(keys(`b-s${run}`, steadyCount), steadyRate, senders.bareWorkflow, senders.arrivals));
      const steady = await step('conversions, steady', () => steadyFigures(keys(`c-s${run}`, steadyCount), steadyRate, senders.conversion, senders.arrivals));
      runs.push({ deliveredPerSecond: service.deliveredPerSecond, bareWorkflowsPerSecond: bare.deliveredPerSecond, steady, bareSteady });
    }
    return runs;
  });
}

/** Figure 4: the delivery burst again, with a second worker process on the same task queue. */
async function twoWorkersPhase(settings: BenchSettings, { senders, processes, log }: BenchHost): Promise<number[]> {
  const { deliveryBurst, concurrency, warmup } = settings;
  const { running, workers } = await timed(log, 'second worker polling', () => processes.addSecondWorker(senders.temporal));
  log(`workers polling the service's task queue: ${workers.join(', ')}`);
  return guarded(running, async () => {
    await timed(log, `two workers warm-up (${warmup})`, () => deliveryFigures(keys('c2-warmup', warmup), concurrency, senders.conversion, senders.arrivals));
    const runs: number[] = [];
    for (let run = 1; run <= settings.runs; run++) {
      const figures = await timed(log, `two workers run ${run}/${settings.runs}: conversion burst`, () =>
        deliveryFigures(keys(`c2-r${run}`, deliveryBurst), concurrency, senders.conversion, senders.arrivals),
      );
      runs.push(figures.deliveredPerSecond);
    }
    return runs;
  });
}

/**
 * Figure 5: the resident memory of the API and the worker, idle (after a warm-up whose callbacks park too), then
 * as `settings.parked` callbacks park behind a publisher answering 503 with the next attempt an hour away.
 */
async function memoryPhase(settings: BenchSettings, { senders, processes, temporalPid, log }: BenchHost): Promise<RssSample[]> {
  const { parked, batchSize, batchConcurrency, warmup } = settings;
  const { running, api, worker } = await processes.parking();
  const pids = { api: 0, worker: 0 };
  const sample = async (count: number): Promise<RssSample> => ({
    parked: count,
    apiKb: await rssKb(pids.api),
    workerKb: await rssKb(pids.worker),
    temporalKb: await rssKb(temporalPid),
  });
  const park = async (prefix: string, count: number): Promise<string[]> => {
    const parkedKeys = keys(prefix, count);
    const figures = await intakeFigures(parkedKeys, Math.min(batchSize, count), batchConcurrency, senders.parkedBatch);
    if (figures.errors > 0) throw new Error(`${figures.errors} conversions to park were not stored: ${figures.firstError}`);
    return parkedKeys;
  };
  return guarded(running, async () => {
    const warmupKeys = await park('p-warmup', warmup);
    await senders.parkedArrivals.waitFor(warmupKeys, PARKING_TIMEOUT_MS_PER_CALLBACK * warmup + 60_000);
    await sleep(PARKED_SETTLE_MS);
    // Once the warm-up parked, the worker surely runs (tsx starts its node process a moment after its own).
    pids.api = await nodeProcessOf(api.child.pid ?? 0);
    pids.worker = await nodeProcessOf(worker.child.pid ?? 0);
    const samples = [await sample(warmup)];
    log(`memory: idle with ${warmup} parked: API ${samples[0].apiKb} KB, worker ${samples[0].workerKb} KB`);
    const start = performance.now();
    const parkedKeys = keys('p', parked);
    // Posted while the checkpoints are watched: the first callbacks park long before the last conversion is stored.
    let postingFailed: Error | undefined;
    const posted = park('p', parked).catch((err: unknown) => {
      postingFailed = err instanceof Error ? err : new Error(String(err));
    });
    const deadline = Date.now() + PARKING_TIMEOUT_MS_PER_CALLBACK * parked + 60_000;
    for (const checkpoint of [Math.round(parked / 4), Math.round(parked / 2), parked]) {
      while (senders.parkedArrivals.arrived(parkedKeys) < checkpoint) {
        if (postingFailed) throw postingFailed;
        if (Date.now() > deadline) throw new Error(`only ${senders.parkedArrivals.arrived(parkedKeys)} of ${parked} callbacks parked in time`);
        await sleep(250);
      }
      if (checkpoint === parked) {
        await posted;
        await sleep(PARKED_SETTLE_MS);
      }
      const now = await sample(warmup + senders.parkedArrivals.arrived(parkedKeys));
      samples.push(now);
      log(`memory: ${now.parked} parked after ${((performance.now() - start) / 1000).toFixed(0)} s: API ${now.apiKb} KB, worker ${now.workerKb} KB`);
    }
    return samples;
  });
}

export async function runPlan(settings: BenchSettings, host: BenchHost): Promise<BenchResults> {
  const intake = await intakePhase(settings, host);
  const delivery = await deliveryPhase(settings, host);
  const twoWorkers = await twoWorkersPhase(settings, host);
  const memory = await memoryPhase(settings, host);
  const runs = intake.map((figures, index) => ({ ...figures, ...delivery[index], twoWorkersPerSecond: twoWorkers[index] }));
  return { runs, memory };
}
