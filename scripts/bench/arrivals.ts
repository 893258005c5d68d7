import type { Answer, ReceivedRequest } from '../../test/support/receiver';
import { sleep } from '../chaos/stack';

/**
 * The publisher's side: when each callback arrived, by its Idempotency-Key (a conversion id, or a bare workflow's
 * key). Pass `answer` to startReceiver: every request is answered `status` at once (200: delivered; 503: the
 * callback is retried later, so it parks).
 */
export class Arrivals {
  private readonly firstAt = new Map<string, number>();
  /** Requests whose key had arrived before (at-least-once delivery may repeat one). */
  repeats = 0;

  constructor(private readonly status = 200) {}

  readonly answer = (request: ReceivedRequest): Answer => {
    const key = String(request.headers['idempotency-key'] ?? '');
    if (this.firstAt.has(key)) this.repeats++;
    else this.firstAt.set(key, request.receivedAt);
    return { status: this.status, body: this.status === 200 ? 'OK' : 'Service Unavailable' };
  };

  /** How many of these keys have arrived. */
  arrived(keys: readonly string[]): number {
    return keys.filter((key) => this.firstAt.has(key)).length;
  }

  /** The arrival time (Date.now()) of each key, in order, once all have arrived. */
  async waitFor(keys: readonly string[], timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = keys.length - this.arrived(keys);
      if (missing === 0) return keys.map((key) => this.firstAt.get(key) ?? 0);
      if (Date.now() > deadline) throw new Error(`${missing} of ${keys.length} callbacks did not arrive within ${timeoutMs / 1000} s`);
      await sleep(50);
    }
  }
}
