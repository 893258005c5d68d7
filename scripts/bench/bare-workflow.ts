/** The bare delivery workflow (see bare-delivery.ts): one activity, Temporal's default retry policy. */
import { proxyActivities } from '@temporalio/workflow';
import type { postCallback } from './bare-delivery';

const activities = proxyActivities<{ postCallback: typeof postCallback }>({ startToCloseTimeout: '40 seconds' });

export async function bareDeliveryWorkflow(url: string, key: string): Promise<void> {
  await activities.postCallback(url, key);
}
