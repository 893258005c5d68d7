/**
 * Shared set-up of the conformance suites: a time-skipping TestWorkflowEnvironment launched on the embedded server
 * exactly as it launches Temporal's own test server, the fixture workflows bundled once, a worker per test on a
 * unique task queue, and history invariants.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createActivities } from './fixtures/activities';

/** Polls a condition in real time, without moving the test clock (the helper the application's tests use too). */
export { eventually } from '../../test/support/eventually';

const SERVER_EXECUTABLE = path.resolve(__dirname, '../../bin/temporal-devserver');

export interface Suite {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
}

let runtimeInstalled = false;

/** Call at the top of a test file: one environment per file, torn down after it. */
export function useTimeSkippingEnv(): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    if (!runtimeInstalled) {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
      runtimeInstalled = true;
    }
    suite.env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: SERVER_EXECUTABLE } } });
    suite.bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/workflows'), logger: new DefaultLogger('ERROR') });
  }, 60_000);
  afterAll(async () => {
    await suite.env?.teardown();
  });
  return suite;
}

export type Acts = ReturnType<typeof createActivities>;

/** Runs `fn` while a worker polls a fresh task queue. `maxCachedWorkflows: 0` replays the full history every task. */
export async function withWorker<T>(suite: Suite, fn: (taskQueue: string, acts: Acts) => Promise<T>, maxCachedWorkflows?: number): Promise<T> {
  const taskQueue = `tq-${randomUUID()}`;
  const acts = createActivities(() => suite.env.currentTimeMs());
  const worker = await Worker.create({
    connection: suite.env.nativeConnection,
    taskQueue,
    workflowBundle: suite.bundle,
    activities: acts.activities,
    maxCachedWorkflows,
  });
  const result = await worker.runUntil(fn(taskQueue, acts));
  await expectInvariantsOfEveryRun(suite, taskQueue);
  return result;
}

/** Every run the test started on its task queue, open or closed, keeps the history invariants. */
async function expectInvariantsOfEveryRun(suite: Suite, taskQueue: string): Promise<void> {
  for await (const run of suite.env.client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    const history = await suite.env.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    try {
      expectHistoryInvariants(history.events ?? []);
    } catch (err) {
      throw new Error(`history of ${run.workflowId}/${run.runId}: ${(err as Error).message}`);
    }
  }
}

export const EventType = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;

export async function historyOf(handle: WorkflowHandle): Promise<Event[]> {
  const history = await handle.fetchHistory();
  return history.events ?? [];
}

export function eventTypes(events: Event[]): string[] {
  return events.map((e) => EventType[e.eventType ?? 0].replace('EVENT_TYPE_', ''));
}

const num = (v: unknown): number => Number(v ?? 0);

/**
 * Invariants every history must keep: contiguous ids from 1, non-decreasing times, every started event after
 * its scheduled one, every closing event pointing at the right scheduled/started events, and, once the workflow
 * has closed by a command of its own, every started workflow task and activity closed by exactly one event.
 * (Terminate and timeouts close a run mid-task, leaving its started task stale, as Temporal's test server does.)
 */
export function expectHistoryInvariants(events: Event[]): void {
  expect(events.length).toBeGreaterThan(0);
  expect(events[0].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const byId = new Map<number, Event>();
  let lastTime = 0;
  events.forEach((e, i) => {
    expect(num(e.eventId)).toBe(i + 1);
    const t = num(e.eventTime?.seconds) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    expect(t).toBeGreaterThanOrEqual(lastTime);
    lastTime = t;
    byId.set(i + 1, e);
  });
  const typeOf = (id: unknown) => byId.get(num(id))?.eventType;
  for (const e of events) {
    const wftRef = e.workflowTaskStartedEventAttributes ?? e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes;
    if (wftRef) expect(typeOf(wftRef.scheduledEventId)).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const wftClose = e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes;
    // A task that timed out before it started (schedule-to-start on a sticky queue) has no started event.
    const neverStarted = e.workflowTaskTimedOutEventAttributes?.timeoutType === temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
    if (wftClose && !neverStarted) expect(typeOf(wftClose.startedEventId)).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const actRef = e.activityTaskStartedEventAttributes ?? e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (actRef) expect(typeOf(actRef.scheduledEventId)).toBe(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const actClose = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    if (actClose) expect(typeOf(actClose.startedEventId)).toBe(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    if (e.timerFiredEventAttributes) expect(typeOf(e.timerFiredEventAttributes.startedEventId)).toBe(EventType.EVENT_TYPE_TIMER_STARTED);
  }
  if (!CLOSED_BY_COMMAND.has(events[events.length - 1].eventType ?? 0)) return;
  // Each started event, with the ids of the events that close it: exactly one each.
  const closedBy = new Map<number, number[]>();
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) closedBy.set(num(e.eventId), []);
  }
  for (const e of events) {
    const close =
      e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes ??
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    const startedId = num(close?.startedEventId);
    if (startedId !== 0) closedBy.get(startedId)?.push(num(e.eventId));
  }
  for (const [startedId, closers] of closedBy) expect([startedId, closers.length]).toEqual([startedId, 1]);
}

const CLOSED_BY_COMMAND = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID()}`;
