/**
 * Task queues and long polls. A queued task is a closure that, when matched with a poller, performs the start
 * transition and returns the poll response, or undefined if it became stale meanwhile (its run closed, the activity
 * was cancelled...). Tasks are FIFO; waiting pollers are served most recent first, as in Temporal's test server.
 */
import type { CallContext } from '../transport/grpc-server';

export type TaskKind = 'workflow' | 'activity';

export interface QueuedTask {
  /** Starts the task for the poller `identity`; undefined if the task went stale while queued. */
  dispatch(identity: string): object | undefined;
}

interface Waiter {
  identity: string;
  deliver(response: object | undefined): void;
}

class TaskQueue {
  readonly tasks: QueuedTask[] = [];
  drainQueued = false;
  readonly waiters: Waiter[] = [];
  /** Poller identity → when it last polled, for DescribeTaskQueue. */
  readonly pollers = new Map<string, number>();
}

/** Longest time a poll is held before answering "no task"; like Temporal's one-minute long poll. */
const MAX_POLL_MS = 60_000;
/** Answer this long before the caller's deadline so the empty answer arrives before the caller gives up. */
const DEADLINE_MARGIN_MS = 1_000;

export class Matching {
  private readonly queues = new Map<string, TaskQueue>();

  constructor(
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  private queue(namespace: string, kind: TaskKind, name: string): TaskQueue {
    const key = `${namespace}\u0000${kind}\u0000${name}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new TaskQueue();
      this.queues.set(key, queue);
    }
    return queue;
  }

  /**
   * Queues a task. A waiting poller gets it on the next turn of the event loop, not synchronously: the caller's
   * remaining changes (a signal written right after a start, say) must land before the task starts.
   */
  add(namespace: string, kind: TaskKind, name: string, task: QueuedTask): void {
    const queue = this.queue(namespace, kind, name);
    queue.tasks.push(task);
    if (queue.waiters.length > 0 && !queue.drainQueued) {
      queue.drainQueued = true;
      setImmediate(() => this.drain(queue));
    }
  }

  private drain(queue: TaskQueue): void {
    queue.drainQueued = false;
    while (queue.waiters.length > 0 && queue.tasks.length > 0) {
      const waiter = queue.waiters[queue.waiters.length - 1];
      const response = this.dispatch(queue.tasks.shift()!, waiter.identity);
      if (!response) continue; // stale task: dropped, the poller keeps waiting
      queue.waiters.pop();
      waiter.deliver(response);
    }
  }

  /** A task whose start fails is dropped and reported, so one bad task cannot stop a queue. */
  private dispatch(task: QueuedTask, identity: string): object | undefined {
    try {
      return task.dispatch(identity);
    } catch (err) {
      this.onError(err);
      return undefined;
    }
  }

  /** Waits for a task; resolves with its poll response, or undefined when the poll times out or is cancelled. */
  poll(namespace: string, kind: TaskKind, name: string, identity: string, ctx: CallContext): Promise<object | undefined> {
    const queue = this.queue(namespace, kind, name);
    if (identity) queue.pollers.set(identity, this.now());
    while (queue.tasks.length > 0) {
      const response = this.dispatch(queue.tasks.shift()!, identity);
      if (response) return Promise.resolve(response);
    }
    const waitMs = Math.min(MAX_POLL_MS, ctx.remainingMs() - DEADLINE_MARGIN_MS);
    if (waitMs <= 0 || ctx.cancelled.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        identity,
        deliver: (response) => {
          clearTimeout(timer);
          ctx.cancelled.removeEventListener('abort', giveUp);
          resolve(response);
        },
      };
      const giveUp = (): void => {
        const index = queue.waiters.indexOf(waiter);
        if (index >= 0) queue.waiters.splice(index, 1);
        waiter.deliver(undefined);
      };
      const timer = setTimeout(giveUp, waitMs);
      ctx.cancelled.addEventListener('abort', giveUp);
      queue.waiters.push(waiter);
    });
  }

  /** Ends every poll waiting on a queue (worker shutdown of its sticky queue, or server shutdown). */
  releasePollers(namespace?: string, kind?: TaskKind, name?: string): void {
    for (const [key, queue] of this.queues) {
      if (namespace !== undefined && key !== `${namespace}\u0000${kind}\u0000${name}`) continue;
      for (const waiter of queue.waiters.splice(0)) waiter.deliver(undefined);
    }
  }

  describe(namespace: string, kind: TaskKind, name: string): { pollers: Array<{ identity: string; lastAccessMs: number }>; backlog: number } {
    const queue = this.queues.get(`${namespace}\u0000${kind}\u0000${name}`) ?? new TaskQueue();
    return {
      pollers: [...queue.pollers].map(([identity, lastAccessMs]) => ({ identity, lastAccessMs })),
      backlog: queue.tasks.length,
    };
  }
}
