/** ListWorkflowExecutions / CountWorkflowExecutions over the in-memory runs, and the search-attribute registry. */
import { status } from '@grpc/grpc-js';
import type { Handler } from '../transport/grpc-server';
import { Plain, ws, enums, decodeJsonPayload } from '../proto';
import { RpcError, invalidArgument } from '../transport/rpc-error';
import { compileVisibilityQuery, VisibilityQueryError, VisibilityRecord } from '../visibility/query';
import { SYSTEM_SEARCH_ATTRIBUTES } from '../core/namespaces';
import type { WorkflowRun } from '../core/run';
import type { ServerState } from '../core/state';
import { executionInfo } from './executions';

const STATUS_NAMES: Record<number, VisibilityRecord['executionStatus']> = {
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING]: 'Running',
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'Completed',
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED]: 'Failed',
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'Canceled',
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'Terminated',
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'ContinuedAsNew',
  [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'TimedOut',
};

function recordOf(run: WorkflowRun): VisibilityRecord {
  const searchAttributes: Record<string, unknown> = {};
  for (const [name, payload] of Object.entries(run.searchAttributes?.indexedFields ?? {})) {
    searchAttributes[name] = decodeJsonPayload(payload);
  }
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    executionStatus: STATUS_NAMES[run.status],
    startTime: run.startMs,
    closeTime: run.isOpen ? undefined : run.closeMs,
    executionTime: run.executionMs,
    searchAttributes,
  };
}

function sortKey(record: VisibilityRecord, field: string): unknown {
  const system: Record<string, unknown> = {
    WorkflowId: record.workflowId,
    RunId: record.runId,
    WorkflowType: record.workflowType,
    TaskQueue: record.taskQueue,
    ExecutionStatus: record.executionStatus,
    StartTime: record.startTime,
    CloseTime: record.closeTime,
    ExecutionTime: record.executionTime,
  };
  return field in system ? system[field] : record.searchAttributes[field];
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  return (a as number) < (b as number) ? -1 : 1;
}

/** Matching runs, newest start first unless the query orders otherwise. */
function select(state: ServerState, namespaceName: string, query: string): WorkflowRun[] {
  const namespace = state.namespaces.get(namespaceName);
  let compiled;
  try {
    compiled = compileVisibilityQuery(query, state.namespaces.customAttributeTypes(namespace));
  } catch (err) {
    if (err instanceof VisibilityQueryError) throw invalidArgument(`invalid query: ${err.message}`);
    throw err;
  }
  const rows = state.store.runs(namespace.name).map((run) => ({ run, record: recordOf(run) })).filter((r) => compiled.matches(r.record));
  const order = compiled.orderBy ?? [{ field: 'StartTime', desc: true }];
  rows.sort((x, y) => {
    for (const { field, desc } of order) {
      const c = compare(sortKey(x.record, field), sortKey(y.record, field));
      if (c !== 0) return desc ? -c : c;
    }
    return x.run.runId < y.run.runId ? -1 : 1;
  });
  return rows.map((r) => r.run);
}

export function visibilityHandlers(state: ServerState): Record<string, Handler> {
  return {
    ListWorkflowExecutions: (req: Plain<ws.ListWorkflowExecutionsRequest.$Properties>) => {
      const runs = select(state, req.namespace ?? '', req.query ?? '');
      const offset = req.nextPageToken?.length ? Number(Buffer.from(req.nextPageToken).toString()) || 0 : 0;
      const pageSize = req.pageSize || 1000;
      const page = runs.slice(offset, offset + pageSize);
      const end = offset + page.length;
      return { executions: page.map(executionInfo), nextPageToken: end < runs.length ? Buffer.from(String(end)) : undefined };
    },
    CountWorkflowExecutions: (req: Plain<ws.CountWorkflowExecutionsRequest.$Properties>) => ({
      count: select(state, req.namespace ?? '', req.query ?? '').length,
    }),
    GetSearchAttributes: () => ({ keys: searchAttributeTypes(state, 'default') }),
  };
}

function searchAttributeTypes(state: ServerState, namespaceName: string): Record<string, enums.IndexedValueType> {
  const namespace = state.namespaces.get(namespaceName);
  return { ...SYSTEM_SEARCH_ATTRIBUTES, ...Object.fromEntries(namespace.searchAttributes) };
}

export function operatorHandlers(state: ServerState): Record<string, Handler> {
  return {
    AddSearchAttributes: (req: { namespace?: string; searchAttributes?: Record<string, enums.IndexedValueType> }) => {
      const namespace = state.namespaces.get(req.namespace || 'default');
      for (const [name, type] of Object.entries(req.searchAttributes ?? {})) {
        if (name in SYSTEM_SEARCH_ATTRIBUTES) throw invalidArgument(`Search attribute ${name} is reserved by system.`);
        const existing = namespace.searchAttributes.get(name);
        if (existing !== undefined && existing !== type) {
          throw new RpcError(status.ALREADY_EXISTS, `Search attribute ${name} already exists with another type.`);
        }
        if (!type) throw invalidArgument(`Search attribute ${name} has no type.`);
        namespace.searchAttributes.set(name, type);
      }
      return {};
    },
    RemoveSearchAttributes: (req: { namespace?: string; searchAttributes?: string[] }) => {
      const namespace = state.namespaces.get(req.namespace || 'default');
      for (const name of req.searchAttributes ?? []) {
        if (!namespace.searchAttributes.delete(name)) throw invalidArgument(`Search attribute ${name} doesn't exist.`);
      }
      return {};
    },
    ListSearchAttributes: (req: { namespace?: string }) => {
      const namespace = state.namespaces.get(req.namespace || 'default');
      return {
        customAttributes: Object.fromEntries(namespace.searchAttributes),
        systemAttributes: SYSTEM_SEARCH_ATTRIBUTES,
        storageSchema: {},
      };
    },
  };
}
