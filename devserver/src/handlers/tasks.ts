/** Worker calls: polling, completing and failing workflow/activity/query tasks, heartbeats, shutdown; queries. */
import type { CallContext, Handler } from '../transport/grpc-server';
import { Plain, ws, enums, msToTimestamp, Failure, Payloads } from '../proto';
import { invalidArgument, notFound } from '../transport/rpc-error';
import { cancelActivity, completeActivity, failActivity, findActivity, findActivityById, heartbeatActivity } from '../core/activities';
import { completeWorkflowTask } from '../core/workflow-task-completion';
import { decodeTaskToken, TaskToken } from '../core/task-token';
import type { ActivityState, WorkflowRun } from '../core/run';
import type { ServerState } from '../core/state';
import type { TaskKind } from '../core/matching';

type ActivityRequest = {
  taskToken?: Uint8Array | null;
  namespace?: string | null;
  workflowId?: string | null;
  runId?: string | null;
  activityId?: string | null;
};
type PollRequest = { namespace?: string | null; taskQueue?: { name?: string | null } | null; identity?: string | null };

export function taskHandlers(state: ServerState): Record<string, Handler> {
  const { store, queries } = state;

  const runOf = (token: TaskToken): WorkflowRun => store.get(token.namespace, { workflowId: token.workflowId, runId: token.runId });

  /** The run whose started workflow task the token names; NOT_FOUND for a stale or unknown task. */
  const workflowTaskRun = (bytes: unknown): WorkflowRun => {
    const token = decodeTaskToken(bytes);
    if (token.kind !== 'workflow') throw invalidArgument('Not a workflow task token.');
    const run = runOf(token);
    const wft = run.wft;
    if (!run.isOpen || !wft || wft.state !== 'started' || wft.scheduledEventId !== token.scheduledEventId || wft.attempt !== token.attempt) {
      throw notFound('Workflow task not found.');
    }
    return run;
  };

  /** The running activity a request names: by task token, or (the `ById` calls) by workflow and activity id. */
  const activityFor = (req: ActivityRequest): { run: WorkflowRun; activity: ActivityState } => {
    if (req.taskToken?.length) {
      const token = decodeTaskToken(req.taskToken);
      if (token.kind !== 'activity') throw invalidArgument('Not an activity task token.');
      const run = runOf(token);
      return { run, activity: findActivity(run, token.scheduledEventId, token.attempt) };
    }
    const run = store.get(req.namespace ?? '', { workflowId: req.workflowId, runId: req.runId });
    return { run, activity: findActivityById(run, req.activityId ?? '') };
  };

  /** Long-polls a task queue; an empty response means "no task" to the SDK. */
  const poll = async (kind: TaskKind, req: PollRequest, ctx: CallContext) => {
    const namespace = req.namespace ?? '';
    state.namespaces.get(namespace);
    return (await store.matching.poll(namespace, kind, req.taskQueue?.name ?? '', req.identity ?? '', ctx)) ?? {};
  };

  // Each activity outcome is one function serving both the task-token call and its `ById` form.
  const respondCompleted = (req: ActivityRequest & { result?: Payloads | null; identity?: string | null }) => {
    const { run, activity } = activityFor(req);
    completeActivity(run, activity, req.result, req.identity ?? '');
    return {};
  };
  const respondFailed = (req: ActivityRequest & { failure?: Failure | null; identity?: string | null; lastHeartbeatDetails?: Payloads | null }) => {
    const { run, activity } = activityFor(req);
    failActivity(run, activity, req.failure, req.identity ?? '', req.lastHeartbeatDetails);
    return {};
  };
  const respondCanceled = (req: ActivityRequest & { details?: Payloads | null; identity?: string | null }) => {
    const { run, activity } = activityFor(req);
    cancelActivity(run, activity, req.details, req.identity ?? '');
    return {};
  };
  const heartbeat = (req: ActivityRequest & { details?: Payloads | null }) => {
    const { run, activity } = activityFor(req);
    return heartbeatActivity(run, activity, req.details);
  };

  return {
    PollWorkflowTaskQueue: (req: PollRequest, ctx: CallContext) => poll('workflow', req, ctx),
    PollActivityTaskQueue: (req: PollRequest, ctx: CallContext) => poll('activity', req, ctx),

    RespondWorkflowTaskCompleted: (req: Plain<ws.RespondWorkflowTaskCompletedRequest.$Properties>) => {
      const run = workflowTaskRun(req.taskToken);
      completeWorkflowTask(store, queries, run, req);
      return {};
    },

    RespondWorkflowTaskFailed: (req: Plain<ws.RespondWorkflowTaskFailedRequest.$Properties>) => {
      const run = workflowTaskRun(req.taskToken);
      run.failWorkflowTask(req.cause ?? enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED, req.failure, req.identity ?? '');
      return {};
    },

    RespondQueryTaskCompleted: (req: Plain<ws.RespondQueryTaskCompletedRequest.$Properties>) => {
      const token = decodeTaskToken(req.taskToken);
      if (token.kind !== 'query') throw invalidArgument('Not a query task token.');
      queries.answer(token.queryId, { resultType: req.completedType, answer: req.queryResult, errorMessage: req.errorMessage, failure: req.failure });
      return {};
    },

    QueryWorkflow: (req: Plain<ws.QueryWorkflowRequest.$Properties>, ctx: CallContext) => {
      const run = store.get(req.namespace ?? '', req.execution);
      if (!req.query?.queryType) throw invalidArgument('QueryType is not set on request.');
      return queries.query(run, req.query, req.queryRejectCondition, ctx);
    },

    RespondActivityTaskCompleted: respondCompleted,
    RespondActivityTaskCompletedById: respondCompleted,
    RespondActivityTaskFailed: respondFailed,
    RespondActivityTaskFailedById: respondFailed,
    RespondActivityTaskCanceled: respondCanceled,
    RespondActivityTaskCanceledById: respondCanceled,
    RecordActivityTaskHeartbeat: heartbeat,
    RecordActivityTaskHeartbeatById: heartbeat,

    /** Who polled the queue recently, and its backlog: what the Web UI's task-queue page and health checks read. */
    DescribeTaskQueue: (req: Plain<ws.DescribeTaskQueueRequest.$Properties>) => {
      const kind = req.taskQueueType === enums.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY ? 'activity' : 'workflow';
      const { pollers, backlog } = store.matching.describe(req.namespace ?? '', kind, req.taskQueue?.name ?? '');
      return {
        pollers: pollers.map((p) => ({ identity: p.identity, lastAccessTime: msToTimestamp(p.lastAccessMs), ratePerSecond: 100_000 })),
        taskQueueStatus: { backlogCountHint: backlog },
      };
    },

    ShutdownWorker: (req: Plain<ws.ShutdownWorkerRequest.$Properties>) => {
      const sticky = req.stickyTaskQueue;
      if (sticky) {
        store.matching.releasePollers(req.namespace ?? '', 'workflow', sticky);
        for (const run of store.runs(req.namespace ?? '')) if (run.isOpen) run.dropStickyQueue(sticky);
      }
      return {};
    },
  };
}
