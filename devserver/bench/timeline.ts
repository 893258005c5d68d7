/**
 * Where a workflow's time goes, from the server's own event timestamps: the gap before each event of the history,
 * plus the client's side (its start call until WorkflowExecutionStarted; the last event until the result arrived).
 * Server and bench share the machine's clock, so the two sides compare directly.
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { percentile } from './load';

export interface Sample {
  workflowId: string;
  /** Date.now() when the client called start, and when it had the result. */
  calledMs: number;
  resultMs: number;
}

export interface Gap {
  label: string;
  p50Ms: number;
  p95Ms: number;
}

const shortName = (type: temporal.api.enums.v1.EventType | null | undefined): string =>
  (temporal.api.enums.v1.EventType[type ?? 0] ?? String(type)).replace(/^EVENT_TYPE_/, '');

/** Gaps of the samples' histories, which must all have the same sequence of events (the same workflow type). */
export async function timeline(client: Client, samples: Sample[]): Promise<Gap[]> {
  const rows: Array<{ labels: string[]; gaps: number[] }> = [];
  for (const sample of samples) {
    const history = await client.workflow.getHandle(sample.workflowId).fetchHistory();
    const events = history.events ?? [];
    const times = events.map((e) => tsToMs(e.eventTime));
    const labels = ['client start call → ' + shortName(events[0]?.eventType)];
    const gaps = [times[0] - sample.calledMs];
    for (let i = 1; i < events.length; i++) {
      labels.push(`${shortName(events[i - 1].eventType)} → ${shortName(events[i].eventType)}`);
      gaps.push(times[i] - times[i - 1]);
    }
    labels.push(`${shortName(events[events.length - 1]?.eventType)} → client has the result`);
    gaps.push(sample.resultMs - times[times.length - 1]);
    rows.push({ labels, gaps });
  }
  const labels = rows[0]?.labels ?? [];
  if (rows.some((r) => r.labels.join() !== labels.join())) throw new Error('timeline: the sampled histories differ in shape');
  return labels.map((label, i) => ({ label, p50Ms: percentile(rows.map((r) => r.gaps[i]), 50), p95Ms: percentile(rows.map((r) => r.gaps[i]), 95) }));
}
