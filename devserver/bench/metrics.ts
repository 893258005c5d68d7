/**
 * The worker's own view of the run, from the SDK core's Prometheus metrics: how long its calls to the server took
 * and how long tasks waited and ran. Round-trip latency as the worker sees it is what the server's CPU time alone
 * cannot show (transport, decompression, event-loop queueing).
 */
/** Metric samples summed over every label except `operation`, keyed `name` or `name{operation}`. */
export type Scrape = Map<string, number>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;

function parsePrometheus(text: string): Scrape {
  const result: Scrape = new Map();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const [, name, labels = '', value] = match;
    const operation = /(?:^|,)operation="([^"]*)"/.exec(labels)?.[1];
    const key = operation ? `${name}{${operation}}` : name;
    result.set(key, (result.get(key) ?? 0) + Number(value));
  }
  return result;
}

export async function scrape(address: string): Promise<Scrape> {
  const response = await fetch(`http://${address}/metrics`);
  return parsePrometheus(await response.text());
}

/** Mean of a histogram (durations in ms) between two scrapes; NaN when nothing was recorded. */
export function meanBetween(before: Scrape, after: Scrape, histogram: string, operation?: string): { meanMs: number; count: number } {
  const key = (suffix: string): string => `${histogram}_${suffix}${operation ? `{${operation}}` : ''}`;
  const count = (after.get(key('count')) ?? 0) - (before.get(key('count')) ?? 0);
  const sum = (after.get(key('sum')) ?? 0) - (before.get(key('sum')) ?? 0);
  return { meanMs: count > 0 ? sum / count : NaN, count };
}

/** What the core reports, in the order a workflow meets it. */
export const CORE_LATENCIES: ReadonlyArray<{ label: string; histogram: string; operation?: string }> = [
  { label: 'workflow task schedule-to-start', histogram: 'temporal_workflow_task_schedule_to_start_latency' },
  { label: 'workflow task execution (in the worker)', histogram: 'temporal_workflow_task_execution_latency' },
  { label: 'RespondWorkflowTaskCompleted call', histogram: 'temporal_request_latency', operation: 'RespondWorkflowTaskCompleted' },
  { label: 'activity schedule-to-start', histogram: 'temporal_activity_schedule_to_start_latency' },
  { label: 'activity execution', histogram: 'temporal_activity_execution_latency' },
  { label: 'RespondActivityTaskCompleted call', histogram: 'temporal_request_latency', operation: 'RespondActivityTaskCompleted' },
  { label: 'PollWorkflowTaskQueue call (long poll)', histogram: 'temporal_long_request_latency', operation: 'PollWorkflowTaskQueue' },
  { label: 'PollActivityTaskQueue call (long poll)', histogram: 'temporal_long_request_latency', operation: 'PollActivityTaskQueue' },
];
