/**
 * One workflow run: its history, its workflow-task state machine, its pending activities and timers, and the
 * events that arrive while a workflow task is in flight (held back and written after the task completes, as
 * Temporal does).
 */
import { randomUUID } from 'node:crypto';
import { enums, EventType, Failure, Header, HistoryEvent, Memo, Payloads, SearchAttributes, WorkflowQuery, msToDuration, msToTimestamp } from '../proto';
import type { Clock, TimerHandle } from './clock';
import { History, EventAttributes, EventAttributesKey } from './history';
import type { Matching } from './matching';
import type { NormalizedRetryPolicy } from './retry-policy';
import { encodeTaskToken } from './task-token';

export type QueryOutcome = { answer: Payloads | null | undefined } | { errorMessage: string; failure?: Failure | null };

export interface PendingQuery {
  readonly id: string;
  readonly query: WorkflowQuery;
  answer(outcome: QueryOutcome): void;
}

export interface WorkflowTask {
  state: 'scheduled' | 'started';
  scheduledEventId: number;
  startedEventId: number;
  attempt: number;
  scheduledMs: number;
  startedMs: number;
  identity: string;
  timeout?: TimerHandle;
  /** While the task waits on a sticky queue: when it moves to the normal queue. */
  stickyTimeout?: TimerHandle;
  /** Queries delivered with this task (the `queries` map of the poll response). */
  readonly queries: Map<string, PendingQuery>;
}

export interface ActivityState {
  readonly activityId: string;
  readonly activityType: string;
  readonly scheduledEventId: number;
  readonly taskQueue: string;
  readonly input: Payloads | null | undefined;
  readonly header: Header | null | undefined;
  readonly scheduleToCloseMs: number;
  readonly scheduleToStartMs: number;
  readonly startToCloseMs: number;
  readonly heartbeatMs: number;
  readonly retry: NormalizedRetryPolicy;
  readonly scheduledMs: number;
  /** 0 = no expiration. */
  readonly expirationMs: number;
  attempt: number;
  state: 'scheduled' | 'started' | 'backoff';
  currentAttemptScheduledMs: number;
  startedMs: number;
  startedIdentity: string;
  lastWorkerIdentity: string;
  lastFailure: Failure | undefined;
  lastAttemptCompleteMs: number;
  heartbeatDetails: Payloads | undefined;
  lastHeartbeatMs: number;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  /** Timers of the current attempt (start-to-close, heartbeat, retry backoff); cancelled when the attempt ends. */
  attemptTimers: TimerHandle[];
  /** Schedule-to-start and schedule-to-close timers, for the whole activity. */
  activityTimers: TimerHandle[];
}

export interface RunEnvironment {
  readonly clock: Clock;
  readonly matching: Matching;
  log(line: string): void;
  /** Called once when the run closes, after its closing event is written. */
  onRunClosed(run: WorkflowRun): void;
}

export interface RunParams {
  namespace: string;
  workflowId: string;
  runId?: string;
  firstExecutionRunId?: string;
  workflowType: string;
  taskQueue: string;
  workflowTaskTimeoutMs: number;
  runTimeoutMs: number;
  executionTimeoutMs: number;
  /** Absolute end of the whole workflow execution (across runs), 0 = none. */
  executionExpirationMs: number;
  retryPolicy: NormalizedRetryPolicy | undefined;
  attempt: number;
  memo: Memo | undefined;
  searchAttributes: SearchAttributes | undefined;
  parentRunId?: string;
}

export interface HeldBackEvent {
  type: EventType;
  key: EventAttributesKey;
  attributes: EventAttributes<EventAttributesKey>;
  /** Lets a command cancel a held-back event (a timer that fired during the task, then got cancelled by it). */
  tag?: string;
  /** The event's `startedEventId` is the id of the event written just before it (activity Started → closing). */
  startedByPrevious?: boolean;
}

const Status = enums.WorkflowExecutionStatus;

export class WorkflowRun {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly firstExecutionRunId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly workflowTaskTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly executionTimeoutMs: number;
  readonly executionExpirationMs: number;
  readonly retryPolicy: NormalizedRetryPolicy | undefined;
  readonly attempt: number;
  readonly history: History;
  readonly startMs: number;
  memo: Memo | undefined;
  searchAttributes: SearchAttributes | undefined;
  /** When the first workflow task may run (start delay); equals startMs otherwise. */
  executionMs: number;
  status: enums.WorkflowExecutionStatus = Status.WORKFLOW_EXECUTION_STATUS_RUNNING;
  closeMs = 0;
  /** Request ids already applied to this run (start, signals, signal-with-start), for idempotency. */
  readonly requestIds = new Set<string>();
  /** The request id of the start that created this run, if a client started it. */
  startRequestId = '';
  cancelRequested = false;

