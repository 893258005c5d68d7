/**
 * The order of the measurements: a warm-up, then runs that each measure everything once, each product figure next
 * to its baseline, so that a run's ratios compare figures taken a few seconds apart on the same (noisy) machine.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../chaos/stack';
import type { Arrivals } from './arrivals';
import { burstFigures, deliveryFigures, steadyFigures, type BurstFigures, type Latency, type Send } from './measure';
import type { BenchSettings } from './settings';

/** What each measurement sends. */
export interface Senders {
  /** POST /v1/conversions of a conversion with this id. */
  conversion: Send;
  /** The start of a bare delivery workflow whose callback carries this key. */
  bareWorkflow: Send;
  /** A single-row INSERT into the scratch table. */
  insert: Send;
  arrivals: Arrivals;
}

export interface RunFigures {
  intake: BurstFigures;
  inserts: BurstFigures;
  deliveredPerSecond: number;
  bareWorkflowsPerSecond: number;
  steady: Latency;
  bareSteady: Latency;
}

/** Lets the tail of a measurement (outcome writes, workflow completions) end before the next one starts. */
const SETTLE_MS = 1_000;

const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

async function timed<T>(log: (line: string) => void, what: string, measure: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await measure();
  log(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  await sleep(SETTLE_MS);
  return result;
}

async function warmUp(settings: BenchSettings, senders: Senders, log: (line: string) => void): Promise<void> {
  const { warmup, concurrency } = settings;
  await timed(log, `warm-up (${warmup} of each)`, () =>
    Promise.all([
      burstFigures(keys('i-warmup', warmup), concurrency, senders.insert),
      deliveryFigures(keys('b-warmup', warmup), concurrency, senders.bareWorkflow, senders.arrivals),
      deliveryFigures(keys('c-warmup', warmup), concurrency, senders.conversion, senders.arrivals),
    ]),
  );
}

async function oneRun(run: number, settings: BenchSettings, senders: Senders, log: (line: string) => void): Promise<RunFigures> {
  const { burst, concurrency, steadyRate, steadySeconds } = settings;
  const steadyCount = steadyRate * steadySeconds;
  const step = <T>(what: string, measure: () => Promise<T>) => timed(log, `run ${run}/${settings.runs}: ${what}`, measure);
  const inserts = await step('INSERT burst', () => burstFigures(keys(`i-r${run}`, burst), concurrency, senders.insert));
  const bare = await step('bare workflow burst', () => deliveryFigures(keys(`b-r${run}`, burst), concurrency, senders.bareWorkflow, senders.arrivals));
  const service = await step('conversion burst', () => deliveryFigures(keys(`c-r${run}`, burst), concurrency, senders.conversion, senders.arrivals));
  const bareSteady = await step('bare workflows, steady', () => steadyFigures(keys(`b-s${run}`, steadyCount), steadyRate, senders.bareWorkflow, senders.arrivals));
  const steady = await step('conversions, steady', () => steadyFigures(keys(`c-s${run}`, steadyCount), steadyRate, senders.conversion, senders.arrivals));
  return {
    intake: service.sends,
    inserts,
    deliveredPerSecond: service.deliveredPerSecond,
    bareWorkflowsPerSecond: bare.deliveredPerSecond,
    steady,
    bareSteady,
  };
}

export async function runPlan(settings: BenchSettings, senders: Senders, log: (line: string) => void): Promise<RunFigures[]> {
  await warmUp(settings, senders, log);
  const runs: RunFigures[] = [];
  for (let run = 1; run <= settings.runs; run++) runs.push(await oneRun(run, settings, senders, log));
  return runs;
}
