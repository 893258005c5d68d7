/** One measurement of a sender (the API, the bare workflows, the scratch INSERTs): what it is and how it is timed. */
import type { Arrivals } from './arrivals';
import { burst, burstRate, paced } from './load';
import { percentile } from './stats';

/** Sends one item with this key: a conversion, a bare workflow's start, an INSERT. */
export type Send = (key: string) => Promise<void>;

export interface Latency {
  p50Ms: number;
  p99Ms: number;
}

export interface BurstFigures extends Latency {
  perSecond: number;
}

export interface DeliveryFigures {
  sends: BurstFigures;
  /** Callbacks per second, from the first send to the last callback received. */
  deliveredPerSecond: number;
}

/** How long a measurement may wait for its callbacks before the bench gives up. */
const ARRIVAL_TIMEOUT_MS = 180_000;

function latency(valuesMs: readonly number[]): Latency {
  return { p50Ms: percentile(valuesMs, 50), p99Ms: percentile(valuesMs, 99) };
}

/** One send per key, `concurrency` at a time: sends per second and their latency. */
export async function burstFigures(keys: readonly string[], concurrency: number, send: Send): Promise<BurstFigures> {
  const run = await burst(keys.length, concurrency, (index) => send(keys[index]));
  return { perSecond: burstRate(keys.length, run), ...latency(run.latenciesMs) };
}

/** A burst whose every send makes the publisher receive one callback with its key. */
export async function deliveryFigures(keys: readonly string[], concurrency: number, send: Send, arrivals: Arrivals): Promise<DeliveryFigures> {
  const run = await burst(keys.length, concurrency, (index) => send(keys[index]));
  const last = Math.max(...(await arrivals.waitFor(keys, ARRIVAL_TIMEOUT_MS)));
  return {
    sends: { perSecond: burstRate(keys.length, run), ...latency(run.latenciesMs) },
    deliveredPerSecond: (keys.length * 1000) / (last - run.startedAt),
  };
}

/** Sends at `ratePerSecond`: the time from each send's start to its callback's arrival. */
export async function steadyFigures(keys: readonly string[], ratePerSecond: number, send: Send, arrivals: Arrivals): Promise<Latency> {
  const sentAt = await paced(keys.length, ratePerSecond, (index) => send(keys[index]));
  const arrivedAt = await arrivals.waitFor(keys, ARRIVAL_TIMEOUT_MS);
  return latency(arrivedAt.map((at, index) => at - sentAt[index]));
}
