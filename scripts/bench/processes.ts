/**
 * The service's processes in each phase of the bench. One API runs at a time: its dispatcher starts every entry of
 * the shared outbox, with the retry policy and the task queue of its own configuration.
 */
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { sleep, type ServiceStack } from '../chaos/stack';
import type { ServiceProcess } from '../chaos/services';

/** The intake phase's workflows are started here, where no worker polls: they wait, and deliver nothing. */
const UNDELIVERED_QUEUE = 'bench-intake-undelivered';
/** The service's queue (the configuration's default), which the second worker shares. */
const SERVICE_QUEUE = loadConfig({}).TEMPORAL_TASK_QUEUE;

export class BenchProcesses {
  private bareWorker?: ServiceProcess;
  private secondWorker?: ServiceProcess;

  constructor(private readonly stack: ServiceStack) {}

  /** What runs now (the phase's processes). */
  running(): ServiceProcess[] {
    return [this.stack.api, this.stack.worker, this.bareWorker, this.secondWorker].flatMap((service) => (service ? [service] : []));
  }

  /** The API alone, its workflows started on a queue that no worker polls: intake, with the dispatcher at work. */
  async intake(): Promise<void> {
    await this.stack.startApi({ TEMPORAL_TASK_QUEUE: UNDELIVERED_QUEUE });
  }

  /** The API and one worker as `npm run api` and `npm run worker` run by default; the bare workflows' worker. */
  async delivery(): Promise<ServiceProcess[]> {
    await this.stack.stopServices();
    await this.stack.startApi();
    this.stack.startWorker();
    this.bareWorker = this.stack.startScript('bare-worker', 'scripts/bench/bare-worker.ts');
    return this.running();
  }

  /**
   * A second `npm run worker` on the service's task queue; resolves, with the identities of the workers, once
   * Temporal sees both polling it.
   */
  async addSecondWorker(client: Client): Promise<{ running: ServiceProcess[]; workers: string[] }> {
    this.secondWorker = this.stack.startScript('worker-2', 'src/worker.ts');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const workers = await pollingWorkers(client);
      if (workers.length >= 2) return { running: this.running(), workers };
      if (Date.now() > deadline) throw new Error(`the second worker did not poll ${SERVICE_QUEUE} within 120 s`);
      await sleep(500);
    }
  }

  /**
   * A fresh API and worker whose deliveries retry a failed attempt only after an hour (a publisher answering 503
   * parks its callbacks); everything else stopped, so that only they hold memory for the parked callbacks.
   */
  async parking(): Promise<{ running: ServiceProcess[]; api: ServiceProcess; worker: ServiceProcess }> {
    for (const script of [this.secondWorker, this.bareWorker]) if (script) await this.stack.stopScript(script);
    this.secondWorker = undefined;
    this.bareWorker = undefined;
    await this.stack.stopServices();
    await this.stack.startApi({ RETRY_INITIAL_INTERVAL: '1h' });
    this.stack.startWorker();
    const { api, worker } = this.stack;
    if (!api || !worker) throw new Error('the API or the worker did not start');
    return { running: this.running(), api, worker };
  }
}

/** The workers (their identities) that Temporal saw polling the service's queue for both workflow and activity tasks. */
async function pollingWorkers(client: Client): Promise<string[]> {
  const identities = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
    const { pollers } = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: SERVICE_QUEUE }, taskQueueType });
    return new Set((pollers ?? []).map((poller) => poller.identity ?? ''));
  };
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
  const [workflows, activities] = await Promise.all([identities(TASK_QUEUE_TYPE_WORKFLOW), identities(TASK_QUEUE_TYPE_ACTIVITY)]);
  return [...workflows].filter((identity) => activities.has(identity));
}
