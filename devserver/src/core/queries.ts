/**
 * Workflow queries. With no workflow task outstanding (or a closed run) a query goes out alone as a query-only
 * task; a query arriving while a task is scheduled rides that task's `queries` map; while a task is started it
 * waits for the task to finish, then rides the next task or goes out alone.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { enums, WorkflowQuery, Failure } from '../proto';
import { RpcError } from '../transport/rpc-error';
import type { CallContext } from '../transport/grpc-server';
import { PendingQuery, QueryOutcome, WorkflowRun } from './run';
import type { Store } from './store';
import { encodeTaskToken } from './task-token';

const Status = enums.WorkflowExecutionStatus;
const Reject = enums.QueryRejectCondition;

export class Queries {
  private readonly pending = new Map<string, PendingQuery>();

  constructor(private readonly store: Store) {
    // A closed run has no task left to carry its waiting queries: each goes out alone.
    store.onClose((run) => this.sendAlone(run, run.heldBackQueries.splice(0)));
  }

  /** Runs a query; resolves with the answer, or rejects with the gRPC error the caller should get. */
  async query(run: WorkflowRun, query: WorkflowQuery, rejectCondition: enums.QueryRejectCondition | null | undefined, ctx: CallContext) {
    const rejected =
      !run.isOpen &&
      (rejectCondition === Reject.QUERY_REJECT_CONDITION_NOT_OPEN ||
        (rejectCondition === Reject.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && run.status !== Status.WORKFLOW_EXECUTION_STATUS_COMPLETED));
    if (rejected) return { queryRejected: { status: run.status } };
    const outcome = await new Promise<QueryOutcome>((resolve, reject) => {
      const id = randomUUID();
      const finish = (): void => {
        this.pending.delete(id);
        clearTimeout(timer);
        ctx.cancelled.removeEventListener('abort', onCancel);
      };
      const pending: PendingQuery = { id, query, answer: (o) => (finish(), resolve(o)) };
      const onCancel = (): void => (finish(), reject(new RpcError(status.CANCELLED, 'query cancelled')));
      const timeoutMs = Math.min(ctx.remainingMs(), 2 ** 31 - 1);
      const timer = setTimeout(() => (finish(), reject(new RpcError(status.DEADLINE_EXCEEDED, 'query timed out before a worker answered'))), timeoutMs);
      ctx.cancelled.addEventListener('abort', onCancel);
      this.pending.set(id, pending);
      if (run.isOpen && run.wft?.state === 'scheduled') run.wft.queries.set(id, pending);
      else if (run.isOpen && run.wft?.state === 'started') run.heldBackQueries.push(pending);
      else this.sendAlone(run, [pending]);
    });
    if ('errorMessage' in outcome) {
      const detail = temporal.api.errordetails.v1.QueryFailedFailure.encode({ failure: outcome.failure ?? undefined } as never).finish();
      throw new RpcError(status.INVALID_ARGUMENT, outcome.errorMessage, [{ type: 'temporal.api.errordetails.v1.QueryFailedFailure', value: detail }]);
    }
    return { queryResult: outcome.answer ?? undefined };
  }

  /** Query-only tasks carry the whole history and the legacy `query` field; no event is written for them. */
  sendAlone(run: WorkflowRun, queries: PendingQuery[]): void {
    for (const pending of queries) {
      this.store.matching.add(run.namespace, 'workflow', run.taskQueue, {
        dispatch: () => {
          if (!this.pending.has(pending.id)) return undefined;
          return {
            taskToken: encodeTaskToken({ kind: 'query', namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, queryId: pending.id }),
            workflowExecution: run.execution,
            workflowType: { name: run.workflowType },
            previousStartedEventId: run.lastCompletedStartedEventId || undefined,
            attempt: 1,
            history: { events: run.history.events.slice() },
            workflowExecutionTaskQueue: { name: run.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            query: pending.query,
          };
        },
      });
    }
  }

  /** An answer from RespondQueryTaskCompleted or from a completed task's queryResults. */
  answer(queryId: string, result: { resultType?: enums.QueryResultType | null; answer?: unknown; errorMessage?: string | null; failure?: Failure | null }): void {
    const pending = this.pending.get(queryId);
    if (!pending) return;
    if (result.resultType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) {
      pending.answer({ answer: result.answer as QueryOutcome extends { answer: infer A } ? A : never });
    } else {
      pending.answer({ errorMessage: result.errorMessage || 'query failed', failure: result.failure });
    }
  }
}
