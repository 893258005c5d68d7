/**
 * Workflows of the benchmark. This file is bundled for the worker's sandbox by `bundleWorkflowCode`, so it may
 * import only `@temporalio/workflow` and types.
 */
import { proxyActivities, defineSignal, setHandler, condition } from '@temporalio/workflow';
import type { BenchActivities } from './activities';

const { echo } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30s' });

/** The throughput unit: two workflow tasks around one trivial activity. */
export async function singleActivity(value: number): Promise<number> {
  return await echo(value);
}

export const releaseSignal = defineSignal('release');

/** Stays open after its first workflow task until signalled: what the memory measure holds open. */
export async function awaitRelease(): Promise<void> {
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  await condition(() => released);
}