  wft: WorkflowTask | undefined;
  /** The worker-specific queue the next task goes to, set by the last completed task (stickyAttributes). */
  sticky: { name: string; scheduleToStartMs: number } | undefined;
  /** Consecutive failed or timed-out workflow task attempts. */
  private wftFailures = 0;
  /** A new workflow task is wanted once the in-flight one finishes. */
  private wftWanted = false;
  lastCompletedStartedEventId = 0;
  private heldBack: HeldBackEvent[] = [];
  /** Queries that arrived while a task was started: they ride the next task, or go out alone. */
  heldBackQueries: PendingQuery[] = [];

  readonly activities = new Map<number, ActivityState>();
  readonly timers = new Map<string, { startedEventId: number; handle: TimerHandle }>();
  private runTimer: TimerHandle | undefined;
  private readonly lockKeys = new Set<string>();

  constructor(
    readonly env: RunEnvironment,
    params: RunParams,
  ) {
    this.namespace = params.namespace;
    this.workflowId = params.workflowId;
    this.runId = params.runId ?? randomUUID();
    this.firstExecutionRunId = params.firstExecutionRunId ?? this.runId;
    this.workflowType = params.workflowType;
    this.taskQueue = params.taskQueue;
    this.workflowTaskTimeoutMs = params.workflowTaskTimeoutMs;
    this.runTimeoutMs = params.runTimeoutMs;
    this.executionTimeoutMs = params.executionTimeoutMs;
    this.executionExpirationMs = params.executionExpirationMs;
    this.retryPolicy = params.retryPolicy;
    this.attempt = params.attempt;
    this.memo = params.memo;
    this.searchAttributes = params.searchAttributes;
    this.history = new History(() => env.clock.now());
    this.startMs = env.clock.now();
    this.executionMs = this.startMs;
  }

