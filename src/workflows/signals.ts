import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AttemptLogEntry, Trigger } from '../activities/attempt-log';
import type { RetrySettings } from '../delivery/retry-schedule';

/** The delivery workflow's interface, shared by the workflow and its clients (scheduler, API, tests). */

export interface ConversionCallbackInput {
  conversionId: string;
  publisherId: string;
  retry: RetrySettings;
  /** Start-to-close timeout of one attempt: CALLBACK_TIMEOUT plus a margin for the Postgres writes. */
  attemptTimeoutMs: number;
  /** How long a Failed callback waits for a resend before the workflow closes as failed. */
  resendWindowMs: number;
}

export interface ResendRequest {
  /** Who asked (API key name, operator): kept in the workflow state for the Web UI. */
  requestedBy: string;
}

export interface DeliveryState {
  conversionId: string;
  status: 'delivering' | 'sent' | 'failed';
  /** Delivery cycles started in this run: the first delivery, then one per resend. */
  cycles: number;
  trigger: Trigger;
  lastError: string | null;
  lastResendRequestedBy: string | null;
  /** The attempts of the last finished cycle. */
  attempts: AttemptLogEntry[];
}

export const resendSignal = defineSignal<[ResendRequest]>('resend');
export const deliveryStateQuery = defineQuery<DeliveryState>('deliveryState');
