/**
 * RespondWorkflowTaskCompleted: validates the commands, writes WorkflowTaskCompleted and each command's events,
 * then the events held back while the task ran, and schedules the next task when something is left to process.
 * A command this server does not support fails the workflow task with a message naming it.
 */
import { status } from '@grpc/grpc-js';
import { Command, Duration, EventType, Payloads, SearchAttributes, enums, durationToMs, Failure } from '../proto';
import { RpcError, invalidArgument } from '../transport/rpc-error';
import { requestCancelActivity, scheduleActivity, validateScheduleActivity } from './activities';
import { cancelRun, completeRun, continueRun, failRun } from './lifecycle';
import type { Queries } from './queries';
import type { WorkflowRun } from './run';
import type { Store } from './store';

const CommandType = enums.CommandType;
/** The SDKs' default for how long a task waits for the sticky worker before going to the normal queue. */
const DEFAULT_STICKY_SCHEDULE_TO_START_MS = 10_000;
const Cause = enums.WorkflowTaskFailedCause;

const CLOSING_COMMANDS = new Set<enums.CommandType>([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

const SUPPORTED_COMMANDS = new Set<enums.CommandType>([
  ...CLOSING_COMMANDS,
  CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
  CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
  CommandType.COMMAND_TYPE_START_TIMER,
  CommandType.COMMAND_TYPE_CANCEL_TIMER,
  CommandType.COMMAND_TYPE_RECORD_MARKER,
  CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
]);

/** A command that cannot be applied: the task fails with `cause` and the worker gets INVALID_ARGUMENT. */
class BadCommand extends Error {
  constructor(
    readonly failedCause: enums.WorkflowTaskFailedCause,
    message: string,
  ) {
    super(message);
  }
}

export interface CompletionRequest {
  commands?: Command[] | null;
  identity?: string | null;
  forceCreateNewWorkflowTask?: boolean | null;
  binaryChecksum?: string | null;
  sdkMetadata?: object | null;
  meteringMetadata?: object | null;
  messages?: unknown[] | null;
  stickyAttributes?: { workerTaskQueue?: { name?: string | null } | null; scheduleToStartTimeout?: Duration | null } | null;
  queryResults?: Record<string, { resultType?: enums.QueryResultType | null; answer?: Payloads | null; errorMessage?: string | null; failure?: Failure | null }> | null;
}

function commandName(type: enums.CommandType | null | undefined): string {
  return enums.CommandType[type ?? 0] ?? `command type ${type}`;
}

function validate(run: WorkflowRun, commands: Command[], messages: unknown[]): void {
  if (messages.length > 0) {
    throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED, 'Workflow updates (protocol messages) are not supported by the embedded dev server.');
  }
  const timerIds = new Set(run.timers.keys());
  commands.forEach((command, index) => {
    const type = command.commandType ?? CommandType.COMMAND_TYPE_UNSPECIFIED;
    if (!SUPPORTED_COMMANDS.has(type)) {
      throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED, `${commandName(type)} is not supported by the embedded dev server.`);
    }
    if (CLOSING_COMMANDS.has(type) && index !== commands.length - 1) {
      throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES, `${commandName(type)} must be the last command.`);
    }
    if (type === CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK) {
      try {
        validateScheduleActivity(run, command.scheduleActivityTaskCommandAttributes ?? {});
      } catch (err) {
        throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, (err as Error).message);
      }
    }
    if (type === CommandType.COMMAND_TYPE_START_TIMER) {
      const attrs = command.startTimerCommandAttributes;
      if (!attrs?.timerId) throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, 'TimerId is not set on StartTimerCommand.');
      if (timerIds.has(attrs.timerId)) throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID, `Timer ID ${attrs.timerId} is already in use.`);
      if (durationToMs(attrs.startToFireTimeout) <= 0) {
        throw new BadCommand(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, 'A valid StartToFireTimeout is not set on StartTimerCommand.');
      }
      timerIds.add(attrs.timerId);
    }
  });
}

