/** Worker calls: polling, completing and failing workflow/activity/query tasks, heartbeats, shutdown; queries. */
import type { CallContext, Handler } from '../transport/grpc-server';
import { Plain, ws, enums, msToTimestamp } from '../proto';
import { invalidArgument, notFound } from '../transport/rpc-error';
import { cancelActivity, completeActivity, failActivity, findActivity, findActivityById, heartbeatActivity } from '../core/activities';
import { completeWorkflowTask } from '../core/workflow-task-completion';
import { decodeTaskToken, TaskToken } from '../core/task-token';
import type { ActivityState, WorkflowRun } from '../core/run';
import type { ServerState } from '../core/state';

type IdRequest = { namespace?: string | null; workflowId?: string | null; runId?: string | null; activityId?: string | null };

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

  const activityOf = (bytes: unknown): { run: WorkflowRun; activity: ActivityState } => {
    const token = decodeTaskToken(bytes);
    if (token.kind !== 'activity') throw invalidArgument('Not an activity task token.');
    const run = runOf(token);
    return { run, activity: findActivity(run, token.scheduledEventId, token.attempt) };
  };

  const activityById = (req: IdRequest): { run: WorkflowRun; activity: ActivityState } => {
    const run = store.get(req.namespace ?? '', { workflowId: req.workflowId, runId: req.runId });
    return { run, activity: findActivityById(run, req.activityId ?? '') };
  };

  return {
    PollWorkflowTaskQueue: async (req: Plain<ws.PollWorkflowTaskQueueRequest.$Properties>, ctx: CallContext) => {
      const namespace = req.namespace ?? '';
      state.namespaces.get(namespace);
      return (await store.matching.poll(namespace, 'workflow', req.taskQueue?.name ?? '', req.identity ?? '', ctx)) ?? {};
    },

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

    PollActivityTaskQueue: async (req: Plain<ws.PollActivityTaskQueueRequest.$Properties>, ctx: CallContext) => {
      const namespace = req.namespace ?? '';
      state.namespaces.get(namespace);
      return (await store.matching.poll(namespace, 'activity', req.taskQueue?.name ?? '', req.identity ?? '', ctx)) ?? {};
    },

    RespondActivityTaskCompleted: (req: Plain<ws.RespondActivityTaskCompletedRequest.$Properties>) => {
      const { run, activity } = activityOf(req.taskToken);
      completeActivity(run, activity, req.result, req.identity ?? '');
      return {};
    },
    RespondActivityTaskCompletedById: (req: Plain<ws.RespondActivityTaskCompletedByIdRequest.$Properties>) => {
      const { run, activity } = activityById(req);
      completeActivity(run, activity, req.result, req.identity ?? '');
      return {};
    },

    RespondActivityTaskFailed: (req: Plain<ws.RespondActivityTaskFailedRequest.$Properties>) => {
      const { run, activity } = activityOf(req.taskToken);
      failActivity(run, activity, req.failure, req.identity ?? '', req.lastHeartbeatDetails);
      return {};
    },
    RespondActivityTaskFailedById: (req: Plain<ws.RespondActivityTaskFailedByIdRequest.$Properties>) => {
      const { run, activity } = activityById(req);
      failActivity(run, activity, req.failure, req.identity ?? '', req.lastHeartbeatDetails);
      return {};
    },

    RespondActivityTaskCanceled: (req: Plain<ws.RespondActivityTaskCanceledRequest.$Properties>) => {
      const { run, activity } = activityOf(req.taskToken);
      cancelActivity(run, activity, req.details, req.identity ?? '');
      return {};
    },
    RespondActivityTaskCanceledById: (req: Plain<ws.RespondActivityTaskCanceledByIdRequest.$Properties>) => {
      const { run, activity } = activityById(req);
      cancelActivity(run, activity, req.details, req.identity ?? '');
      return {};
    },

    RecordActivityTaskHeartbeat: (req: Plain<ws.RecordActivityTaskHeartbeatRequest.$Properties>) => {
      const { run, activity } = activityOf(req.taskToken);
      return heartbeatActivity(run, activity, req.details);
    },
    RecordActivityTaskHeartbeatById: (req: Plain<ws.RecordActivityTaskHeartbeatByIdRequest.$Properties>) => {
      const { run, activity } = activityById(req);
      return heartbeatActivity(run, activity, req.details);
    },

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
