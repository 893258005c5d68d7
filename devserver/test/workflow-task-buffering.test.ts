/**
 * Conformance, events that arrive while a workflow task runs: they are held back and written after the task's
 * completion, and a task that would close the workflow over them fails with UnhandledCommand. Driven through raw
 * gRPC calls, so that the task is in flight exactly while the signal arrives.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { eventTypes, expectHistoryInvariants, historyOf, uniqueId, useTimeSkippingEnv } from './support';

const suite = useTimeSkippingEnv();
const { CommandType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

/** Starts a workflow on a fresh queue and takes its first workflow task, as a worker would. */
async function startAndTakeFirstTask() {
  const service = suite.env.client.workflowService;
  const taskQueue = { name: `tq-${randomUUID()}` };
  const workflowId = uniqueId('buffered');
  await service.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'anything' }, taskQueue, requestId: randomUUID() });
  const task = await service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'hand-made worker' });
  const signal = () => service.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'poke', requestId: randomUUID() });
  return { service, task, signal, handle: suite.env.client.workflow.getHandle(workflowId) };
}

test('a signal that arrives while a workflow task runs is written after the task completes, and schedules the next task', async () => {
  const { service, task, signal, handle } = await startAndTakeFirstTask();
  await signal();
  // Not in the history yet: the task that is running has not answered.
  expect(eventTypes(await historyOf(handle))).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED']);
  await service.respondWorkflowTaskCompleted({ taskToken: task.taskToken, identity: 'hand-made worker', commands: [] });
  const events = await historyOf(handle);
  expect(eventTypes(events).slice(3)).toEqual(['WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
  expectHistoryInvariants(events);
  await handle.terminate();
});

test('closing the workflow over a signal that arrived during the task fails the task with UnhandledCommand', async () => {
  const { service, task, signal, handle } = await startAndTakeFirstTask();
  await signal();
  const err = await service
    .respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      identity: 'hand-made worker',
      commands: [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
    })
    .catch((e: unknown) => e);
  expect((err as { code: number }).code).toBe(status.INVALID_ARGUMENT);
  expect((err as Error).message).toContain('UnhandledCommand');
  const events = await historyOf(handle);
  expect(eventTypes(events).slice(3)).toEqual(['WORKFLOW_TASK_FAILED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
  expect(events[3].workflowTaskFailedEventAttributes?.cause).toBe(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expectHistoryInvariants(events);
  await handle.terminate();
});
