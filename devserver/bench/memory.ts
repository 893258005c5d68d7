/**
 * Memory per open workflow: a reading of the server's memory (resident size, or live heap) before and after M
 * workflows wait for a signal.
 */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { BenchWorkerOptions, Harness, withWorker } from './harness';
import { runBounded, sleep } from './load';
import type { ServerProcess } from './server-process';
import { awaitRelease, releaseSignal } from './workflows';

export interface MemoryResult {
  open: number;
  startMs: number;
  firstTasksDoneMs: number;
  /** Server CPU time to start a workflow and run its first workflow task (with the Describe calls that watch it). */
  serverCpuPerWorkflowMs: number;
  beforeKb: number;
  afterKb: number;
  perWorkflowKb: number;
  peakRssKb: number;
}

/** WorkflowExecutionStarted, WorkflowTaskScheduled, WorkflowTaskStarted, WorkflowTaskCompleted. */
const EVENTS_AFTER_FIRST_TASK = 4;
const FIRST_TASKS_TIMEOUT_MS = 60_000;

type Handle = WorkflowHandle<typeof awaitRelease>;

function startMany(h: Harness, label: string, count: number, concurrency: number): Promise<Handle[]> {
  const handles = new Array<Handle>(count);
  return runBounded(count, concurrency, async (i) => {
    handles[i] = await h.client.workflow.start(awaitRelease, { taskQueue: h.taskQueue, workflowId: `${label}-${i}-${h.taskQueue}` });
  }).then(() => handles);
}

/**
 * Until every workflow has completed its first workflow task (and so holds what an idle open workflow holds). The
 * server hands out tasks in start order, so the handles are checked in that order, resuming at the first one not
 * done yet: about one Describe call per workflow, not one per workflow per round, which would compete with the worker.
 */
async function waitForFirstTasks(handles: Handle[]): Promise<void> {
  const deadline = Date.now() + FIRST_TASKS_TIMEOUT_MS;
  let next = 0;
  while (next < handles.length) {
    const { historyLength } = await handles[next].describe();
    if ((historyLength ?? 0) >= EVENTS_AFTER_FIRST_TASK) {
      next++;
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${handles.length - next} workflows did not complete their first workflow task in ${FIRST_TASKS_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

export function measureMemory(
  server: ServerProcess,
  bundle: WorkflowBundleWithSourceMap,
  options: BenchWorkerOptions,
  load: { open: number; warmup: number; concurrency: number },
  readKb: () => Promise<number>,
): Promise<MemoryResult> {
  return withWorker(server, bundle, options, async (h) => {
    // Warm-up through the same paths (start, first task, describe, signal, completion) so that code and lazily
    // created structures are in place before the first reading; these runs stay in the server, a constant.
    const warm = await startMany(h, 'warmup', load.warmup, load.concurrency);
    await waitForFirstTasks(warm);
    await runBounded(warm.length, load.concurrency, async (i) => {
      await warm[i].signal(releaseSignal);
      await warm[i].result();
    });
    const beforeKb = await readKb();
    const cpuBefore = server.cpuMs();
    const t0 = performance.now();
    const handles = await startMany(h, 'open', load.open, load.concurrency);
    const startMs = performance.now() - t0;
    await waitForFirstTasks(handles);
    const firstTasksDoneMs = performance.now() - t0;
    const serverCpuMs = server.cpuMs() - cpuBefore;
    const afterKb = await readKb();
    return {
      open: load.open,
      startMs,
      firstTasksDoneMs,
      serverCpuPerWorkflowMs: serverCpuMs / load.open,
      beforeKb,
      afterKb,
      perWorkflowKb: (afterKb - beforeKb) / load.open,
      peakRssKb: server.peakRssKb(),
    };
  });
}
