/** Start, signal, signal-with-start, cancel, terminate and describe workflow executions. */
import type { Handler } from '../transport/grpc-server';
import { Plain, ws, enums, EventType, msToDuration, msToTimestamp, Payloads } from '../proto';
import { notFound } from '../transport/rpc-error';
import { startWorkflow, signalRun, terminateRun } from '../core/lifecycle';
import type { WorkflowRun, ActivityState } from '../core/run';
import type { ServerState } from '../core/state';

type Execution = { workflowId?: string | null; runId?: string | null } | null | undefined;

function openRun(state: ServerState, namespace: string, execution: Execution, firstExecutionRunId?: string | null): WorkflowRun {
  let run = state.store.get(namespace, execution);
  if (firstExecutionRunId) run = state.store.currentOfChain(namespace, run.workflowId, firstExecutionRunId) ?? run;
  if (!run.isOpen) throw notFound('workflow execution already completed');
  return run;
}

export function executionInfo(run: WorkflowRun) {
  return {
    execution: run.execution,
    type: { name: run.workflowType },
    startTime: msToTimestamp(run.startMs),
    closeTime: run.isOpen ? undefined : msToTimestamp(run.closeMs),
    status: run.status,
    historyLength: run.history.length,
    executionTime: msToTimestamp(run.executionMs),
    memo: run.memo ?? { fields: {} },
    searchAttributes: run.searchAttributes ?? { indexedFields: {} },
    taskQueue: run.taskQueue,
    stateTransitionCount: run.history.length,
    historySizeBytes: run.history.bytes,
    firstRunId: run.firstExecutionRunId,
    executionDuration: run.isOpen ? undefined : msToDuration(run.closeMs - run.executionMs),
  };
}

function pendingActivityInfo(run: WorkflowRun, a: ActivityState) {
  const State = enums.PendingActivityState;
  const inBackoff = a.state === 'backoff';
  return {
    activityId: a.activityId,
    activityType: { name: a.activityType },
    state: a.cancelRequested
      ? State.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
      : a.state === 'started'
        ? State.PENDING_ACTIVITY_STATE_STARTED
        : State.PENDING_ACTIVITY_STATE_SCHEDULED,
    heartbeatDetails: a.heartbeatDetails,
    lastHeartbeatTime: a.lastHeartbeatMs ? msToTimestamp(a.lastHeartbeatMs) : undefined,
    lastStartedTime: a.startedMs ? msToTimestamp(a.startedMs) : undefined,
    attempt: a.attempt,
    maximumAttempts: a.retry.maximumAttempts,
    scheduledTime: msToTimestamp(inBackoff ? a.currentAttemptScheduledMs : a.scheduledMs),
    expirationTime: a.expirationMs ? msToTimestamp(a.expirationMs) : undefined,
    lastFailure: a.lastFailure,
    lastWorkerIdentity: a.lastWorkerIdentity,
    lastAttemptCompleteTime: a.lastAttemptCompleteMs ? msToTimestamp(a.lastAttemptCompleteMs) : undefined,
    // Only during a retry backoff, as Temporal reports it: when the next attempt goes, and the interval.
    nextAttemptScheduleTime: inBackoff && run.now() < a.currentAttemptScheduledMs ? msToTimestamp(a.currentAttemptScheduledMs) : undefined,
    currentRetryInterval: inBackoff ? msToDuration(a.currentAttemptScheduledMs - a.lastAttemptCompleteMs) : undefined,
  };
}

export function executionHandlers(state: ServerState): Record<string, Handler> {
  const { store } = state;
  return {
    StartWorkflowExecution: (req: Plain<ws.StartWorkflowExecutionRequest.$Properties>) => {
      const { run, started } = startWorkflow(store, { ...req, namespace: req.namespace ?? '' }, {
        defaultConflict: enums.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
      });
      return { runId: run.runId, started };
    },

    SignalWithStartWorkflowExecution: (req: Plain<ws.SignalWithStartWorkflowExecutionRequest.$Properties>) => {
      const { run, started } = startWorkflow(store, { ...req, namespace: req.namespace ?? '' }, {
        defaultConflict: enums.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
        signal: { signalName: req.signalName ?? '', input: req.signalInput, header: req.header, identity: req.identity },
      });
      return { runId: run.runId, started };
    },

    SignalWorkflowExecution: (req: Plain<ws.SignalWorkflowExecutionRequest.$Properties>) => {
      const run = openRun(state, req.namespace ?? '', req.workflowExecution);
      if (req.requestId && run.requestIds.has(req.requestId)) return {};
      if (req.requestId) run.requestIds.add(req.requestId);
      signalRun(run, { signalName: req.signalName ?? '', input: req.input, header: req.header, identity: req.identity });
      return {};
    },

    RequestCancelWorkflowExecution: (req: Plain<ws.RequestCancelWorkflowExecutionRequest.$Properties>) => {
      const run = openRun(state, req.namespace ?? '', req.workflowExecution, req.firstExecutionRunId);
      if (run.cancelRequested) return {};
      run.cancelRequested = true;
      run.addExternalEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, 'workflowExecutionCancelRequestedEventAttributes', {
        cause: req.reason ?? '',
        identity: req.identity ?? '',
      });
      return {};
    },

    TerminateWorkflowExecution: (req: Plain<ws.TerminateWorkflowExecutionRequest.$Properties>) => {
      const run = openRun(state, req.namespace ?? '', req.workflowExecution, req.firstExecutionRunId);
      terminateRun(run, req.reason ?? '', req.details as Payloads | undefined, req.identity ?? '');
      return {};
    },

    DescribeWorkflowExecution: (req: Plain<ws.DescribeWorkflowExecutionRequest.$Properties>) => {
      const run = store.get(req.namespace ?? '', req.execution);
      const wft = run.wft;
      return {
        executionConfig: {
          taskQueue: { name: run.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          workflowExecutionTimeout: msToDuration(run.executionTimeoutMs),
          workflowRunTimeout: msToDuration(run.runTimeoutMs),
          defaultWorkflowTaskTimeout: msToDuration(run.workflowTaskTimeoutMs),
        },
        workflowExecutionInfo: executionInfo(run),
        pendingActivities: [...run.activities.values()].map((a) => pendingActivityInfo(run, a)),
        pendingWorkflowTask: wft
          ? {
              state:
                wft.state === 'started'
                  ? enums.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
                  : enums.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
              scheduledTime: msToTimestamp(wft.scheduledMs),
              originalScheduledTime: msToTimestamp(wft.scheduledMs),
              startedTime: wft.startedMs ? msToTimestamp(wft.startedMs) : undefined,
              attempt: wft.attempt,
            }
          : undefined,
      };
    },
  };
}
