/** One worker and one client connected to a server process, for the duration of a measurement. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, WorkerOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { benchActivities } from './activities';
import type { ServerProcess } from './server-process';
import { sleep } from './load';

/** The worker options the bench tunes; printed with the results. */
export type TunedWorkerOptions = Pick<
  WorkerOptions,
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
  | 'maxCachedWorkflows'
  | 'nonStickyToStickyPollRatio'
  | 'maxEagerActivityReservationsPerWorkflowTask'
>;

/** Request compression of the worker's NativeConnection; the SDK sends gzip unless told otherwise. */
export type Compression = 'gzip' | 'none';

/** Everything that shapes the worker side: its tuned options and its connection's compression. */
export type BenchWorkerOptions = TunedWorkerOptions & { compression: Compression };

export interface Harness {
  client: Client;
  taskQueue: string;
}

/**
 * Connects a worker (over a NativeConnection, as production workers do) and a client to `server`, runs `fn` while
 * the worker runs, then shuts the worker down and closes both connections, whatever `fn` did.
 */
export async function withWorker<T>(
  server: ServerProcess,
  bundle: WorkflowBundleWithSourceMap,
  options: BenchWorkerOptions,
  fn: (harness: Harness) => Promise<T>,
): Promise<T> {
  const taskQueue = `bench-${randomUUID()}`;
  const { compression, ...workerOptions } = options;
  const nativeConnection = await NativeConnection.connect({ address: server.address, grpcCompression: { codec: compression } });
  try {
    const connection = await Connection.connect({ address: server.address });
    try {
      const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: bundle, activities: benchActivities, ...workerOptions });
      return await worker.runUntil(fn({ client: new Client({ connection }), taskQueue }));
    } finally {
      await connection.close();
    }
  } finally {
    await nativeConnection.close();
  }
}

/**
 * Waits until the server's resident size stops moving (three readings 500 ms apart within 1%), at most `maxMs`,
 * and returns the last reading. Nothing outside the process can make its RSS shed garbage or give freed pages back,
 * so a quiet period is the closest thing to a stable reading (heap-snapshot.ts measures the live heap instead).
 */
export async function settledRssKb(server: ServerProcess, maxMs = 8_000): Promise<number> {
  const readings = [server.rssKb()];
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    await sleep(500);
    readings.push(server.rssKb());
    const last = readings.slice(-3);
    if (last.length === 3 && Math.max(...last) - Math.min(...last) <= Math.max(...last) * 0.01) break;
  }
  return readings[readings.length - 1];
}