export function completeWorkflowTask(store: Store, queries: Queries, run: WorkflowRun, request: CompletionRequest): void {
  const wft = run.wft!;
  const identity = request.identity ?? '';
  for (const [id, result] of Object.entries(request.queryResults ?? {})) queries.answer(id, result);
  const commands = request.commands ?? [];
  try {
    validate(run, commands, request.messages ?? []);
  } catch (err) {
    if (!(err instanceof BadCommand)) throw err;
    run.failWorkflowTask(err.failedCause, { message: err.message, applicationFailureInfo: {} }, identity);
    store.log(`workflow task failed for ${run.workflowId}: ${err.message}`);
    throw invalidArgument(err.message);
  }
  const closes = commands.some((c) => CLOSING_COMMANDS.has(c.commandType ?? 0));
  if (closes && run.hasHeldBackEvents()) {
    // New events arrived while the task ran: the workflow must see them before it may close.
    run.failWorkflowTask(Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, { message: 'UnhandledCommand', applicationFailureInfo: {} }, identity);
    throw new RpcError(status.INVALID_ARGUMENT, 'UnhandledCommand');
  }
  const completed = run.append(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 'workflowTaskCompletedEventAttributes', {
    scheduledEventId: wft.scheduledEventId,
    startedEventId: wft.startedEventId,
    identity,
    binaryChecksum: request.binaryChecksum ?? undefined,
    sdkMetadata: request.sdkMetadata ?? undefined,
    meteringMetadata: request.meteringMetadata ?? undefined,
  });
  const completedId = completed.eventId!;
  // Even when a command closes the run: query-only tasks on the closed run name this as the last completed task.
  run.lastCompletedStartedEventId = wft.startedEventId;
  let needsTask = false;
  for (const command of commands) {
    needsTask = applyCommand(store, run, command, completedId, identity) || needsTask;
    if (!run.isOpen) break;
  }
  if (!run.isOpen) return;
  const stickyQueue = request.stickyAttributes?.workerTaskQueue?.name;
  const sticky = stickyQueue
    ? { name: stickyQueue, scheduleToStartMs: durationToMs(request.stickyAttributes?.scheduleToStartTimeout) || DEFAULT_STICKY_SCHEDULE_TO_START_MS }
    : undefined;
  const { newTaskScheduled } = run.finishCompletedWorkflowTask(Boolean(request.forceCreateNewWorkflowTask) || needsTask, sticky);
  if (!newTaskScheduled) queries.sendAlone(run, run.heldBackQueries.splice(0));
}

