/**
 * The activity state machine of a run: scheduling, dispatch to workers, heartbeats, completion, failure with the
 * server-side retry policy, the four timeouts, and cancellation. Intermediate attempts write no history; the final
 * outcome writes ActivityTaskStarted (with the final attempt number) followed by the closing event.
 */
import { EventType, Failure, Header, Payloads, RetryPolicy, Duration, enums, durationToMs, msToDuration, msToTimestamp } from '../proto';
import { invalidArgument, notFound } from '../transport/rpc-error';
import { decideRetry, normalizeActivityRetryPolicy, toProtoRetryPolicy } from './retry-policy';
import { ActivityState, HeldBackEvent, WorkflowRun, heldEvent } from './run';
import { encodeTaskToken } from './task-token';

export interface ScheduleActivityCommand {
  activityId?: string | null;
  activityType?: { name?: string | null } | null;
  taskQueue?: { name?: string | null } | null;
  header?: Header | null;
  input?: Payloads | null;
  scheduleToCloseTimeout?: Duration | null;
  scheduleToStartTimeout?: Duration | null;
  startToCloseTimeout?: Duration | null;
  heartbeatTimeout?: Duration | null;
  retryPolicy?: RetryPolicy | null;
}

const TimeoutType = enums.TimeoutType;
const RetryState = enums.RetryState;

/** Temporal's timeout normalisation; throws INVALID_ARGUMENT with Temporal's messages. */
function normalizeTimeouts(cmd: ScheduleActivityCommand, runTimeoutMs: number) {
  const raw = [cmd.scheduleToCloseTimeout, cmd.scheduleToStartTimeout, cmd.startToCloseTimeout, cmd.heartbeatTimeout].map(durationToMs);
  if (raw.some((v) => v < 0)) throw invalidArgument('Activity timeouts cannot be negative.');
  let [s2c, s2s, stc, hb] = raw;
  if (s2c > 0) {
    s2s = s2s > 0 ? Math.min(s2s, s2c) : s2c;
    stc = stc > 0 ? Math.min(stc, s2c) : s2c;
  } else if (stc > 0) {
    s2c = runTimeoutMs;
    if (s2s <= 0) s2s = runTimeoutMs;
  } else {
    throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
  }
  if (runTimeoutMs > 0) [s2c, s2s, stc, hb] = [s2c, s2s, stc, hb].map((v) => (v > 0 ? Math.min(v, runTimeoutMs) : v));
  hb = Math.min(hb, stc);
  return { s2c, s2s, stc, hb };
}

/** Validates a ScheduleActivityTask command before anything of the task's commands is written. */
export function validateScheduleActivity(run: WorkflowRun, cmd: ScheduleActivityCommand): void {
  if (!cmd.activityId) throw invalidArgument('ActivityId is not set on ScheduleActivityTaskCommand.');
  if (!cmd.activityType?.name) throw invalidArgument('ActivityType is not set on ScheduleActivityTaskCommand.');
  for (const a of run.activities.values()) {
    if (a.activityId === cmd.activityId) throw invalidArgument(`Activity ID ${cmd.activityId} is already in use by a pending activity.`);
  }
  normalizeTimeouts(cmd, run.runTimeoutMs);
  normalizeActivityRetryPolicy(cmd.retryPolicy);
}

