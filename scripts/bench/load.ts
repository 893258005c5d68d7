/** Load generation: a closed-loop burst (a fixed number of tasks in flight) and an open-loop steady rate. */
import { performance } from 'node:perf_hooks';

export interface Burst {
  /** Date.now() when the first task started: the receiver stamps callbacks on the same clock. */
  startedAt: number;
  /** From the first task's start to the last one's end. */
  elapsedMs: number;
  /** Each task's duration. */
  latenciesMs: number[];
}

/** Runs task(0) … task(count − 1), `concurrency` of them at a time. */
export async function burst(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<Burst> {
  const latenciesMs: number[] = [];
  let next = 0;
  const startedAt = Date.now();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        const taskStart = performance.now();
        await task(index);
        latenciesMs.push(performance.now() - taskStart);
      }
    }),
  );
  return { startedAt, elapsedMs: performance.now() - start, latenciesMs };
}

/** Per second, over a burst. */
export function burstRate(count: number, run: Burst): number {
  return (count * 1000) / run.elapsedMs;
}

/**
 * Starts task(i) at i / ratePerSecond seconds, whether or not the earlier ones have finished (a slow answer does not
 * delay the next request), and returns when each was started (Date.now()) once all have finished.
 */
export async function paced(count: number, ratePerSecond: number, task: (index: number) => Promise<void>): Promise<number[]> {
  const sentAt: number[] = [];
  const running: Promise<void>[] = [];
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    const wait = start + (index * 1000) / ratePerSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt[index] = Date.now();
    running.push(task(index));
  }
  await Promise.all(running);
  return sentAt;
}