/** Applies one validated command; returns true when its events need a new workflow task. */
function applyCommand(store: Store, run: WorkflowRun, command: Command, completedId: number, identity: string): boolean {
  switch (command.commandType) {
    case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      scheduleActivity(run, command.scheduleActivityTaskCommandAttributes!, completedId);
      return false;
    case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
      const before = run.history.lastEventId;
      requestCancelActivity(run, command.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0, completedId);
      // An activity that was not running is cancelled at once: the workflow must learn it in a new task.
      return run.history.lastEventId - before > 1;
    }
    case CommandType.COMMAND_TYPE_START_TIMER:
      startTimer(run, command, completedId);
      return false;
    case CommandType.COMMAND_TYPE_CANCEL_TIMER:
      return cancelTimer(run, command.cancelTimerCommandAttributes?.timerId ?? '', completedId, identity);
    case CommandType.COMMAND_TYPE_RECORD_MARKER: {
      const attrs = command.recordMarkerCommandAttributes ?? {};
      run.append(EventType.EVENT_TYPE_MARKER_RECORDED, 'markerRecordedEventAttributes', {
        markerName: attrs.markerName,
        details: attrs.details ?? undefined,
        header: attrs.header ?? undefined,
        failure: attrs.failure ?? undefined,
        workflowTaskCompletedEventId: completedId,
      });
      return false;
    }
    case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const attrs = command.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes ?? {};
      run.searchAttributes = mergeIndexedFields(run.searchAttributes, attrs);
      run.append(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, 'upsertWorkflowSearchAttributesEventAttributes', {
        searchAttributes: attrs,
        workflowTaskCompletedEventId: completedId,
      });
      return false;
    }
    case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
      const memo = command.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo ?? {};
      run.memo = mergeFields(run.memo, memo);
      run.append(EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, 'workflowPropertiesModifiedEventAttributes', {
        upsertedMemo: memo,
        workflowTaskCompletedEventId: completedId,
      });
      return false;
    }
    case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      completeRun(run, command.completeWorkflowExecutionCommandAttributes?.result, completedId);
      return false;
    case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      failRun(store, run, command.failWorkflowExecutionCommandAttributes?.failure, completedId);
      return false;
    case CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      cancelRun(run, command.cancelWorkflowExecutionCommandAttributes?.details, completedId);
      return false;
    case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      continueRun(store, run, { command: command.continueAsNewWorkflowExecutionCommandAttributes ?? {} }, completedId);
      return false;
    default:
      return false;
  }
}

function startTimer(run: WorkflowRun, command: Command, completedId: number): void {
  const attrs = command.startTimerCommandAttributes!;
  const timerId = attrs.timerId!;
  const started = run.append(EventType.EVENT_TYPE_TIMER_STARTED, 'timerStartedEventAttributes', {
    timerId,
    startToFireTimeout: attrs.startToFireTimeout,
    workflowTaskCompletedEventId: completedId,
  });
  const startedEventId = started.eventId!;
  const handle = run.env.clock.schedule(run.now() + durationToMs(attrs.startToFireTimeout), () => {
    if (run.timers.get(timerId)?.startedEventId !== startedEventId) return;
    run.timers.delete(timerId);
    run.addExternalEvent(EventType.EVENT_TYPE_TIMER_FIRED, 'timerFiredEventAttributes', { timerId, startedEventId }, `timer:${timerId}`);
  });
  run.timers.set(timerId, { startedEventId, handle });
}

/** Cancels a pending timer, or one that fired while this task ran (its held-back TimerFired is dropped). */
function cancelTimer(run: WorkflowRun, timerId: string, completedId: number, identity: string): boolean {
  const pending = run.timers.get(timerId);
  let startedEventId: number | undefined;
  if (pending) {
    pending.handle.cancel();
    run.timers.delete(timerId);
    startedEventId = pending.startedEventId;
  } else {
    const fired = run.dropHeldBackEvent(`timer:${timerId}`);
    startedEventId = (fired?.attributes as { startedEventId?: number } | undefined)?.startedEventId;
  }
  if (startedEventId === undefined) return false; // already fired and delivered: nothing to cancel
  run.append(EventType.EVENT_TYPE_TIMER_CANCELED, 'timerCanceledEventAttributes', { timerId, startedEventId, workflowTaskCompletedEventId: completedId, identity });
  return false;
}

function mergeFields<T extends { fields?: Record<string, unknown> | null }>(current: T | undefined, update: T): T {
  return { ...current, fields: { ...(current?.fields ?? {}), ...(update.fields ?? {}) } } as T;
}

/** Upserted search attributes: a value with no data (an empty list) removes the attribute. */
function mergeIndexedFields(current: SearchAttributes | undefined, update: SearchAttributes): SearchAttributes {
  const fields = { ...(current?.indexedFields ?? {}), ...(update.indexedFields ?? {}) };
  for (const [name, payload] of Object.entries(fields)) {
    const data = payload?.data ? Buffer.from(payload.data).toString() : '';
    if (!data || data === '[]' || data === 'null') delete fields[name];
  }
  return { indexedFields: fields };
}