export function scheduleActivity(run: WorkflowRun, cmd: ScheduleActivityCommand, workflowTaskCompletedEventId: number): void {
  const { s2c, s2s, stc, hb } = normalizeTimeouts(cmd, run.runTimeoutMs);
  const retry = normalizeActivityRetryPolicy(cmd.retryPolicy);
  const taskQueue = cmd.taskQueue?.name || run.taskQueue;
  const event = run.append(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 'activityTaskScheduledEventAttributes', {
    activityId: cmd.activityId,
    activityType: { name: cmd.activityType!.name },
    taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    header: cmd.header ?? undefined,
    input: cmd.input ?? undefined,
    scheduleToCloseTimeout: msToDuration(s2c),
    scheduleToStartTimeout: msToDuration(s2s),
    startToCloseTimeout: msToDuration(stc),
    heartbeatTimeout: msToDuration(hb),
    workflowTaskCompletedEventId,
    retryPolicy: toProtoRetryPolicy(retry),
  });
  const now = run.now();
  const activity: ActivityState = {
    activityId: cmd.activityId!,
    activityType: cmd.activityType!.name!,
    scheduledEventId: event.eventId!,
    taskQueue,
    input: cmd.input,
    header: cmd.header,
    scheduleToCloseMs: s2c,
    scheduleToStartMs: s2s,
    startToCloseMs: stc,
    heartbeatMs: hb,
    retry,
    scheduledMs: now,
    expirationMs: s2c > 0 ? now + s2c : 0,
    attempt: 1,
    state: 'scheduled',
    currentAttemptScheduledMs: now,
    startedMs: 0,
    startedIdentity: '',
    lastWorkerIdentity: '',
    lastFailure: undefined,
    lastAttemptCompleteMs: 0,
    heartbeatDetails: undefined,
    lastHeartbeatMs: 0,
    cancelRequested: false,
    attemptTimers: [],
    activityTimers: [],
  };
  run.activities.set(activity.scheduledEventId, activity);
  if (s2c > 0) {
    activity.activityTimers.push(
      run.env.clock.schedule(activity.expirationMs, () => onTimeout(run, activity, activity.attempt, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE)),
    );
  }
  enqueueAttempt(run, activity);
}

function lockName(activity: ActivityState): string {
  return `activity/${activity.scheduledEventId}`;
}

