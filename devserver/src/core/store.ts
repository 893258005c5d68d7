/**
 * All workflow executions, by namespace and workflow id; each id has a chain of runs, the last one current.
 * The store is the runs' environment: it owns the clock and the task queues.
 */
import { notFound } from '../transport/rpc-error';
import type { Clock } from './clock';
import { Matching } from './matching';
import type { Namespaces } from './namespaces';
import { RunEnvironment, WorkflowRun } from './run';

export class Store implements RunEnvironment {
  readonly matching: Matching;
  /** namespace → workflowId → runs, oldest first. */
  private readonly executions = new Map<string, Map<string, WorkflowRun[]>>();
  private readonly byRunId = new Map<string, WorkflowRun>();
  private readonly closeListeners: Array<(run: WorkflowRun) => void> = [];

  constructor(
    readonly clock: Clock,
    readonly namespaces: Namespaces,
    readonly log: (line: string) => void,
  ) {
    this.matching = new Matching(
      () => clock.now(),
      (err) => log(`task dispatch failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    );
  }

  add(run: WorkflowRun): void {
    let ids = this.executions.get(run.namespace);
    if (!ids) {
      ids = new Map();
      this.executions.set(run.namespace, ids);
    }
    const runs = ids.get(run.workflowId) ?? [];
    runs.push(run);
    ids.set(run.workflowId, runs);
    this.byRunId.set(run.runId, run);
  }

  /** The current (latest) run of a workflow id, if any. */
  current(namespace: string, workflowId: string): WorkflowRun | undefined {
    const runs = this.executions.get(namespace)?.get(workflowId);
    return runs?.[runs.length - 1];
  }

  /** The run named by an execution; with no run id, the current one. NOT_FOUND otherwise. */
  get(namespace: string, execution: { workflowId?: string | null; runId?: string | null } | null | undefined): WorkflowRun {
    const workflowId = execution?.workflowId ?? '';
    const runId = execution?.runId;
    const run = runId ? this.byRunId.get(runId) : this.current(namespace, workflowId);
    if (!run || run.namespace !== namespace || (workflowId && run.workflowId !== workflowId)) {
      throw notFound(`workflow execution not found for workflow ID "${workflowId}"${runId ? ` and run ID "${runId}"` : ''}`);
    }
    return run;
  }

  /** The latest run in the chain that started with `firstExecutionRunId`. */
  currentOfChain(namespace: string, workflowId: string, firstExecutionRunId: string): WorkflowRun | undefined {
    const runs = this.executions.get(namespace)?.get(workflowId) ?? [];
    return runs.filter((r) => r.firstExecutionRunId === firstExecutionRunId).pop();
  }

  runs(namespace: string): WorkflowRun[] {
    const result: WorkflowRun[] = [];
    for (const runs of this.executions.get(namespace)?.values() ?? []) result.push(...runs);
    return result;
  }

  onClose(listener: (run: WorkflowRun) => void): void {
    this.closeListeners.push(listener);
  }

  onRunClosed(run: WorkflowRun): void {
    for (const listener of this.closeListeners) listener(run);
    // A real-time dev server runs for days: closed runs go after the namespace's retention, as in Temporal. The
    // time-skipping test server keeps them, like Temporal's Java test server, so that skipping weeks of test time
    // never deletes what a test is about to look at.
    if (!this.clock.timeSkipping) {
      const retentionMs = this.namespaces.get(run.namespace).retentionMs;
      this.clock.schedule(run.closeMs + retentionMs, () => this.remove(run));
    }
  }

  private remove(run: WorkflowRun): void {
    const ids = this.executions.get(run.namespace);
    const remaining = (ids?.get(run.workflowId) ?? []).filter((r) => r !== run);
    if (remaining.length > 0) ids?.set(run.workflowId, remaining);
    else ids?.delete(run.workflowId);
    this.byRunId.delete(run.runId);
  }
}
