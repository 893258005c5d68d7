/**
 * Starting and closing workflow runs: id reuse and conflict policies, request-id idempotency, start delay, run and
 * execution timeouts, completion, failure (with the workflow retry policy), cancellation, termination and
 * continue-as-new.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { EventType, Failure, Header, Memo, Payloads, RetryPolicy, SearchAttributes, Duration, enums, durationToMs, msToDuration, msToTimestamp } from '../proto';
import { RpcError, invalidArgument } from '../transport/rpc-error';
import { decideRetry, normalizeWorkflowRetryPolicy, toProtoRetryPolicy } from './retry-policy';
import { WorkflowRun } from './run';
import type { Store } from './store';

const Reuse = enums.WorkflowIdReusePolicy;
const Conflict = enums.WorkflowIdConflictPolicy;
const Status = enums.WorkflowExecutionStatus;

export interface StartParams {
  namespace: string;
  workflowId?: string | null;
  workflowType?: { name?: string | null } | null;
  taskQueue?: { name?: string | null } | null;
  input?: Payloads | null;
  workflowExecutionTimeout?: Duration | null;
  workflowRunTimeout?: Duration | null;
  workflowTaskTimeout?: Duration | null;
  identity?: string | null;
  requestId?: string | null;
  workflowIdReusePolicy?: enums.WorkflowIdReusePolicy | null;
  workflowIdConflictPolicy?: enums.WorkflowIdConflictPolicy | null;
  retryPolicy?: RetryPolicy | null;
  cronSchedule?: string | null;
  memo?: Memo | null;
  searchAttributes?: SearchAttributes | null;
  header?: Header | null;
  workflowStartDelay?: Duration | null;
}

/** Written right after WorkflowExecutionStarted (signal-with-start). */
export interface StartSignal {
  signalName: string;
  input?: Payloads | null;
  header?: Header | null;
  identity?: string | null;
}

const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;

