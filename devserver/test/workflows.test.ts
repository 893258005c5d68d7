/**
 * Conformance, workflow level: id policies, request ids, cancel, terminate, timeouts, retries, start delay,
 * workflow-task failures, unsupported commands, memo and search attributes, visibility, query errors, and
 * status codes.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { QueryRejectedError, QueryNotRegisteredError, WorkflowClient, WorkflowFailedError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import * as wf from './fixtures/workflows';
import { EventType, eventTypes, eventually, expectHistoryInvariants, historyOf, uniqueId, useTimeSkippingEnv, withWorker } from './support';

const suite = useTimeSkippingEnv();
const { enums } = temporal.api;

describe('workflow id policies and request ids', () => {
  test('starting a running workflow id again fails with WorkflowExecutionAlreadyStartedError', async () => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('dup');
      const handle = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId });
      await expect(suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      await handle.terminate();
    });
  });

  test('conflict policy USE_EXISTING returns the running run', async () => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('use-existing');
      const first = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId });
      const second = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
      expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
      await first.terminate();
    });
  });

  test('conflict policy TERMINATE_EXISTING terminates the running run', async () => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('terminate-existing');
      const first = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId });
      const second = await suite.env.client.workflow.start(wf.echoWorkflow, { taskQueue, workflowId, args: ['new'], workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
      expect(await second.result()).toBe('new');
      const err = await first.result().catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    });
  });

  test.each(['REJECT_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY'] as const)('reuse policy %s refuses the id of a completed run', async (policy) => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('reuse');
      await suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId, args: ['one'] });
      await expect(suite.env.client.workflow.start(wf.echoWorkflow, { taskQueue, workflowId, args: ['x'], workflowIdReusePolicy: policy })).rejects.toBeInstanceOf(
        WorkflowExecutionAlreadyStartedError,
      );
    });
  });

  test('reuse policy ALLOW_DUPLICATE starts a new run on the id of a completed one', async () => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('reuse');
      await suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId, args: ['one'] });
      expect(await suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId, args: ['two'], workflowIdReusePolicy: 'ALLOW_DUPLICATE' })).toBe('two');
    });
  });

  test('reuse policy ALLOW_DUPLICATE_FAILED_ONLY starts a new run on the id of a failed one', async () => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('reuse');
      await expect(suite.env.client.workflow.execute(wf.failingWorkflow, { taskQueue, workflowId })).rejects.toBeInstanceOf(WorkflowFailedError);
      const again = suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId, args: ['after failure'], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' });
      expect(await again).toBe('after failure');
    });
  });

  test('a start repeated with the same request id is answered with the same run', async () => {
    const service = suite.env.client.workflowService;
    const request = {
      namespace: 'default',
      workflowId: uniqueId('request-id'),
      workflowType: { name: 'waitForeverWorkflow' },
      taskQueue: { name: `tq-${randomUUID()}` },
      requestId: randomUUID(),
    };
    const first = await service.startWorkflowExecution(request);
    const second = await service.startWorkflowExecution(request);
    expect(second.runId).toBe(first.runId);
    expect(second.started).toBe(true);
    await suite.env.client.workflow.getHandle(request.workflowId).terminate();
  });
});

describe('closing workflows', () => {
  test('cancel: the workflow sees the request, cleans up, and ends cancelled', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.cancelAwareWorkflow, { taskQueue, workflowId: uniqueId('cancel') });
      await eventually(async () => ((await historyOf(handle)).length >= 4 ? true : undefined), 20_000, 'the first workflow task');
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      const types = eventTypes(await historyOf(handle));
      expect(types).toContain('WORKFLOW_EXECUTION_CANCEL_REQUESTED');
      expect(types).toContain('ACTIVITY_TASK_COMPLETED');
      expect(types[types.length - 1]).toBe('WORKFLOW_EXECUTION_CANCELED');
    });
  });

  test('terminate ends the run at once, with the reason', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId: uniqueId('terminate') });
      await handle.terminate('operator said so');
      const err = await handle.result().catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
      const last = (await historyOf(handle)).pop();
      expect(last?.workflowExecutionTerminatedEventAttributes?.reason).toBe('operator said so');
      // signalling a closed workflow: NOT_FOUND
      await expect(handle.signal(wf.pokeSignal, 'late')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });
  });

  test('a run timeout is skipped to and times the workflow out', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId: uniqueId('run-timeout'), workflowRunTimeout: '2h' });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
      expect((await historyOf(handle)).pop()?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
    });
  });

  test('an execution timeout bounds the whole chain', async () => {
    await withWorker(suite, async (taskQueue) => {
      const start = await suite.env.currentTimeMs();
      const handle = await suite.env.client.workflow.start(wf.waitForeverWorkflow, { taskQueue, workflowId: uniqueId('exec-timeout'), workflowExecutionTimeout: '3h' });
      const err = await handle.result().catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
      expect((await suite.env.currentTimeMs()) - start).toBeGreaterThanOrEqual(3 * 3600_000);
    });
  });

  test('a workflow retry policy runs the workflow again after a failure', async () => {
    const result = await withWorker(suite, (taskQueue) =>
      suite.env.client.workflow.execute(wf.retriedWorkflow, { taskQueue, workflowId: uniqueId('wf-retry'), retry: { initialInterval: '10m', maximumAttempts: 5 } }),
    );
    expect(result).toBe(3);
  });

  test('a start delay postpones the first workflow task', async () => {
    await withWorker(suite, async (taskQueue) => {
      const before = await suite.env.currentTimeMs();
      const startedAt = await suite.env.client.workflow.execute(wf.startTimeWorkflow, { taskQueue, workflowId: uniqueId('delay'), startDelay: '1h' });
      expect(startedAt - before).toBeGreaterThanOrEqual(3600_000);
    });
  });
});

describe('workflow tasks', () => {
  test('a workflow task that fails is recorded and retried', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.workflowTaskFailureWorkflow, { taskQueue, workflowId: uniqueId('wft-fail'), workflowTaskTimeout: '1s' });
      const events = await eventually(async () => {
        const events = await historyOf(handle);
        return events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) ? events : undefined;
      }, 20_000, 'the second attempt to time out');
      const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toContain('a bug in the workflow code');
      const attempts = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED).map((e) => e.workflowTaskScheduledEventAttributes?.attempt);
      expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
      expectHistoryInvariants(events);
      await handle.terminate();
    });
  });

  test('an unsupported command fails the workflow task with a message naming it', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.childWorkflowWorkflow, { taskQueue, workflowId: uniqueId('child') });
      const failed = await eventually(async () => (await historyOf(handle)).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED), 20_000, 'the task failure');
      expect(failed.workflowTaskFailedEventAttributes?.failure?.message).toContain('COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION is not supported');
      await handle.terminate();
    });
  });
});

describe('memo, search attributes and visibility', () => {
  test('memo and search attributes from the start and from upserts are described and searchable', async () => {
    await withWorker(suite, async (taskQueue) => {
      const workflowId = uniqueId('sa');
      const handle = await suite.env.client.workflow.start(wf.searchAttributesWorkflow, {
        taskQueue,
        workflowId,
        memo: { owner: 'team-a' },
        searchAttributes: { CustomIntField: [7] },
      });
      await eventually(async () => ((await handle.describe()).searchAttributes.CustomKeywordField ? true : undefined), 20_000, 'the upsert');
      const description = await handle.describe();
      expect(description.memo).toEqual({ owner: 'team-a' });
      expect(description.searchAttributes.CustomKeywordField).toEqual(['upserted']);
      expect(description.searchAttributes.CustomIntField).toEqual([7]);
      const found: string[] = [];
      for await (const info of suite.env.client.workflow.list({ query: `CustomKeywordField = "upserted" AND CustomIntField >= 7 AND WorkflowId = "${workflowId}"` })) found.push(info.workflowId);
      expect(found).toEqual([workflowId]);
      const { count } = await suite.env.client.workflow.count(`WorkflowType = "searchAttributesWorkflow" AND ExecutionStatus = "Running" AND WorkflowId = "${workflowId}"`);
      expect(count).toBe(1);
      await handle.terminate();
      expect((await suite.env.client.workflow.count(`ExecutionStatus = "Terminated" AND WorkflowId = "${workflowId}"`)).count).toBe(1);
    });
  });

  test('a malformed visibility query is INVALID_ARGUMENT naming the problem', async () => {
    const err = await suite.env.client.workflowService.countWorkflowExecutions({ namespace: 'default', query: 'WorkflowId = ' }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(status.INVALID_ARGUMENT);
    expect((err as Error).message).toMatch(/invalid query: .*position/);
  });

  test('operator search attributes can be added and listed', async () => {
    const operator = suite.env.connection.operatorService;
    await operator.addSearchAttributes({ namespace: 'default', searchAttributes: { Publisher: enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } });
    const listed = await operator.listSearchAttributes({ namespace: 'default' });
    expect(listed.customAttributes?.Publisher).toBe(enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    expect(listed.systemAttributes?.WorkflowId).toBe(enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });
});

describe('queries and status codes', () => {
  test('a query of a type the workflow does not register fails with QueryNotRegisteredError', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId: uniqueId('query'), args: [1] });
      await expect(handle.query('nope')).rejects.toBeInstanceOf(QueryNotRegisteredError);
      await handle.terminate();
    });
  });

  test('a closed workflow answers queries, unless the reject condition NOT_OPEN rejects them', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId: uniqueId('query'), args: [1] });
      await handle.signal(wf.pokeSignal, 'x');
      await handle.result();
      expect(await handle.query(wf.pokesQuery)).toEqual(['x']);
      const rejecting = new WorkflowClient({ connection: suite.env.connection, queryRejectCondition: 'NOT_OPEN' });
      const err = await rejecting.getHandle(handle.workflowId).query(wf.pokesQuery).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryRejectedError);
      expect((err as QueryRejectedError).status).toBe(enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    });
  });

  test('an unknown execution is NOT_FOUND', async () => {
    await expect(suite.env.client.workflow.getHandle(uniqueId('missing')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  test('an unimplemented call is UNIMPLEMENTED naming the call', async () => {
    const err = await suite.env.client.workflowService.listSchedules({ namespace: 'default' }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(status.UNIMPLEMENTED);
    expect((err as Error).message).toContain('ListSchedules');
  });

  test('history can be read in reverse and in pages', async () => {
    await withWorker(suite, async (taskQueue) => {
      const handle = await suite.env.client.workflow.start(wf.echoWorkflow, { taskQueue, workflowId: uniqueId('pages'), args: ['x'] });
      await handle.result();
      const all = await historyOf(handle);
      const service = suite.env.client.workflowService;
      const execution = { workflowId: handle.workflowId };
      const firstPage = await service.getWorkflowExecutionHistory({ namespace: 'default', execution, maximumPageSize: 3 });
      expect(firstPage.history?.events).toHaveLength(3);
      const rest = await service.getWorkflowExecutionHistory({ namespace: 'default', execution, nextPageToken: firstPage.nextPageToken });
      expect((firstPage.history?.events?.length ?? 0) + (rest.history?.events?.length ?? 0)).toBe(all.length);
      const reverse = await service.getWorkflowExecutionHistoryReverse({ namespace: 'default', execution });
      expect(reverse.history?.events?.map((e) => Number(e.eventId))).toEqual(all.map((e) => Number(e.eventId)).reverse());
    });
  });
});

test('describe task queue lists the workers polling it', async () => {
  await withWorker(suite, async (taskQueue) => {
    await suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId: uniqueId('tq'), args: ['x'] });
    const { pollers } = await suite.env.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    expect(pollers?.length).toBeGreaterThan(0);
    expect(pollers?.[0].identity).toBeTruthy();
  });
});

test('a retried signal-with-start with the same request id signals once', async () => {
  await withWorker(suite, async (taskQueue) => {
    const workflowId = uniqueId('sws-retry');
    const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId, args: [2] });
    const request = {
      namespace: 'default',
      workflowId,
      workflowType: { name: 'signalWorkflow' },
      taskQueue: { name: taskQueue },
      signalName: 'poke',
      signalInput: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"once"') }] },
      requestId: randomUUID(),
    };
    const first = await suite.env.client.workflowService.signalWithStartWorkflowExecution(request);
    const second = await suite.env.client.workflowService.signalWithStartWorkflowExecution(request);
    expect(second.runId).toBe(first.runId);
    expect(second.started).toBe(false);
    // The workflow ends at its second signal: had the retry signalled again, that would be a second "once".
    await handle.signal(wf.pokeSignal, 'two');
    expect(await handle.result()).toEqual(['once', 'two']);
  });
});
