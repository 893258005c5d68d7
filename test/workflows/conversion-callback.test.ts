import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type ApplicationFailure, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { DeliveryState } from '../../src/workflows/signals';
import { deliveryStateQuery } from '../../src/workflows/signals';
import { workflowIdFor } from '../../src/temporal/callback-scheduler';
import { attemptRows, callbackRow, insertConversion } from '../support/fixtures';
import { refusedUrl, useReceivers, type Answer } from '../support/receiver';
import { eventually } from '../support/eventually';
import { closeHarness, createHarness, startService, type Harness } from './harness';

const MINUTE = 60_000;

let harness: Harness;
const receiver = useReceivers();
beforeAll(async () => {
  harness = await createHarness();
}, 120_000);
afterAll(async () => {
  await closeHarness(harness);
});

/** A publisher whose endpoint is `callbackUrl`, one conversion of it, and a worker with its scheduler. */
async function setUpAt(callbackUrl: string, env: Record<string, string> = {}) {
  const ids = await insertConversion(harness.db.pool, { callbackUrl });
  return { ...ids, ...(await startService(harness, env)) };
}

/** The same, with a receiver that answers `answers` and stamps each request with the test server's clock. */
async function setUp(answers: Answer[], env: Record<string, string> = {}) {
  const publisher = await receiver(answers, () => harness.env.currentTimeMs());
  return { publisher, ...(await setUpAt(publisher.url, env)) };
}

function handleOf(conversionId: string) {
  return harness.env.client.workflow.getHandle(workflowIdFor(conversionId));
}

/** Awaits the workflow's failure (letting the test clock run to the end of the resend window). */
async function workflowFailure(conversionId: string): Promise<ApplicationFailure> {
  const err = await handleOf(conversionId).result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as ApplicationFailure;
}

async function failureType(conversionId: string): Promise<string | undefined> {
  return (await workflowFailure(conversionId)).type ?? undefined;
}

async function stateOf(conversionId: string): Promise<DeliveryState> {
  return handleOf(conversionId).query(deliveryStateQuery);
}