function alreadyStarted(message: string, requestId: string, runId: string): RpcError {
  const detail = temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure.encode({ startRequestId: requestId, runId }).finish();
  return new RpcError(status.ALREADY_EXISTS, message, [{ type: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', value: detail }]);
}

function resolvePolicies(params: StartParams, defaultConflict: enums.WorkflowIdConflictPolicy) {
  let reuse = params.workflowIdReusePolicy || Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
  let conflict = params.workflowIdConflictPolicy || Conflict.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED;
  if (reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
    if (conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED) {
      throw invalidArgument('Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.');
    }
    reuse = Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
    conflict = Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING;
  }
  if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED) conflict = defaultConflict;
  if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING && reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) {
    throw invalidArgument('Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING.');
  }
  return { reuse, conflict };
}

function validateStart(params: StartParams): void {
  if (!params.requestId) throw invalidArgument('Missing request ID.');
  if (!params.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (!params.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!params.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  if (params.cronSchedule) throw invalidArgument('Cron schedules are not supported by the embedded dev server.');
  for (const d of [params.workflowExecutionTimeout, params.workflowRunTimeout, params.workflowTaskTimeout, params.workflowStartDelay]) {
    if (durationToMs(d) < 0) throw invalidArgument('Workflow timeouts and start delay cannot be negative.');
  }
}

/**
 * StartWorkflowExecution and the start half of SignalWithStart. Returns the run and whether it was started now.
 */
export function startWorkflow(
  store: Store,
  params: StartParams,
  options: { defaultConflict: enums.WorkflowIdConflictPolicy; signal?: StartSignal },
): { run: WorkflowRun; started: boolean } {
  validateStart(params);
  store.namespaces.get(params.namespace);
  const requestId = params.requestId!;
  const { reuse, conflict } = resolvePolicies(params, options.defaultConflict);
  const current = store.current(params.namespace, params.workflowId!);
  if (current?.requestIds.has(requestId)) return { run: current, started: current.startRequestId === requestId };
  if (current?.isOpen) {
    if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) {
      if (options.signal) signalRun(current, options.signal);
      // A retried signal-with-start must not signal twice.
      current.requestIds.add(requestId);
      return { run: current, started: false };
    }
    if (conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING) {
      throw alreadyStarted(`Workflow execution is already running. WorkflowId: ${current.workflowId}, RunId: ${current.runId}.`, requestId, current.runId);
    }
    terminateRun(current, 'TerminateIfRunning WorkflowIdReusePolicy Policy', undefined, 'history-service');
  }
  if (current) checkReuse(current, reuse, requestId);
  const run = createRun(store, params, { attempt: 1, signal: options.signal });
  run.startRequestId = requestId;
  run.requestIds.add(requestId);
  return { run, started: true };
}

function checkReuse(previous: WorkflowRun, reuse: enums.WorkflowIdReusePolicy, requestId: string): void {
  if (previous.isOpen) return;
  const failedLike = [
    Status.WORKFLOW_EXECUTION_STATUS_FAILED,
    Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
    Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
    Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
  ].includes(previous.status);
  const rejected =
    reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
    (reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY && !failedLike);
  if (rejected) {
    throw alreadyStarted(
      `Workflow execution already finished and its WorkflowIdReusePolicy does not allow reuse. WorkflowId: ${previous.workflowId}, RunId: ${previous.runId}.`,
      requestId,
      previous.runId,
    );
  }
}

interface ChainInfo {
  attempt: number;
  firstExecutionRunId?: string;
  continuedExecutionRunId?: string;
  executionExpirationMs?: number;
  backoffMs?: number;
  lastCompletionResult?: Payloads | null;
  continuedFailure?: Failure | null;
  initiator?: enums.ContinueAsNewInitiator;
  runId?: string;
  /** Signal-with-start: written right after the start, so the first workflow task sees it. */
  signal?: StartSignal;
}

/** Creates a run, writes WorkflowExecutionStarted, and schedules its first workflow task (now or after a delay). */
function createRun(store: Store, params: StartParams, chain: ChainInfo): WorkflowRun {
  const executionTimeoutMs = durationToMs(params.workflowExecutionTimeout);
  let runTimeoutMs = durationToMs(params.workflowRunTimeout);
  if (executionTimeoutMs > 0) runTimeoutMs = runTimeoutMs > 0 ? Math.min(runTimeoutMs, executionTimeoutMs) : executionTimeoutMs;
  let workflowTaskTimeoutMs = durationToMs(params.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
  workflowTaskTimeoutMs = Math.min(workflowTaskTimeoutMs, MAX_WORKFLOW_TASK_TIMEOUT_MS, runTimeoutMs || Infinity);
  const now = store.clock.now();
  const executionExpirationMs = chain.executionExpirationMs ?? (executionTimeoutMs > 0 ? now + executionTimeoutMs : 0);
  const retryPolicy = normalizeWorkflowRetryPolicy(params.retryPolicy);
  const backoffMs = chain.backoffMs ?? durationToMs(params.workflowStartDelay);
  const run = new WorkflowRun(store, {
    namespace: params.namespace,
    workflowId: params.workflowId!,
    runId: chain.runId,
    firstExecutionRunId: chain.firstExecutionRunId,
    workflowType: params.workflowType!.name!,
    taskQueue: params.taskQueue!.name!,
    workflowTaskTimeoutMs,
    runTimeoutMs,
    executionTimeoutMs,
    executionExpirationMs,
    retryPolicy,
    attempt: chain.attempt,
    memo: params.memo ?? undefined,
    searchAttributes: params.searchAttributes ?? undefined,
  });
  store.add(run);
  run.executionMs = now + backoffMs;
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 'workflowExecutionStartedEventAttributes', {
    workflowType: { name: run.workflowType },
    taskQueue: { name: run.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    input: params.input ?? undefined,
    workflowExecutionTimeout: msToDuration(executionTimeoutMs),
    workflowRunTimeout: msToDuration(runTimeoutMs),
    workflowTaskTimeout: msToDuration(workflowTaskTimeoutMs),
    continuedExecutionRunId: chain.continuedExecutionRunId,
    initiator: chain.initiator,
    continuedFailure: chain.continuedFailure ?? undefined,
    lastCompletionResult: chain.lastCompletionResult ?? undefined,
    originalExecutionRunId: run.runId,
    identity: params.identity ?? '',
    firstExecutionRunId: run.firstExecutionRunId,
    retryPolicy: retryPolicy ? toProtoRetryPolicy(retryPolicy) : undefined,
    attempt: chain.attempt,
    workflowExecutionExpirationTime: executionExpirationMs > 0 ? msToTimestamp(executionExpirationMs) : undefined,
    firstWorkflowTaskBackoff: backoffMs > 0 ? msToDuration(backoffMs) : undefined,
    memo: params.memo ?? undefined,
    searchAttributes: params.searchAttributes ?? undefined,
    header: params.header ?? undefined,
  });
  // Not through signalRun: the first workflow task is scheduled below, after any start delay.
  if (chain.signal) run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 'workflowExecutionSignaledEventAttributes', signaledAttributes(chain.signal));
  run.armRunTimeout(() => timeoutRun(store, run));
  if (backoffMs > 0) store.clock.schedule(run.executionMs, () => run.scheduleWorkflowTask());
  else run.scheduleWorkflowTask();
  return run;
}

function signaledAttributes(signal: StartSignal) {
  return { signalName: signal.signalName, input: signal.input ?? undefined, identity: signal.identity ?? '', header: signal.header ?? undefined };
}

export function signalRun(run: WorkflowRun, signal: StartSignal): void {
  run.addExternalEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 'workflowExecutionSignaledEventAttributes', signaledAttributes(signal));
}

// ---- closing ---------------------------------------------------------------------------------------------------

export function completeRun(run: WorkflowRun, result: Payloads | null | undefined, wftCompletedEventId: number): void {
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 'workflowExecutionCompletedEventAttributes', {
    result: result ?? undefined,
    workflowTaskCompletedEventId: wftCompletedEventId,
  });
  run.close(Status.WORKFLOW_EXECUTION_STATUS_COMPLETED);
}

