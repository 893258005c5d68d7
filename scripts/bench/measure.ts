/** One measurement of a sender (the API, the bare workflows, the scratch INSERTs): what it is and how it is timed. */
import { BatchShortfall } from './api-client';
import type { Arrivals } from './arrivals';
import { burst, burstRate, paced } from './load';
import { percentile } from './stats';

/** Sends one item with this key: a conversion, a bare workflow's start, an INSERT. */
export type Send = (key: string) => Promise<void>;
/** Stores these keys in one request: a conversion (or a batch of them), an INSERT of one row (or of many). */
export type Store = (keys: readonly string[]) => Promise<void>;

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

export interface IntakeFigures extends BurstFigures {
  /** Conversions (or rows) not stored: a request that failed counts all of its own. */
  errors: number;
  /** The first error's message, for the log. */
  firstError?: string;
}

/** How long a measurement may wait for its callbacks before the bench gives up. */
const ARRIVAL_TIMEOUT_MS = 180_000;

function latency(valuesMs: readonly number[]): Latency {
  return { p50Ms: percentile(valuesMs, 50), p99Ms: percentile(valuesMs, 99) };
}

/**
 * Stores the keys `perRequest` at a time, `concurrency` requests in flight: keys stored per second, each request's
 * latency, and the keys not stored (an intake burst goes on past an error, and counts it).
 */
export async function intakeFigures(keys: readonly string[], perRequest: number, concurrency: number, store: Store): Promise<IntakeFigures> {
  const requests = Array.from({ length: Math.ceil(keys.length / perRequest) }, (_, index) => keys.slice(index * perRequest, (index + 1) * perRequest));
  let errors = 0;
  let firstError: string | undefined;
  const run = await burst(requests.length, concurrency, async (index) => {
    try {
      await store(requests[index]);
    } catch (err) {
      errors += err instanceof BatchShortfall ? err.refused : requests[index].length;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
  });
  return { perSecond: burstRate(keys.length, run), ...latency(run.latenciesMs), errors, ...(firstError ? { firstError } : {}) };
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
