/** Bounded-concurrency load and latency statistics. */

/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight; resolves with each task's latency in ms (start of
 * the call to its settlement), in index order. The first failure rejects, after the tasks in flight settle, so no
 * call is left running against a server that is about to stop.
 */
export async function runBounded(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<number[]> {
  const latencies = new Array<number>(count);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < count && !failure) {
      const index = next++;
      const started = performance.now();
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      latencies[index] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (failure) throw failure.error;
  return latencies;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