/** A failed run is retried under its retry policy (recorded as continue-as-new, like the Java test server). */
export function failRun(store: Store, run: WorkflowRun, failure: Failure | null | undefined, wftCompletedEventId: number): void {
  const decision = retryDecision(run, failure);
  if ('delayMs' in decision) {
    continueRun(store, run, { backoffMs: decision.delayMs, attempt: run.attempt + 1, continuedFailure: failure, initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY }, wftCompletedEventId);
    return;
  }
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, 'workflowExecutionFailedEventAttributes', {
    failure: failure ?? undefined,
    retryState: decision.state,
    workflowTaskCompletedEventId: wftCompletedEventId,
  });
  run.close(Status.WORKFLOW_EXECUTION_STATUS_FAILED);
}

function retryDecision(run: WorkflowRun, failure: Failure | null | undefined) {
  if (!run.retryPolicy) return { state: enums.RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET };
  return decideRetry(run.retryPolicy, run.attempt, failure, run.now(), run.executionExpirationMs);
}

export function cancelRun(run: WorkflowRun, details: Payloads | null | undefined, wftCompletedEventId: number): void {
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, 'workflowExecutionCanceledEventAttributes', {
    details: details ?? undefined,
    workflowTaskCompletedEventId: wftCompletedEventId,
  });
  run.close(Status.WORKFLOW_EXECUTION_STATUS_CANCELED);
}

