import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities, type AttemptLogEntry } from '../../src/activities';
import type { HttpSender } from '../../src/delivery/http-sender';
import type { RetrySettings } from '../../src/delivery/retry-schedule';
import { silentLogger } from '../../src/logger';
import { testConfig } from './fixtures';

/** The service's default schedule: 2 minutes, doubling, 6 attempts. */
export const DEFAULT_RETRY: RetrySettings = { initialIntervalMs: 120_000, backoffCoefficient: 2, maximumAttempts: 6 };

export interface AttemptOptions {
  attempt?: number;
  runId?: string;
  activityId?: string;
  trigger?: 'automatic' | 'manual';
  /** Who asked for a manual cycle (the workflow passes the resend's requester). */
  requestedBy?: string;
  http?: HttpSender;
  /** Configuration overrides (environment variable names). */
  env?: Record<string, string>;
  retry?: RetrySettings;
}

export interface AttemptRun {
  log?: AttemptLogEntry[];
  failure?: ApplicationFailure;
  heartbeats: unknown[];
}

/**
 * Runs the real deliverCallback activity in a MockActivityEnvironment as attempt `attempt` of activity `activityId`
 * in run `runId` of the conversion's workflow; returns its log or its failure, and the heartbeats it sent.
 */
export async function runDeliveryAttempt(pool: pg.Pool, conversionId: string, options: AttemptOptions = {}): Promise<AttemptRun> {
  const heartbeats: unknown[] = [];
  const env = new MockActivityEnvironment(
    {
      attempt: options.attempt ?? 1,
      activityId: options.activityId ?? '1',
      workflowExecution: { workflowId: `conversion-callback/${conversionId}`, runId: options.runId ?? `run-${conversionId}` },
    },
    // Failed attempts are the point of most of these tests: the SDK's WARN line for each would drown the output.
    { logger: new DefaultLogger('ERROR') },
  );
  env.on('heartbeat', (details) => heartbeats.push(details));
  const { deliverCallback } = createActivities({
    pool,
    config: testConfig(options.env),
    logger: silentLogger,
    ...(options.http ? { http: options.http } : {}),
  });
  const input = {
    conversionId,
    trigger: options.trigger ?? 'automatic',
    requestedBy: options.requestedBy ?? null,
    retry: options.retry ?? DEFAULT_RETRY,
  };
  try {
    return { log: await env.run(deliverCallback, input), heartbeats };
  } catch (failure) {
    return { failure: failure as ApplicationFailure, heartbeats };
  }
}
