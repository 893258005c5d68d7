/**
 * `npm run bench`: throughput and memory of the embedded dev server, driven by the official SDK worker and client.
 *
 * Environment:
 *   BENCH_WORKFLOWS            single-activity workflows in the throughput run (default 500)
 *   BENCH_OPEN_WORKFLOWS       workflows held open for the memory measure (default 2000)
 *   BENCH_CONCURRENCY          client calls in flight (default 64)
 *   BENCH_WARMUP               warm-up workflows before each measure, not counted (default 50)
 *   BENCH_SERVER_NODE_ARGS     node flags of the server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 *   BENCH_WORKER_OPTIONS       JSON merged over the tuned worker options, e.g. '{"maxCachedWorkflows":1000}'
 *   BENCH_GRPC_COMPRESSION     the worker connection's request compression, gzip (the SDK's default) or none
 */
import path from 'node:path';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { Compression, TunedWorkerOptions, settledRssKb } from './harness';
import { heapSnapshots } from './heap-snapshot';
import { MemoryResult, measureMemory } from './memory';
import { ServerProcess, startServerProcess } from './server-process';
import { measureThroughput } from './throughput';
import { freePort } from '../../test/support/ports';

/** The whole bench must stay well under three minutes; past this, something hangs and we stop everything. */
const WATCHDOG_MS = 170_000;

function positiveInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return value;
}

/**
 * One worker on a 2-core machine that also runs the client and the server. Execution slots match the client's
 * concurrency, so a workflow never waits for a slot while the server has its task.
 *
 * The cache must stay on, well above the workflows in flight: with maxCachedWorkflows 0 the SDK core handles one
 * workflow task at a time (measured: ~24 workflows/s, 12 ms per task, tasks queueing on the server meanwhile). The
 * server serves sticky queues, so the SDK's default split of pollers between the normal and the sticky queue is
 * kept. Few pollers suffice: a poll is answered at once
 * while work is queued, and each one waiting costs the server a held call. Eager activities are off because this
 * server never returns activity tasks in the completion's response.
 */
function workerOptions(concurrency: number): TunedWorkerOptions {
  return {
    maxConcurrentWorkflowTaskExecutions: concurrency,
    maxConcurrentActivityTaskExecutions: concurrency,
    maxConcurrentWorkflowTaskPolls: 8,
    maxConcurrentActivityTaskPolls: 4,
    maxCachedWorkflows: 1000,
    maxEagerActivityReservationsPerWorkflowTask: 0,
  };
}

/** Numeric overrides of the tuned options, to compare settings without editing the bench. */
function workerOptionOverrides(): TunedWorkerOptions {
  const text = process.env.BENCH_WORKER_OPTIONS;
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'number')) {
    throw new Error(`BENCH_WORKER_OPTIONS must be a JSON object of numbers, got ${text}`);
  }
  return parsed as TunedWorkerOptions;
}

/**
 * gzip by default because it is what a worker sends unless configured otherwise, so what the server meets in use;
 * `none` shows what the server's decompression costs (a gzip stream per request in @grpc/grpc-js).
 */
function compressionSetting(): Compression {
  const text = process.env.BENCH_GRPC_COMPRESSION || 'gzip';
  if (text !== 'gzip' && text !== 'none') throw new Error(`BENCH_GRPC_COMPRESSION must be gzip or none, got "${text}"`);
  return text;
}

const kb = (n: number): string => `${Math.round(n).toLocaleString('en-US')} KB`;
const ms = (n: number): string => `${n.toFixed(0)} ms`;

function printServerLog(server: ServerProcess): void {
  if (server.log.length === 0) return;
  console.log(`  server log (${server.log.length} lines, first 5):`);
  for (const line of server.log.slice(0, 5)) console.log(`    ${line}`);
}

