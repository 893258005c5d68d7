/** Throughput: single-activity workflows completed per second by one worker, with bounded client concurrency. */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BenchWorkerOptions, Harness, settledRssKb, withWorker } from './harness';
import { percentile, runBounded } from './load';
import { CORE_LATENCIES, meanBetween, scrape } from './metrics';
import type { ServerProcess } from './server-process';
import { machineBusyMs } from './system';
import { Gap, Sample, timeline } from './timeline';
import { singleActivity } from './workflows';

export interface ThroughputResult {
  workflows: number;
  elapsedMs: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** CPU time over the measured window, as a share of one core. */
  serverCpuPercent: number;
  benchCpuPercent: number;
  /** Everything else the machine ran meanwhile (other people's tests...): it competes for the same 2 cores. */
  otherCpuPercent: number;
  serverRssBeforeKb: number;
  serverRssAfterKb: number;
  serverPeakRssKb: number;
  /** Median and p95 time before each event of a measured workflow, from a sample of their histories. */
  timeline: Gap[];
  /** Mean latencies the SDK core recorded over the measured window. */
  core: Array<{ label: string; meanMs: number; count: number }>;
}

/** How many measured workflows the timeline reads back (after the measured window). */
const TIMELINE_SAMPLE = 100;

async function runMany(h: Harness, label: string, count: number, concurrency: number): Promise<{ latencies: number[]; samples: Sample[] }> {
  const samples = new Array<Sample>(count);
  const latencies = await runBounded(count, concurrency, async (i) => {
    const workflowId = `${label}-${i}-${h.taskQueue}`;
    const calledMs = Date.now();
    const result = await h.client.workflow.execute(singleActivity, { taskQueue: h.taskQueue, workflowId, args: [i] });
    if (result !== i) throw new Error(`workflow ${workflowId} returned ${result}`);
    samples[i] = { workflowId, calledMs, resultMs: Date.now() };
  });
  return { latencies, samples };
}

export function measureThroughput(
  server: ServerProcess,
  bundle: WorkflowBundleWithSourceMap,
  options: BenchWorkerOptions,
  load: { workflows: number; warmup: number; concurrency: number },
  metricsAddress: string,
): Promise<ThroughputResult> {
  return withWorker(server, bundle, options, async (h) => {
    // Warm-up: JIT on both sides, the worker's V8 context, the gRPC channels; not counted.
    await runMany(h, 'warmup', load.warmup, load.concurrency);
    const serverRssBeforeKb = await settledRssKb(server, 3_000);
    const metricsBefore = await scrape(metricsAddress);
    const serverCpuBefore = server.cpuMs();
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineBusyMs();
    const started = performance.now();
    const { latencies, samples } = await runMany(h, 'measured', load.workflows, load.concurrency);
    const elapsedMs = performance.now() - started;
    const serverCpuMs = server.cpuMs() - serverCpuBefore;
    // process.cpuUsage covers every thread of the bench process: the JS client and the worker's Rust core threads.
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const benchCpuMs = (benchCpu.user + benchCpu.system) / 1000;
    const machineMs = machineBusyMs() - machineBefore;
    const metricsAfter = await scrape(metricsAddress);
    const serverRssAfterKb = server.rssKb();
    // Spread over the run: the first workflows meet an idle worker, the last ones a draining queue.
    const step = Math.max(1, Math.floor(samples.length / TIMELINE_SAMPLE));
    const gaps = await timeline(h.client, samples.filter((_, i) => i % step === 0).slice(0, TIMELINE_SAMPLE));
    const percentOfCore = (cpuMs: number): number => (100 * cpuMs) / elapsedMs;
    return {
      workflows: load.workflows,
      elapsedMs,
      perSecond: (load.workflows * 1000) / elapsedMs,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: percentile(latencies, 100),
      serverCpuPercent: percentOfCore(serverCpuMs),
      benchCpuPercent: percentOfCore(benchCpuMs),
      otherCpuPercent: percentOfCore(Math.max(0, machineMs - serverCpuMs - benchCpuMs)),
      serverRssBeforeKb,
      serverRssAfterKb,
      serverPeakRssKb: server.peakRssKb(),
      timeline: gaps,
      core: CORE_LATENCIES.map(({ label, histogram, operation }) => ({ label, ...meanBetween(metricsBefore, metricsAfter, histogram, operation) })),
    };
  });
}