function enqueueAttempt(run: WorkflowRun, activity: ActivityState): void {
  run.hold(lockName(activity));
  const attempt = activity.attempt;
  // A schedule-to-start as long as the schedule-to-close adds nothing: that timer covers it.
  const s2c = activity.scheduleToCloseMs;
  if (activity.scheduleToStartMs > 0 && (s2c === 0 || activity.scheduleToStartMs < s2c)) {
    activity.attemptTimers.push(
      run.env.clock.schedule(run.now() + activity.scheduleToStartMs, () => {
        if (activity.state === 'scheduled') onTimeout(run, activity, attempt, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
      }),
    );
  }
  run.env.matching.add(run.namespace, 'activity', activity.taskQueue, { dispatch: (identity) => startAttempt(run, activity, attempt, identity) });
}

function isCurrent(run: WorkflowRun, activity: ActivityState, attempt: number): boolean {
  return run.isOpen && run.activities.get(activity.scheduledEventId) === activity && activity.attempt === attempt;
}

function startAttempt(run: WorkflowRun, activity: ActivityState, attempt: number, identity: string): object | undefined {
  if (!isCurrent(run, activity, attempt) || activity.state !== 'scheduled') return undefined;
  const now = run.now();
  activity.state = 'started';
  activity.startedMs = now;
  activity.startedIdentity = identity;
  activity.lastWorkerIdentity = identity;
  clearAttemptTimers(activity);
  activity.attemptTimers.push(
    run.env.clock.schedule(now + activity.startToCloseMs, () => onTimeout(run, activity, attempt, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)),
  );
  armHeartbeatTimer(run, activity);
  return {
    taskToken: encodeTaskToken({ kind: 'activity', namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, scheduledEventId: activity.scheduledEventId, attempt }),
    workflowNamespace: run.namespace,
    workflowType: { name: run.workflowType },
    workflowExecution: run.execution,
    activityType: { name: activity.activityType },
    activityId: activity.activityId,
    header: activity.header ?? undefined,
    input: activity.input ?? undefined,
    heartbeatDetails: activity.heartbeatDetails,
    scheduledTime: msToTimestamp(activity.scheduledMs),
    currentAttemptScheduledTime: msToTimestamp(activity.currentAttemptScheduledMs),
    startedTime: msToTimestamp(now),
    attempt,
    scheduleToCloseTimeout: msToDuration(activity.scheduleToCloseMs),
    startToCloseTimeout: msToDuration(activity.startToCloseMs),
    heartbeatTimeout: msToDuration(activity.heartbeatMs),
    retryPolicy: toProtoRetryPolicy(activity.retry),
  };
}

function clearAttemptTimers(activity: ActivityState): void {
  for (const t of activity.attemptTimers.splice(0)) t.cancel();
}

function armHeartbeatTimer(run: WorkflowRun, activity: ActivityState): void {
  if (activity.heartbeatMs <= 0 || activity.heartbeatMs >= activity.startToCloseMs) return;
  const attempt = activity.attempt;
  const check = (): void => {
    if (!isCurrent(run, activity, attempt) || activity.state !== 'started') return;
    const last = Math.max(activity.lastHeartbeatMs, activity.startedMs);
    const due = last + activity.heartbeatMs;
    if (run.now() >= due) onTimeout(run, activity, attempt, TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    else activity.attemptTimers.push(run.env.clock.schedule(due, check));
  };
  activity.attemptTimers.push(run.env.clock.schedule(run.now() + activity.heartbeatMs, check));
}

/** Finds the activity a task token (or an id-based request) names; NOT_FOUND when it is gone or stale. */
export function findActivity(run: WorkflowRun, scheduledEventId: number, attempt: number | undefined): ActivityState {
  const activity = run.activities.get(scheduledEventId);
  if (!run.isOpen || !activity || (attempt !== undefined && activity.attempt !== attempt) || activity.state !== 'started') {
    throw notFound('Activity task not found.');
  }
  return activity;
}

export function findActivityById(run: WorkflowRun, activityId: string): ActivityState {
  for (const activity of run.activities.values()) {
    if (activity.activityId === activityId && activity.state === 'started') return activity;
  }
  throw notFound(`Activity ${activityId} is not running.`);
}

/** The activity is over: its timers stop, it leaves the run's pending activities, and time may move again. */
function removeActivity(run: WorkflowRun, activity: ActivityState): void {
  clearAttemptTimers(activity);
  for (const t of activity.activityTimers.splice(0)) t.cancel();
  run.activities.delete(activity.scheduledEventId);
  run.release(lockName(activity));
}

function finish(run: WorkflowRun, activity: ActivityState, closing: HeldBackEvent): void {
  removeActivity(run, activity);
  // ActivityTaskStarted is transient: written only now, with the final attempt, right before the closing event,
  // which points back at it (ids are given when the events are written: they may be held back until then).
  const events: HeldBackEvent[] = [];
  const started = activity.startedMs > 0;
  if (started) {
    events.push(
      heldEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 'activityTaskStartedEventAttributes', {
        scheduledEventId: activity.scheduledEventId,
        identity: activity.startedIdentity,
        requestId: `${run.runId}-${activity.scheduledEventId}-${activity.attempt}`,
        attempt: activity.attempt,
        lastFailure: activity.lastFailure,
      }),
    );
  }
  events.push({ ...closing, startedByPrevious: started });
  run.addExternalEvents(events);
}

export function completeActivity(run: WorkflowRun, activity: ActivityState, result: Payloads | null | undefined, identity: string): void {
  finish(run, activity,
    heldEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'activityTaskCompletedEventAttributes', {
      scheduledEventId: activity.scheduledEventId,
      result: result ?? undefined,
      identity,
    }),
  );
}

export function failActivity(run: WorkflowRun, activity: ActivityState, failure: Failure | null | undefined, identity: string, heartbeat?: Payloads | null): void {
  if (heartbeat) activity.heartbeatDetails = heartbeat;
  retryOrClose(run, activity, failure ?? { message: 'activity failed', applicationFailureInfo: {} }, identity);
}