export function terminateRun(run: WorkflowRun, reason: string, details: Payloads | null | undefined, identity: string): void {
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, 'workflowExecutionTerminatedEventAttributes', {
    reason,
    details: details ?? undefined,
    identity,
  });
  run.close(Status.WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

function timeoutRun(store: Store, run: WorkflowRun): void {
  if (!run.isOpen) return;
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, 'workflowExecutionTimedOutEventAttributes', {
    retryState: enums.RetryState.RETRY_STATE_TIMEOUT,
  });
  run.close(Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
  store.log(`workflow run timed out: ${run.workflowId}/${run.runId}`);
}

export interface ContinueAsNewParams {
  workflowType?: { name?: string | null } | null;
  taskQueue?: { name?: string | null } | null;
  input?: Payloads | null;
  workflowRunTimeout?: Duration | null;
  workflowTaskTimeout?: Duration | null;
  backoffStartInterval?: Duration | null;
  retryPolicy?: RetryPolicy | null;
  header?: Header | null;
  memo?: Memo | null;
  searchAttributes?: SearchAttributes | null;
  lastCompletionResult?: Payloads | null;
}

/** Closes `run` with WorkflowExecutionContinuedAsNew and starts the next run of the chain. */
export function continueRun(
  store: Store,
  run: WorkflowRun,
  overrides: {
    command?: ContinueAsNewParams;
    backoffMs?: number;
    attempt?: number;
    continuedFailure?: Failure | null;
    initiator?: enums.ContinueAsNewInitiator;
  },
  wftCompletedEventId: number,
): WorkflowRun {
  const started = run.history.events[0].workflowExecutionStartedEventAttributes!;
  const cmd = overrides.command ?? {};
  const params: StartParams = {
    namespace: run.namespace,
    workflowId: run.workflowId,
    workflowType: cmd.workflowType?.name ? cmd.workflowType : { name: run.workflowType },
    taskQueue: cmd.taskQueue?.name ? cmd.taskQueue : { name: run.taskQueue },
    input: overrides.command ? cmd.input : started.input,
    workflowExecutionTimeout: msToDuration(run.executionTimeoutMs),
    workflowRunTimeout: cmd.workflowRunTimeout ?? msToDuration(run.runTimeoutMs),
    workflowTaskTimeout: cmd.workflowTaskTimeout ?? msToDuration(run.workflowTaskTimeoutMs),
    // A continue-as-new takes the retry policy from the command; a retry keeps the run's own.
    retryPolicy: overrides.command ? cmd.retryPolicy : started.retryPolicy,
    memo: cmd.memo ?? run.memo,
    searchAttributes: cmd.searchAttributes ?? run.searchAttributes,
    header: overrides.command ? cmd.header : started.header,
    identity: started.identity,
  };
  const backoffMs = overrides.backoffMs ?? durationToMs(cmd.backoffStartInterval);
  const next = { runId: randomUUID() };
  run.append(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, 'workflowExecutionContinuedAsNewEventAttributes', {
    newExecutionRunId: next.runId,
    workflowType: { name: params.workflowType!.name },
    taskQueue: { name: params.taskQueue!.name, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    input: params.input ?? undefined,
    workflowRunTimeout: params.workflowRunTimeout,
    workflowTaskTimeout: params.workflowTaskTimeout,
    workflowTaskCompletedEventId: wftCompletedEventId,
    backoffStartInterval: msToDuration(backoffMs),
    initiator: overrides.initiator ?? enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
    failure: overrides.continuedFailure ?? undefined,
    lastCompletionResult: cmd.lastCompletionResult ?? undefined,
    header: params.header ?? undefined,
    memo: params.memo ?? undefined,
    searchAttributes: params.searchAttributes ?? undefined,
  });
  run.close(Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
  return createRun(store, params, {
    attempt: overrides.attempt ?? 1,
    firstExecutionRunId: run.firstExecutionRunId,
    continuedExecutionRunId: run.runId,
    executionExpirationMs: run.executionExpirationMs,
    backoffMs,
    continuedFailure: overrides.continuedFailure,
    lastCompletionResult: cmd.lastCompletionResult,
    initiator: overrides.initiator ?? enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
    runId: next.runId,
  });
}
