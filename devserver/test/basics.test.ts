/**
 * Conformance, basics: the official SDK worker and client on the embedded server, each behaviour run twice: with
 * the worker's workflow cache and with full replay on every task (the strictest check that histories are right).
 * withWorker checks the history invariants of every run a test starts.
 */
import { WorkflowFailedError } from '@temporalio/client';
import * as wf from './fixtures/workflows';
import { eventTypes, historyOf, uniqueId, useTimeSkippingEnv, withWorker } from './support';

const suite = useTimeSkippingEnv();

describe.each([
  ['cached', undefined],
  ['replay on every task', 0],
])('embedded server (%s)', (_label, cache) => {
  test('a workflow runs an activity and returns its result', async () => {
    const result = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId: uniqueId('echo'), args: ['hello'] }), cache);
    expect(result).toBe('hello');
  });

  test('a retried activity runs its attempts 2, 4 and 8 minutes apart by the test clock', async () => {
    const { result, attempts } = await withWorker(
      suite,
      async (taskQueue, acts) => ({
        result: await suite.env.client.workflow.execute(wf.retryWorkflow, { taskQueue, workflowId: uniqueId('retry'), args: [3] }),
        attempts: acts.attempts,
      }),
      cache,
    );
    expect(result).toBe(4);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    [2, 4, 8].forEach((minutes, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(minutes * 60_000);
      // Beyond the backoff, the test clock runs at wall speed while the next attempt is dispatched (a loaded machine).
      expect(gaps[i]).toBeLessThan(minutes * 60_000 + 10_000);
    });
    // 14 minutes of test time inside the test's timeout: the backoff was skipped (the bench measures the speed).
  });

  test('a non-retryable failure is final after one attempt', async () => {
    const result = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.failingActivityWorkflow, { taskQueue, workflowId: uniqueId('nonretry') }), cache);
    expect(result).toBe('NON_RETRYABLE_FAILURE:Rejected');
  });

  test('a timer of a day is skipped', async () => {
    const elapsed = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.timerWorkflow, { taskQueue, workflowId: uniqueId('timer'), args: [86_400_000] }), cache);
    expect(elapsed).toBeGreaterThanOrEqual(86_400_000);
  });

  test('signals are delivered and queries answered', async () => {
    const result = await withWorker(
      suite,
      async (taskQueue) => {
        const handle = await suite.env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId: uniqueId('signal'), args: [2] });
        await handle.signal(wf.pokeSignal, 'a');
        expect(await handle.query(wf.pokesQuery)).toEqual(['a']);
        await handle.signal(wf.pokeSignal, 'b');
        const result = await handle.result();
        expect(await handle.query(wf.pokesQuery)).toEqual(['a', 'b']); // a closed workflow still answers
        return result;
      },
      cache,
    );
    expect(result).toEqual(['a', 'b']);
  });

  test('signal-with-start starts a workflow with its signal, then signals the running one', async () => {
    const result = await withWorker(
      suite,
      async (taskQueue) => {
        const workflowId = uniqueId('sws');
        const first = await suite.env.client.workflow.signalWithStart(wf.signalWorkflow, { taskQueue, workflowId, args: [2], signal: wf.pokeSignal, signalArgs: ['x'] });
        const second = await suite.env.client.workflow.signalWithStart(wf.signalWorkflow, { taskQueue, workflowId, args: [2], signal: wf.pokeSignal, signalArgs: ['y'] });
        expect(second.signaledRunId).toBe(first.signaledRunId);
        return first.result();
      },
      cache,
    );
    expect(result).toEqual(['x', 'y']);
  });

  test('an activity is cancelled', async () => {
    const result = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.cancellableActivityWorkflow, { taskQueue, workflowId: uniqueId('cancel-activity') }), cache);
    expect(result).toBe('cancelled');
  });

  test('continue-as-new is followed to the last run', async () => {
    await withWorker(
      suite,
      async (taskQueue) => {
        const handle = await suite.env.client.workflow.start(wf.continueAsNewWorkflow, { taskQueue, workflowId: uniqueId('can'), args: [2] });
        const result = await handle.result();
        const last = await handle.describe();
        expect(result).toBe(`done in run ${last.runId}`);
        expect(last.runId).not.toBe(handle.firstExecutionRunId);
        // Three runs: two closed by continue-as-new, chained by their run ids, and the last one completed.
        const first = await historyOf(suite.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId));
        const continued = first[first.length - 1].workflowExecutionContinuedAsNewEventAttributes;
        expect(continued?.newExecutionRunId).toBeTruthy();
        const second = await historyOf(suite.env.client.workflow.getHandle(handle.workflowId, continued?.newExecutionRunId ?? ''));
        expect(second[second.length - 1].workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBe(last.runId);
        const { count } = await suite.env.client.workflow.count(`WorkflowId = "${handle.workflowId}"`);
        expect(count).toBe(3);
      },
      cache,
    );
  });

  test('a failing workflow fails with its error', async () => {
    const err = await withWorker(
      suite,
      (taskQueue) => suite.env.client.workflow.execute(wf.failingWorkflow, { taskQueue, workflowId: uniqueId('fail') }).catch((e: unknown) => e),
      cache,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as Error).message).toBe('boom');
  });
});

test('signal-with-start on a closed id starts a new run whose first task already has the signal', async () => {
  await withWorker(suite, async (taskQueue) => {
    const workflowId = uniqueId('sws-closed');
    await suite.env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId, args: ['first'] });
    const handle = await suite.env.client.workflow.signalWithStart(wf.signalWorkflow, { taskQueue, workflowId, args: [1], signal: wf.pokeSignal, signalArgs: ['z'] });
    expect(await handle.result()).toEqual(['z']);
    const types = eventTypes(await historyOf(handle));
    expect(types.slice(0, 3)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
  });
});