describe('conversion callback workflow', () => {
  it('retries 503 and 500 after 2 then 4 minutes and ends Sent', async () => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status: 503 }, { status: 500 }, { status: 200 }]);

    const state = await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      return (await handleOf(conversionId).result()) as DeliveryState;
    });

    const [first, second, third] = publisher.requests.map((r) => r.receivedAt);
    expect(publisher.requests).toHaveLength(3);
    expect(second - first).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(second - first).toBeLessThan(2 * MINUTE + 10_000);
    expect(third - first).toBeGreaterThanOrEqual(6 * MINUTE);
    expect(third - first).toBeLessThan(6 * MINUTE + 10_000);
    expect(state).toMatchObject({ status: 'sent', cycles: 1, trigger: 'automatic' });
    expect(state.attempts.map((a) => a.statusCode)).toEqual([503, 500, 200]);
    expect(await callbackRow(harness.db.pool, conversionId)).toMatchObject({ status: 'sent', attempts: 3, last_status_code: 200 });
    expect((await attemptRows(harness.db.pool, conversionId)).map((r) => [r.attempt_number, r.trigger, r.outcome])).toEqual([
      [1, 'automatic', 'failed'],
      [2, 'automatic', 'failed'],
      [3, 'automatic', 'succeeded'],
    ]);
    const memo = (await handleOf(conversionId).describe()).memo;
    expect(memo).toEqual({ conversionId, publisherId });
  });

  it('waits longer when a 503 carries a longer Retry-After', async () => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status: 503, headers: { 'retry-after': '600' } }, { status: 200 }]);

    await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      await handleOf(conversionId).result();
    });
    const [first, second] = publisher.requests.map((r) => r.receivedAt);
    expect(second - first).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(second - first).toBeLessThan(10 * MINUTE + 10_000);
  });

  it.each([404, 401])('tries a %i once and marks the callback Failed', async (status) => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status, body: 'nope' }]);

    await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      await eventually(async () => ((await stateOf(conversionId)).status === 'failed' ? true : undefined));
      expect(await callbackRow(harness.db.pool, conversionId)).toMatchObject({
        status: 'failed',
        last_error: `attempt 1: publisher answered HTTP ${status}`,
      });
      // Nobody resends: at the end of the resend window the workflow closes as failed.
      expect(await failureType(conversionId)).toBe('CallbackDeliveryFailed');
    });
    expect(publisher.requests).toHaveLength(1);
    expect(await attemptRows(harness.db.pool, conversionId)).toMatchObject([{ outcome: 'failed', status_code: status }]);
  });

  it('retries network errors, and marks the callback Failed when every attempt is exhausted', async () => {
    const { conversionId, publisherId, worker, scheduler } = await setUpAt(await refusedUrl(), { RETRY_MAX_ATTEMPTS: '3' });

    await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      expect(await failureType(conversionId)).toBe('CallbackDeliveryFailed');
    });
    expect((await attemptRows(harness.db.pool, conversionId)).map((r) => [r.outcome, r.error_class])).toEqual([
      ['failed', 'connection_refused'],
      ['failed', 'connection_refused'],
      ['failed', 'connection_refused'],
    ]);
    expect(await callbackRow(harness.db.pool, conversionId)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('makes 6 attempts on a 503 that never ends (2, 4, 8, 16, 32 minutes apart), then Failed', async () => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status: 503 }]);

    const failure = await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      return workflowFailure(conversionId);
    });
    expect(failure.type).toBe('CallbackDeliveryFailed');
    // Every attempt travelled through Temporal in the last activity failure's details, into the final state.
    const finalState = failure.details?.[0] as DeliveryState;
    expect(finalState.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 503, 'failed']),
    );
    const times = publisher.requests.map((r) => r.receivedAt);
    const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]) / MINUTE));
    expect(gaps).toEqual([2, 4, 8, 16, 32]);
    expect(await callbackRow(harness.db.pool, conversionId)).toMatchObject({
      status: 'failed',
      attempts: 6,
      last_error: 'attempt 6: publisher answered HTTP 503',
    });
  });

  it('delivers on a resend after Failed, recorded as manual', async () => {
    const { conversionId, publisherId, worker, scheduler } = await setUp([{ status: 404 }, { status: 200 }]);

    const state = await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      await eventually(async () => ((await callbackRow(harness.db.pool, conversionId)).status === 'failed' ? true : undefined));
      await scheduler.requestResend({ conversionId, publisherId }, 'operator@test');
      return (await handleOf(conversionId).result()) as DeliveryState;
    });
    expect(state).toMatchObject({ status: 'sent', cycles: 2, trigger: 'manual', lastResendRequestedBy: 'operator@test' });
    expect((await attemptRows(harness.db.pool, conversionId)).map((r) => [r.trigger, r.status_code])).toEqual([
      ['automatic', 404],
      ['manual', 200],
    ]);
    expect(await callbackRow(harness.db.pool, conversionId)).toMatchObject({ status: 'sent', failed_at: null });
  });

  it('sends at once on a resend during a backoff wait', async () => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status: 503 }, { status: 200 }]);

    await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      await eventually(async () => ((await callbackRow(harness.db.pool, conversionId)).status === 'retrying' ? true : undefined));
      await scheduler.requestResend({ conversionId, publisherId }, 'operator@test');
      await handleOf(conversionId).result();
    });
    const [first, second] = publisher.requests.map((r) => r.receivedAt);
    expect(second - first).toBeLessThan(MINUTE);
    expect((await attemptRows(harness.db.pool, conversionId)).map((r) => [r.trigger, r.outcome])).toEqual([
      ['automatic', 'failed'],
      ['manual', 'succeeded'],
    ]);
    // The history (signal, cancelled retry, new cycle) replays on the same code: the workflow is deterministic.
    await Worker.runReplayHistory({ workflowBundle: harness.bundle }, await handleOf(conversionId).fetchHistory());
  });

  it('shows the Web UI the pending attempt, its running log and the last failure with every attempt so far', async () => {
    const { conversionId, publisherId, worker, scheduler } = await setUp([{ status: 503 }]);

    const pending = await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      // Attempt 1 failed and the activity waits for attempt 2 (the test clock does not move while nobody awaits).
      const activity = await eventually(async () => {
        const { raw } = await handleOf(conversionId).describe();
        const activity = raw.pendingActivities?.[0];
        return activity?.attempt === 2 && activity.lastFailure ? activity : undefined;
      });
      // Left open, its retry would be scheduled with no worker to take it when a later test lets the clock run,
      // and a scheduled activity holds the test clock.
      await handleOf(conversionId).terminate('test done');
      return activity;
    });
    const decode = (payloads: { payloads?: unknown[] | null } | null | undefined) =>
      (payloads?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p as Payload));
    // The last heartbeat carries the log with attempt 1's answer.
    expect(decode(pending.heartbeatDetails)).toMatchObject([[{ attempt: 1, outcome: 'failed', statusCode: 503 }]]);
    expect(pending.lastFailure?.message).toBe('attempt 1: publisher answered HTTP 503');
    expect(pending.lastFailure?.applicationFailureInfo?.type).toBe('CallbackHttpStatus');
    expect(decode(pending.lastFailure?.applicationFailureInfo?.details)).toMatchObject([
      [{ attempt: 1, outcome: 'failed', statusCode: 503 }],
    ]);
  });

  it('sends again on a resend after success (a new run through signal-with-start)', async () => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status: 200 }]);

    const resent = await worker.runUntil(async () => {
      await scheduler.startDelivery({ conversionId, publisherId });
      const firstRun = await handleOf(conversionId).describe();
      await handleOf(conversionId).result();
      await scheduler.requestResend({ conversionId, publisherId }, 'operator@test');
      const state = (await handleOf(conversionId).result()) as DeliveryState;
      expect((await handleOf(conversionId).describe()).runId).not.toBe(firstRun.runId);
      return state;
    });
    expect(resent).toMatchObject({ status: 'sent', cycles: 1, trigger: 'manual' });
    expect(publisher.requests).toHaveLength(2);
    expect(publisher.requests.map((r) => r.headers['idempotency-key'])).toEqual([conversionId, conversionId]);
    expect((await attemptRows(harness.db.pool, conversionId)).map((r) => [r.attempt_number, r.trigger])).toEqual([
      [1, 'automatic'],
      [2, 'manual'],
    ]);
  });

  it('starts one workflow when the same conversion is started twice, and never restarts a closed one', async () => {
    const { publisher, conversionId, publisherId, worker, scheduler } = await setUp([{ status: 200 }]);

    await worker.runUntil(async () => {
      const started = await Promise.all([
        scheduler.startDelivery({ conversionId, publisherId }),
        scheduler.startDelivery({ conversionId, publisherId }),
      ]);
      expect(started).toEqual([{ workflowId: workflowIdFor(conversionId) }, { workflowId: workflowIdFor(conversionId) }]);
      const run = await handleOf(conversionId).describe();
      await handleOf(conversionId).result();
      await scheduler.startDelivery({ conversionId, publisherId });
      const after = await handleOf(conversionId).describe();
      expect(after.runId).toBe(run.runId);
      expect(after.status.name).toBe('COMPLETED');
    });
    expect(publisher.requests).toHaveLength(1);
  });
});
