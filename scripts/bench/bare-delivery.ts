/**
 * The delivery baseline: a bare workflow that runs one activity, which POSTs to the publisher. No Postgres, no
 * retry bookkeeping, no search attributes: what Temporal alone costs for one callback.
 */
import http from 'node:http';

export const BARE_TASK_QUEUE = 'bench-bare-delivery';
/** The workflow's type (scripts/bench/bare-workflow.ts), by name: the bench process does not load workflow code. */
export const BARE_WORKFLOW = 'bareDeliveryWorkflow';

/** The activity: one POST with the key as Idempotency-Key; a fresh connection, as the service's sender opens one per attempt. */
export async function postCallback(url: string, key: string): Promise<void> {
  const body = JSON.stringify({ key });
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'Idempotency-Key': key },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.end(body);
  });
  if (status < 200 || status > 299) throw new Error(`the publisher answered ${status}`);
}
