/**
 * Conformance, sticky queues: after a task completes with stickyAttributes, the next task is offered on that
 * worker's queue with only the new events; it moves to the normal queue when the worker shuts down, or (like the Go
 * server) times out with SCHEDULE_TO_START when the sticky worker does not take it in time.
 */
import { randomUUID } from 'node:crypto';
import { google, temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import * as wf from './fixtures/workflows';
import { createActivities } from './fixtures/activities';
import { EventType, expectHistoryInvariants, historyOf, uniqueId, useTimeSkippingEnv, withWorker } from './support';

const suite = useTimeSkippingEnv();
const { TaskQueueKind, TimeoutType } = temporal.api.enums.v1;
type TaskQueueKind = temporal.api.enums.v1.TaskQueueKind;
/** The generated types want a Long for int64; the client encodes a plain number all the same. */
const ONE_SECOND = { seconds: 1 } as unknown as google.protobuf.IDuration;

function scheduledKinds(events: temporal.api.history.v1.IHistoryEvent[]): TaskQueueKind[] {
  return events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
    .map((e) => e.workflowTaskScheduledEventAttributes?.taskQueue?.kind ?? TaskQueueKind.TASK_QUEUE_KIND_UNSPECIFIED);
}

test('with a workflow cache, tasks after the first go to the worker sticky queue', async () => {
  await withWorker(suite, async (taskQueue) => {
    const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId: uniqueId('sticky'), args: [2] });
    await handle.signal(wf.pokeSignal, 'a');
    await handle.signal(wf.pokeSignal, 'b');
    expect(await handle.result()).toEqual(['a', 'b']);
    const kinds = scheduledKinds(await historyOf(handle));
    expect(kinds[0]).toBe(TaskQueueKind.TASK_QUEUE_KIND_NORMAL);
    expect(kinds.slice(1).length).toBeGreaterThan(0);
    expect(kinds.slice(1).every((k) => k === TaskQueueKind.TASK_QUEUE_KIND_STICKY)).toBe(true);
  });
});

test('without a cache the worker asks for no sticky queue, and every task is on the normal queue', async () => {
  await withWorker(
    suite,
    async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId: uniqueId('no-sticky'), args: [1] });
      await handle.signal(wf.pokeSignal, 'a');
      await handle.result();
      expect(scheduledKinds(await historyOf(handle)).every((k) => k === TaskQueueKind.TASK_QUEUE_KIND_NORMAL)).toBe(true);
    },
    0,
  );
});

test('when the sticky worker shuts down, its pending task goes to another worker without waiting for a timeout', async () => {
  const taskQueue = `tq-${randomUUID()}`;
  const workflowId = uniqueId('sticky-shutdown');
  const makeWorker = () =>
    Worker.create({ connection: suite.env.nativeConnection, taskQueue, workflowBundle: suite.bundle, activities: createActivities(() => suite.env.currentTimeMs()).activities });
  const first = await makeWorker();
  const handle = await first.runUntil(async () => {
    const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId, args: [2] });
    await handle.signal(wf.pokeSignal, 'a');
    expect(await handle.query(wf.pokesQuery)).toEqual(['a']);
    return handle;
  });
  await handle.signal(wf.pokeSignal, 'b'); // offered on the stopped worker's sticky queue, then moved
  const second = await makeWorker();
  expect(await second.runUntil(handle.result())).toEqual(['a', 'b']);
  const events = await historyOf(handle);
  expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).toBe(false);
  expectHistoryInvariants(events);
});

test('a task the sticky worker does not take times out with SCHEDULE_TO_START and moves to the normal queue', async () => {
  const service = suite.env.client.workflowService;
  const taskQueue = `tq-${randomUUID()}`;
  const workflowId = uniqueId('sticky-timeout');
  await service.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'anything' }, taskQueue: { name: taskQueue }, requestId: randomUUID() });
  const task = await service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'hand-made worker' });
  await service.respondWorkflowTaskCompleted({
    taskToken: task.taskToken,
    identity: 'hand-made worker',
    stickyAttributes: { workerTaskQueue: { name: `${taskQueue}-sticky`, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY }, scheduleToStartTimeout: ONE_SECOND },
  });
  await service.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'wake', requestId: randomUUID() });
  // Nobody polls the sticky queue: the task is offered on the normal queue after the timeout, with the whole history.
  const retried = await service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'second worker' });
  const types = (retried.history?.events ?? []).map((e) => e.eventType);
  expect(types[0]).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const timedOut = (retried.history?.events ?? []).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
  expect(timedOut?.workflowTaskTimedOutEventAttributes?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
  expect(scheduledKinds(retried.history?.events ?? [])).toEqual([
    TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
    TaskQueueKind.TASK_QUEUE_KIND_STICKY,
    TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
  ]);
  expectHistoryInvariants(retried.history?.events ?? []);
  await suite.env.client.workflow.getHandle(workflowId).terminate();
});
