import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { conversionCallbackWorkflow } from '../workflows';
import { resendSignal, type ConversionCallbackInput, type ResendRequest } from '../workflows/signals';
import { workflowIdFor, type CallbackScheduler, type ConversionRef } from './callback-scheduler';
import { deliverySearchAttributes } from './search-attributes';
import { toTemporalUnavailable } from './temporal-errors';

export type SchedulerConfig = Pick<
  Config,
  'TEMPORAL_TASK_QUEUE' | 'RETRY_INITIAL_INTERVAL' | 'RETRY_BACKOFF_COEFFICIENT' | 'RETRY_MAX_ATTEMPTS' | 'CALLBACK_TIMEOUT' | 'RESEND_WINDOW'
>;

/** Time an attempt may take beyond its HTTP timeout: loading the target and writing the outcome to Postgres. */
const ATTEMPT_MARGIN_MS = 30_000;

/** By name, not by value: the API process does not load workflow code. */
const WORKFLOW_TYPE = 'conversionCallbackWorkflow';

/** The workflow input, from the configuration in force when the delivery (or a new run after a resend) starts. */
export function deliveryInput(conversion: ConversionRef, config: SchedulerConfig): ConversionCallbackInput {
  return {
    conversionId: conversion.conversionId,
    publisherId: conversion.publisherId,
    retry: {
      initialIntervalMs: config.RETRY_INITIAL_INTERVAL,
      backoffCoefficient: config.RETRY_BACKOFF_COEFFICIENT,
      maximumAttempts: config.RETRY_MAX_ATTEMPTS,
    },
    attemptTimeoutMs: config.CALLBACK_TIMEOUT + ATTEMPT_MARGIN_MS,
    resendWindowMs: config.RESEND_WINDOW,
  };
}

/**
 * The client retries an unreachable server for about 20 s; the API's caller should get its 503 sooner and retry
 * itself (the conversion is stored, and a start or resend is idempotent).
 */
const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/** A health check must answer before the caller (a load balancer, an orchestrator) gives up on it. */
const PING_TIMEOUT_MS = 2_000;

/** CallbackScheduler on a Temporal client: one workflow per conversion, id derived from the conversion id. */
export class TemporalCallbackScheduler implements CallbackScheduler {
  constructor(
    private readonly client: Client,
    private readonly config: SchedulerConfig,
    private readonly callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  private call<R>(fn: () => Promise<R>): Promise<R> {
    return this.client.withDeadline(Date.now() + this.callTimeoutMs, fn);
  }

  private options(conversion: ConversionRef) {
    return {
      workflowId: workflowIdFor(conversion.conversionId),
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      args: [deliveryInput(conversion, this.config)] as [ConversionCallbackInput],
      // Shown by the Web UI next to each workflow; the search attributes let operators filter on them.
      memo: { conversionId: conversion.conversionId, publisherId: conversion.publisherId },
      typedSearchAttributes: deliverySearchAttributes(conversion),
    };
  }

  async startDelivery(conversion: ConversionRef): Promise<{ workflowId: string }> {
    const workflowId = workflowIdFor(conversion.conversionId);
    try {
      await this.call(() =>
        this.client.workflow.start<typeof conversionCallbackWorkflow>(WORKFLOW_TYPE, {
          ...this.options(conversion),
          // A running delivery is kept, and a closed one is never restarted by a duplicate POST: only a resend does.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
    } catch (err) {
      // The delivery exists already (closed, since a running one is USE_EXISTING): nothing to start.
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return { workflowId };
      throw toTemporalUnavailable(err);
    }
    return { workflowId };
  }

  async ping(): Promise<void> {
    await this.client.withDeadline(Date.now() + PING_TIMEOUT_MS, () => this.client.connection.workflowService.getSystemInfo({}));
  }

  async requestResend(conversion: ConversionRef, requestedBy: string): Promise<{ workflowId: string }> {
    try {
      const handle = await this.call(() =>
        this.client.workflow.signalWithStart<typeof conversionCallbackWorkflow, [ResendRequest]>(WORKFLOW_TYPE, {
          ...this.options(conversion),
          signal: resendSignal,
          signalArgs: [{ requestedBy }],
          // A closed delivery (sent, or failed after its resend window) starts again as a new run.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        }),
      );
      return { workflowId: handle.workflowId };
    } catch (err) {
      throw toTemporalUnavailable(err);
    }
  }
}