async function withServer<T>(nodeArgs: readonly string[], fn: (server: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServerProcess(nodeArgs);
  try {
    return await fn(server);
  } finally {
    await server.stop();
    printServerLog(server);
  }
}

async function main(): Promise<void> {
  const workflows = positiveInt('BENCH_WORKFLOWS', 500);
  const open = positiveInt('BENCH_OPEN_WORKFLOWS', 2000);
  const concurrency = positiveInt('BENCH_CONCURRENCY', 64);
  const warmup = positiveInt('BENCH_WARMUP', 50);
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const compression = compressionSetting();
  const options = { ...workerOptions(concurrency), ...workerOptionOverrides(), compression };

  // The SDK core's metrics, on a local port, give the worker's view of the server's latency.
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } });
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: new DefaultLogger('WARN') });

  console.log(`dev server benchmark (node ${process.version}, server in a child process on 127.0.0.1${nodeArgs.length > 0 ? `, server node flags: ${nodeArgs.join(' ')}` : ''})`);
  const { compression: _, ...shown } = options;
  console.log(`worker options: ${JSON.stringify(shown)}`);
  console.log(`worker connection: NativeConnection, request compression ${compression}${compression === 'gzip' ? ' (the SDK default)' : ''}`);

  const t = await withServer(nodeArgs, (server) => measureThroughput(server, bundle, options, { workflows, warmup, concurrency }, metricsAddress));
  console.log(`\nthroughput: ${workflows} single-activity workflows, ${concurrency} in flight, after ${warmup} warm-up`);
  console.log(`  ${t.perSecond.toFixed(1)} workflows/s (${ms(t.elapsedMs)} from first start to last result)`);
  console.log(`  latency per workflow: p50 ${ms(t.p50Ms)}, p95 ${ms(t.p95Ms)}, max ${ms(t.maxMs)}`);
  console.log(`  CPU over the run (100% = one core): server ${t.serverCpuPercent.toFixed(0)}%, bench process (worker + client) ${t.benchCpuPercent.toFixed(0)}%, other processes ${t.otherCpuPercent.toFixed(0)}% (of 200%)`);
  const cpuPerWorkflow = (percent: number): string => `${((percent * 10) / t.perSecond).toFixed(1)} ms`;
  console.log(
    `  CPU per workflow: server ${cpuPerWorkflow(t.serverCpuPercent)}, bench process ${cpuPerWorkflow(t.benchCpuPercent)} (less sensitive than workflows/s to other processes' load)`,
  );
  console.log(
    `  server RSS: ${kb(t.serverRssBeforeKb)} before, ${kb(t.serverRssAfterKb)} after (${kb((t.serverRssAfterKb - t.serverRssBeforeKb) / workflows)} per closed workflow, kept until the namespace retention), peak ${kb(t.serverPeakRssKb)}`,
  );

  console.log(`  where a workflow's time goes (server event times, p50 / p95 over a sample):`);
  const width = Math.max(...t.timeline.map((g) => g.label.length));
  for (const g of t.timeline) console.log(`    ${g.label.padEnd(width)}  ${ms(g.p50Ms).padStart(8)} / ${ms(g.p95Ms)}`);
  // The server writes ActivityTaskStarted when the activity closes (as Temporal does), with that time.
  console.log(`    (ACTIVITY_TASK_STARTED is written when the activity closes: the gap before it is queueing + running)`);

  console.log(`  the worker's view (SDK core metrics, mean over the measured window):`);
  const coreWidth = Math.max(...t.core.map((c) => c.label.length));
  for (const c of t.core) console.log(`    ${c.label.padEnd(coreWidth)}  ${ms(c.meanMs).padStart(8)}  (${c.count} recorded)`);

  const m = await withServer(nodeArgs, (server) => measureMemory(server, bundle, options, { open, warmup, concurrency }, () => settledRssKb(server)));
  console.log(`\nmemory: ${open} open workflows waiting for a signal after their first workflow task`);
  printOpening(m);
  console.log(`  server RSS: ${kb(m.beforeKb)} before, ${kb(m.afterKb)} after, peak ${kb(m.peakRssKb)}`);
  console.log(`  ${m.perWorkflowKb.toFixed(1)} KB RSS per open workflow (after − before, settled, no forced GC)`);

  // Same load on a fresh server whose readings are heap snapshots (each after a full GC): what a workflow retains.
  const snapshots = heapSnapshots();
  try {
    const h = await withServer([...nodeArgs, ...snapshots.nodeArgs], (server) =>
      measureMemory(server, bundle, options, { open, warmup, concurrency }, () => snapshots.liveHeapKb(server.pid)),
    );
    console.log(`  same load on a fresh server, live JS heap from heap snapshots (a full GC first):`);
    printOpening(h);
    console.log(`  live heap: ${kb(h.beforeKb)} before, ${kb(h.afterKb)} after: ${h.perWorkflowKb.toFixed(1)} KB per open workflow`);
  } finally {
    snapshots.dispose();
  }
}

function printOpening(m: MemoryResult): void {
  console.log(`  started in ${ms(m.startMs)}, all first tasks done after ${ms(m.firstTasksDoneMs)}; server CPU ${m.serverCpuPerWorkflowMs.toFixed(1)} ms per workflow`);
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();
// The exit handler of server-process.ts kills the servers; these make Ctrl-C and kill reach it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