function retryOrClose(run: WorkflowRun, activity: ActivityState, failure: Failure, identity: string, timeoutType?: enums.TimeoutType): void {
  const now = run.now();
  const decision = activity.cancelRequested
    ? { state: RetryState.RETRY_STATE_CANCEL_REQUESTED }
    : decideRetry(activity.retry, activity.attempt, failure, now, activity.expirationMs);
  if ('delayMs' in decision) {
    activity.lastFailure = failure;
    activity.lastAttemptCompleteMs = now;
    activity.lastWorkerIdentity = identity || activity.lastWorkerIdentity;
    activity.state = 'backoff';
    activity.attempt++;
    clearAttemptTimers(activity);
    // Nothing runs during the backoff, so time may skip over it.
    run.release(lockName(activity));
    const attempt = activity.attempt;
    activity.currentAttemptScheduledMs = now + decision.delayMs;
    activity.attemptTimers.push(
      run.env.clock.schedule(now + decision.delayMs, () => {
        if (!isCurrent(run, activity, attempt) || activity.state !== 'backoff') return;
        activity.state = 'scheduled';
        activity.attemptTimers = [];
        enqueueAttempt(run, activity);
      }),
    );
    return;
  }
  if (timeoutType !== undefined) {
    const finalType = decision.state === RetryState.RETRY_STATE_TIMEOUT ? TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE : timeoutType;
    const timeoutFailure =
      finalType === timeoutType
        ? failure
        : timeoutFailureOf(finalType, activity, 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying', failure);
    finish(run, activity,
      heldEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, 'activityTaskTimedOutEventAttributes', {
        scheduledEventId: activity.scheduledEventId,
        failure: { ...timeoutFailure, cause: timeoutFailure.cause ?? activity.lastFailure },
        retryState: decision.state,
      }),
    );
    return;
  }
  finish(run, activity,
    heldEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, 'activityTaskFailedEventAttributes', {
      scheduledEventId: activity.scheduledEventId,
      failure,
      retryState: decision.state,
      identity,
    }),
  );
}

function timeoutFailureOf(type: enums.TimeoutType, activity: ActivityState, message?: string, cause?: Failure): Failure {
  const name = { [TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE]: 'StartToClose', [TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START]: 'ScheduleToStart', [TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE]: 'ScheduleToClose', [TimeoutType.TIMEOUT_TYPE_HEARTBEAT]: 'Heartbeat' }[type as 1 | 2 | 3 | 4];
  return {
    message: message ?? `activity ${name} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType: type, lastHeartbeatDetails: activity.heartbeatDetails },
    cause,
  };
}

function onTimeout(run: WorkflowRun, activity: ActivityState, attempt: number, type: enums.TimeoutType): void {
  if (!isCurrent(run, activity, attempt)) return;
  const failure = timeoutFailureOf(type, activity);
  if (type === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE || type === TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
    if (activity.state !== 'started') return;
    retryOrClose(run, activity, failure, activity.startedIdentity, type);
    return;
  }
  // Schedule-to-start and schedule-to-close are final.
  finish(run, activity,
    heldEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, 'activityTaskTimedOutEventAttributes', {
      scheduledEventId: activity.scheduledEventId,
      failure: { ...failure, cause: activity.lastFailure },
      retryState: RetryState.RETRY_STATE_TIMEOUT,
    }),
  );
}

export function heartbeatActivity(run: WorkflowRun, activity: ActivityState, details: Payloads | null | undefined): { cancelRequested: boolean } {
  if (details) activity.heartbeatDetails = details;
  activity.lastHeartbeatMs = run.now();
  return { cancelRequested: activity.cancelRequested };
}

/** RequestCancelActivityTask command: an activity that is not running is cancelled at once. */
export function requestCancelActivity(run: WorkflowRun, scheduledEventId: number, workflowTaskCompletedEventId: number): void {
  const requested = run.append(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, 'activityTaskCancelRequestedEventAttributes', {
    scheduledEventId,
    workflowTaskCompletedEventId,
  });
  const activity = run.activities.get(scheduledEventId);
  if (!activity) return; // it closed while the task ran: its closing event is held back and follows
  if (activity.state === 'started') {
    activity.cancelRequested = true;
    activity.cancelRequestedEventId = requested.eventId!;
    return;
  }
  removeActivity(run, activity);
  run.append(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, 'activityTaskCanceledEventAttributes', {
    scheduledEventId,
    latestCancelRequestedEventId: requested.eventId,
  });
}

export function cancelActivity(run: WorkflowRun, activity: ActivityState, details: Payloads | null | undefined, identity: string): void {
  finish(run, activity,
    heldEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, 'activityTaskCanceledEventAttributes', {
      scheduledEventId: activity.scheduledEventId,
      details: details ?? undefined,
      latestCancelRequestedEventId: activity.cancelRequestedEventId,
      identity,
    }),
  );
}