  get isOpen(): boolean {
    return this.status === Status.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  get execution(): { workflowId: string; runId: string } {
    return { workflowId: this.workflowId, runId: this.runId };
  }

  now(): number {
    return this.env.clock.now();
  }

  append<K extends EventAttributesKey>(type: EventType, key: K, attributes: EventAttributes<K>): HistoryEvent {
    return this.history.append(type, key, attributes);
  }

  /**
   * Writes an event caused by something outside the workflow task (signal, activity result, timer...). While a
   * task is started the event is held back until that task completes; otherwise it is written and a task scheduled.
   */
  addExternalEvent<K extends EventAttributesKey>(type: EventType, key: K, attributes: EventAttributes<K>, tag?: string): void {
    this.addExternalEvents([{ type, key, attributes, tag }]);
  }

  /** Several events that belong together (an activity's Started and its closing event) and one task for them. */
  addExternalEvents(events: HeldBackEvent[]): void {
    if (!this.isOpen) return;
    if (this.wft?.state === 'started') {
      this.heldBack.push(...events);
      return;
    }
    this.writeEvents(events);
    this.scheduleWorkflowTask();
  }

  private writeEvents(events: HeldBackEvent[]): void {
    for (const e of events) {
      const attributes = e.startedByPrevious ? { ...e.attributes, startedEventId: this.history.lastEventId } : e.attributes;
      this.history.append(e.type, e.key, attributes);
    }
  }

  /** Removes a held-back event by tag and returns it. */
  dropHeldBackEvent(tag: string): HeldBackEvent | undefined {
    const index = this.heldBack.findIndex((e) => e.tag === tag);
    return index < 0 ? undefined : this.heldBack.splice(index, 1)[0];
  }

  hasHeldBackEvents(): boolean {
    return this.heldBack.length > 0;
  }

  /** Writes the held-back events; returns whether there were any. */
  flushHeldBackEvents(): boolean {
    const events = this.heldBack;
    this.heldBack = [];
    this.writeEvents(events);
    return events.length > 0;
  }

  // ---- locks -------------------------------------------------------------------------------------------------

  hold(what: string): void {
    const key = `${this.runId}/${what}`;
    this.lockKeys.add(key);
    this.env.clock.hold(key);
  }

  release(what: string): void {
    const key = `${this.runId}/${what}`;
    this.lockKeys.delete(key);
    this.env.clock.release(key);
  }

  // ---- workflow tasks ----------------------------------------------------------------------------------------

  /** Schedules a workflow task unless one is already scheduled; if one is started, another follows it. */
  scheduleWorkflowTask(): void {
    if (!this.isOpen) return;
    if (this.wft) {
      if (this.wft.state === 'started') this.wftWanted = true;
      return;
    }
    const attempt = this.wftFailures + 1;
    const sticky = this.sticky;
    // As the Go server records it: the queue the task is offered on, the sticky one when there is one.
    const taskQueue = sticky
      ? { name: sticky.name, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: this.taskQueue }
      : { name: this.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
    const scheduled = this.append(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 'workflowTaskScheduledEventAttributes', {
      taskQueue,
      startToCloseTimeout: msToDuration(this.workflowTaskTimeoutMs),
      attempt,
    });
    const wft: WorkflowTask = {
      state: 'scheduled',
      scheduledEventId: scheduled.eventId!,
      startedEventId: 0,
      attempt,
      scheduledMs: this.now(),
      startedMs: 0,
      identity: '',
      queries: new Map(),
    };
    for (const query of this.heldBackQueries.splice(0)) wft.queries.set(query.id, query);
    this.wft = wft;
    this.hold('wft');
    if (!sticky) {
      this.enqueueOnNormalQueue(wft);
      return;
    }
    // The worker that ran the last task has the workflow cached: offer it there first. If it does not take it in
    // time (it died, or is busy), the task goes to the normal queue, as Temporal does.
    this.env.matching.add(this.namespace, 'workflow', sticky.name, { dispatch: (identity) => this.startWorkflowTask(wft, identity, true) });
    wft.stickyTimeout = this.env.clock.schedule(this.now() + sticky.scheduleToStartMs, () => {
      if (this.wft !== wft || wft.state !== 'scheduled' || !this.isOpen) return;
      // Like the Go server: the sticky attempt times out and a new task is scheduled on the normal queue.
      this.endWorkflowTask();
      this.sticky = undefined;
      this.heldBackQueries.unshift(...wft.queries.values());
      this.append(EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, 'workflowTaskTimedOutEventAttributes', {
        scheduledEventId: wft.scheduledEventId,
        startedEventId: 0,
        timeoutType: enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
      });
      this.scheduleWorkflowTask();
    });
  }

  private enqueueOnNormalQueue(wft: WorkflowTask): void {
    this.env.matching.add(this.namespace, 'workflow', this.taskQueue, { dispatch: (identity) => this.startWorkflowTask(wft, identity, false) });
  }

  /** The sticky queue's worker is gone (ShutdownWorker): a task waiting there moves to the normal queue now. */
  dropStickyQueue(name: string): void {
    if (this.sticky?.name !== name) return;
    this.sticky = undefined;
    const wft = this.wft;
    if (wft?.state === 'scheduled') {
      wft.stickyTimeout?.cancel();
      this.enqueueOnNormalQueue(wft);
    }
  }

  private startWorkflowTask(wft: WorkflowTask, identity: string, onSticky: boolean): object | undefined {
    if (!this.isOpen || this.wft !== wft || wft.state !== 'scheduled') return undefined;
    const started = this.append(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 'workflowTaskStartedEventAttributes', {
      scheduledEventId: wft.scheduledEventId,
      identity,
      requestId: randomUUID(),
      historySizeBytes: this.history.bytes,
      suggestContinueAsNew: this.history.length >= 4096 || this.history.bytes >= 4 * 1024 * 1024,
    });
    wft.state = 'started';
    wft.stickyTimeout?.cancel();
    wft.startedEventId = started.eventId!;
    wft.startedMs = this.now();
    wft.identity = identity;
    wft.timeout = this.env.clock.schedule(this.now() + this.workflowTaskTimeoutMs, () => this.timeoutWorkflowTask(wft));
    const queries: Record<string, WorkflowQuery> = {};
    for (const [id, pending] of wft.queries) queries[id] = pending.query;
    return {
      taskToken: encodeTaskToken({
        kind: 'workflow',
        namespace: this.namespace,
        workflowId: this.workflowId,
        runId: this.runId,
        scheduledEventId: wft.scheduledEventId,
        attempt: wft.attempt,
      }),
      workflowExecution: this.execution,
      workflowType: { name: this.workflowType },
      previousStartedEventId: this.lastCompletedStartedEventId || undefined,
      startedEventId: wft.startedEventId,
      attempt: wft.attempt,
      // A sticky worker has the run cached: it gets only what happened since the last task it completed.
      history: { events: onSticky ? this.history.events.slice(this.lastCompletedStartedEventId) : this.history.events.slice() },
      workflowExecutionTaskQueue: { name: this.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduledTime: msToTimestamp(wft.scheduledMs),
      startedTime: msToTimestamp(wft.startedMs),
      queries,
    };
  }

  /** Ends the in-flight task (any outcome): its lock, its timeout. */
  private endWorkflowTask(): WorkflowTask | undefined {
    const wft = this.wft;
    if (!wft) return undefined;
    wft.timeout?.cancel();
    wft.stickyTimeout?.cancel();
    this.wft = undefined;
    this.release('wft');
    return wft;
  }

  /** After WorkflowTaskCompleted and the command events: held-back events, the next task, held-back queries. */
  finishCompletedWorkflowTask(forceNewTask: boolean, sticky: { name: string; scheduleToStartMs: number } | undefined): { newTaskScheduled: boolean } {
    const wft = this.endWorkflowTask()!;
    this.sticky = sticky;
    this.wftFailures = 0;
    this.lastCompletedStartedEventId = wft.startedEventId;
    const hadEvents = this.flushHeldBackEvents();
    const wanted = this.wftWanted || hadEvents || forceNewTask;
    this.wftWanted = false;
    if (wanted) this.scheduleWorkflowTask();
    const newTaskScheduled = this.wft !== undefined;
    return { newTaskScheduled };
  }

  /** A failed or timed-out task: write its event, then the held-back events, and schedule the next attempt. */
  private retryWorkflowTask<K extends EventAttributesKey>(type: EventType, key: K, attributes: EventAttributes<K>): void {
    const wft = this.endWorkflowTask();
    if (!wft) return;
    // The worker's cached state is suspect after a failed or lost task: the next attempt replays in full.
    this.sticky = undefined;
    this.append(type, key, attributes);
    this.wftFailures++;
    this.flushHeldBackEvents();
    this.wftWanted = false;
    // Queries that rode the failed task ride the next attempt.
    this.heldBackQueries.unshift(...wft.queries.values());
    this.scheduleWorkflowTask();
  }

  failWorkflowTask(cause: enums.WorkflowTaskFailedCause, failure: Failure | null | undefined, identity: string): void {
    const wft = this.wft;
    if (!wft || wft.state !== 'started') return;
    this.retryWorkflowTask(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'workflowTaskFailedEventAttributes', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      cause,
      failure: failure ?? undefined,
      identity,
    });
  }

  private timeoutWorkflowTask(wft: WorkflowTask): void {
    if (this.wft !== wft || wft.state !== 'started' || !this.isOpen) return;
    this.env.log(`workflow task timed out: ${this.workflowId}/${this.runId} attempt ${wft.attempt}`);
    this.retryWorkflowTask(EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, 'workflowTaskTimedOutEventAttributes', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
    });
  }

  // ---- run timeout and closing -------------------------------------------------------------------------------

  /** Arms the run timeout: the run's own timeout, bounded by the execution's expiration. */
  armRunTimeout(onTimeout: () => void): void {
    const candidates = [this.runTimeoutMs > 0 ? this.executionMs + this.runTimeoutMs : 0, this.executionExpirationMs].filter(
      (t) => t > 0,
    );
    if (candidates.length === 0) return;
    this.runTimer = this.env.clock.schedule(Math.min(...candidates), onTimeout);
  }

  /**
   * Marks the run closed (its closing event is already written): drops every lock, timer and pending task it had,
   * wakes history long polls, and tells the store.
   */
  close(status: enums.WorkflowExecutionStatus): void {
    if (!this.isOpen) return;
    this.status = status;
    this.closeMs = this.now();
    this.runTimer?.cancel();
    this.wft?.timeout?.cancel();
    this.wft?.stickyTimeout?.cancel();
    // Queries still waiting for a task are answered by query-only tasks on the closed run (see Queries).
    this.heldBackQueries = [...(this.wft?.queries.values() ?? []), ...this.heldBackQueries];
    this.wft = undefined;
    this.heldBack = [];
    for (const timer of this.timers.values()) timer.handle.cancel();
    this.timers.clear();
    for (const activity of this.activities.values()) {
      for (const t of [...activity.attemptTimers, ...activity.activityTimers]) t.cancel();
    }
    this.activities.clear();
    for (const key of this.lockKeys) this.env.clock.release(key);
    this.lockKeys.clear();
    this.history.notify();
    this.env.onRunClosed(this);
  }
}

export function heldEvent<K extends EventAttributesKey>(type: EventType, key: K, attributes: EventAttributes<K>, tag?: string): HeldBackEvent {
  return { type, key, attributes: attributes as EventAttributes<EventAttributesKey>, tag };
}
