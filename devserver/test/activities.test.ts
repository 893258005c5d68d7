/** Conformance, activities: timeouts, retry computation, heartbeats, and what Describe shows of a pending activity. */
import { temporal } from '@temporalio/proto';
import * as wf from './fixtures/workflows';
import { EventType, eventually, historyOf, uniqueId, useTimeSkippingEnv, withWorker } from './support';

const suite = useTimeSkippingEnv();
const PendingActivityState = temporal.api.enums.v1.PendingActivityState;

const gapsOf = (attempts: { at: number }[]): number[] => attempts.slice(1).map((a, i) => a.at - attempts[i].at);

test('a start-to-close timeout is retried, and the next attempt succeeds', async () => {
  const { result, events } = await withWorker(suite, async (taskQueue) => {
    const handle = await suite.env.client.workflow.start(wf.startToCloseTimeoutWorkflow, { taskQueue, workflowId: uniqueId('stc') });
    return { result: await handle.result(), events: await historyOf(handle) };
  });
  expect(result).toBe(2);
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  expect(started?.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo).toBeTruthy();
});

test('a heartbeat timeout fails an activity that stops heartbeating', async () => {
  const result = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.heartbeatTimeoutWorkflow, { taskQueue, workflowId: uniqueId('hb') }));
  expect(result).toBe('MAXIMUM_ATTEMPTS_REACHED:TimeoutFailure:HEARTBEAT');
});

test('retries that would pass the schedule-to-close deadline are not made', async () => {
  const { result, attempts } = await withWorker(suite, async (taskQueue, acts) => ({
    result: await suite.env.client.workflow.execute(wf.scheduleToCloseWorkflow, { taskQueue, workflowId: uniqueId('s2c') }),
    attempts: acts.attempts,
  }));
  expect(result).toBe('TIMEOUT');
  // attempts at 0 and 2 minutes; the next would be at 6 > 5 minutes
  expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
});

test('the maximum interval caps the backoff', async () => {
  const { result, attempts } = await withWorker(suite, async (taskQueue, acts) => ({
    result: await suite.env.client.workflow.execute(wf.maximumIntervalWorkflow, { taskQueue, workflowId: uniqueId('maxint') }),
    attempts: acts.attempts,
  }));
  expect(result).toBe(4);
  const minutes = gapsOf(attempts).map((g) => Math.floor(g / 60_000));
  expect(minutes).toEqual([1, 5, 5]);
});

test('an activity-requested nextRetryDelay replaces the computed backoff', async () => {
  const { attempts } = await withWorker(suite, async (taskQueue, acts) => ({
    result: await suite.env.client.workflow.execute(wf.nextRetryDelayWorkflow, { taskQueue, workflowId: uniqueId('nrd') }),
    attempts: acts.attempts,
  }));
  expect(Math.floor(gapsOf(attempts)[0] / 60_000)).toBe(30);
});

test('the default retry policy retries after 1 s, then 2 s', async () => {
  const { result, attempts } = await withWorker(suite, async (taskQueue, acts) => ({
    result: await suite.env.client.workflow.execute(wf.defaultRetryWorkflow, { taskQueue, workflowId: uniqueId('defaults') }),
    attempts: acts.attempts,
  }));
  expect(result).toBe(3);
  // The test clock runs at wall speed while an attempt is dispatched, so a gap may exceed its backoff a little (not
  // rounded: half a second of dispatch on a loaded machine would turn 1 s into 2).
  const [first, second] = gapsOf(attempts);
  expect(first).toBeGreaterThanOrEqual(1_000);
  expect(first).toBeLessThan(2_000);
  expect(second).toBeGreaterThanOrEqual(2_000);
  expect(second).toBeLessThan(4_000);
});

test('heartbeat details reach the next attempt', async () => {
  const result = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.heartbeatDetailsWorkflow, { taskQueue, workflowId: uniqueId('hbd') }));
  expect(result).toEqual({ progress: 42 });
});

test('describe shows a pending activity in backoff: attempt, last failure, next attempt time', async () => {
  await withWorker(suite, async (taskQueue, acts) => {
    const handle = await suite.env.client.workflow.start(wf.retryingActivityWorkflow, { taskQueue, workflowId: uniqueId('describe') });
    // Wait until the server has the first attempt's failure, then look while the 2-minute backoff is pending (time
    // stays locked outside result()).
    const pending = await eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return pending[0]?.lastFailure ? pending : undefined;
      },
      20_000,
      'the first attempt to fail',
    );
    expect(acts.attempts).toHaveLength(1);
    expect(pending).toHaveLength(1);
    const activity = pending[0];
    expect(activity.activityType?.name).toBe('flaky');
    expect(activity.attempt).toBe(2);
    expect(activity.state).toBe(PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED);
    expect(activity.lastFailure?.message).toBe('attempt 1 failed');
    const next = Number(activity.nextAttemptScheduleTime?.seconds) * 1000;
    const lastComplete = Number(activity.lastAttemptCompleteTime?.seconds) * 1000;
    expect(Math.round((next - lastComplete) / 1000)).toBe(120);
    await handle.terminate('done looking');
  });
});

test('an activity nobody picks up times out with SCHEDULE_TO_START, which is not retried', async () => {
  const result = await withWorker(suite, (taskQueue) => suite.env.client.workflow.execute(wf.scheduleToStartWorkflow, { taskQueue, workflowId: uniqueId('s2s') }));
  expect(result).toBe('TIMEOUT:SCHEDULE_TO_START');
});
