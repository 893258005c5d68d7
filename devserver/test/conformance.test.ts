/**
 * Conformance: the official SDK worker and client against the embedded server, launched exactly as
 * TestWorkflowEnvironment launches Temporal's own test server.
 */
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { createActivities } from './fixtures/activities';
import * as wf from './fixtures/workflows';

const SERVER = path.resolve(__dirname, '../../bin/temporal-devserver');

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: SERVER } } });
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/workflows'), logger: undefined });
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

async function withWorker<T>(fn: (taskQueue: string, acts: ReturnType<typeof createActivities>) => Promise<T>, cacheSize?: number): Promise<T> {
  const taskQueue = `tq-${randomUUID()}`;
  const acts = createActivities(() => env.currentTimeMs());
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: acts.activities,
    maxCachedWorkflows: cacheSize,
  });
  return worker.runUntil(fn(taskQueue, acts));
}

describe.each([
  ['cached', undefined],
  ['replay on every task', 0],
])('embedded server (%s)', (_label, cache) => {
  test('a workflow runs an activity and returns its result', async () => {
    const result = await withWorker(
      (taskQueue) => env.client.workflow.execute(wf.echoWorkflow, { taskQueue, workflowId: randomUUID(), args: ['hello'] }),
      cache,
    );
    expect(result).toBe('hello');
  });

  test('a retried activity runs its attempts 2, 4 and 8 minutes apart by the test clock', async () => {
    const wall = Date.now();
    const { result, attempts } = await withWorker(async (taskQueue, acts) => {
      const result = await env.client.workflow.execute(wf.retryWorkflow, { taskQueue, workflowId: randomUUID(), args: [3] });
      return { result, attempts: acts.attempts };
    }, cache);
    expect(result).toBe(4);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    [2, 4, 8].forEach((minutes, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(minutes * 60_000);
      expect(gaps[i]).toBeLessThan(minutes * 60_000 + 5_000);
    });
    expect(Date.now() - wall).toBeLessThan(15_000);
  });

  test('a non-retryable failure is final after one attempt', async () => {
    const result = await withWorker((taskQueue) => env.client.workflow.execute(wf.failingActivityWorkflow, { taskQueue, workflowId: randomUUID() }), cache);
    expect(result).toBe('NON_RETRYABLE_FAILURE:Rejected');
  });

  test('a timer of a day is skipped', async () => {
    const elapsed = await withWorker((taskQueue) => env.client.workflow.execute(wf.timerWorkflow, { taskQueue, workflowId: randomUUID(), args: [86_400_000] }), cache);
    expect(elapsed).toBeGreaterThanOrEqual(86_400_000);
  });

  test('signals are delivered and queries answered', async () => {
    const result = await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(wf.signalWorkflow, { taskQueue, workflowId: randomUUID(), args: [2] });
      await handle.signal(wf.pokeSignal, 'a');
      expect(await handle.query(wf.pokesQuery)).toEqual(['a']);
      await handle.signal(wf.pokeSignal, 'b');
      return handle.result();
    }, cache);
    expect(result).toEqual(['a', 'b']);
  });

  test('signal-with-start starts a workflow with its signal, then signals the running one', async () => {
    const result = await withWorker(async (taskQueue) => {
      const workflowId = randomUUID();
      const first = await env.client.workflow.signalWithStart(wf.signalWorkflow, { taskQueue, workflowId, args: [2], signal: wf.pokeSignal, signalArgs: ['x'] });
      const second = await env.client.workflow.signalWithStart(wf.signalWorkflow, { taskQueue, workflowId, args: [2], signal: wf.pokeSignal, signalArgs: ['y'] });
      expect(second.signaledRunId).toBe(first.signaledRunId);
      return first.result();
    }, cache);
    expect(result).toEqual(['x', 'y']);
  });

  test('an activity is cancelled', async () => {
    const result = await withWorker((taskQueue) => env.client.workflow.execute(wf.cancellableActivityWorkflow, { taskQueue, workflowId: randomUUID() }), cache);
    expect(result).toBe('cancelled');
  });

  test('continue-as-new is followed to the last run', async () => {
    const result = await withWorker((taskQueue) => env.client.workflow.execute(wf.continueAsNewWorkflow, { taskQueue, workflowId: randomUUID(), args: [2] }), cache);
    expect(result).toMatch(/^done in run /);
  });

  test('a failing workflow fails with its error', async () => {
    const err = await withWorker(
      (taskQueue) => env.client.workflow.execute(wf.failingWorkflow, { taskQueue, workflowId: randomUUID() }).catch((e: unknown) => e),
      cache,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as Error).message).toBe('boom');
  });
});
