/**
 * The server's clock and timer queue, with Temporal test-server time skipping.
 *
 * Time runs at wall speed while anything holds a lock. When time skipping is on and nothing holds a lock, the clock
 * jumps straight to the next timer. Locks are held by outstanding workflow tasks and activities (named holders, so a
 * run that closes can drop exactly its own) and by callers of the TestService Lock/Unlock RPCs (a counter).
 */
import { failedPrecondition } from '../transport/rpc-error';

export interface TimerHandle {
  cancel(): void;
}

interface Timer {
  fireAt: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

function earlier(a: Timer, b: Timer): boolean {
  return a.fireAt < b.fireAt || (a.fireAt === b.fireAt && a.seq < b.seq);
}

/** A binary min-heap of timers ordered by fire time, then by creation order. */
class TimerHeap {
  private readonly items: Timer[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < items.length && earlier(items[l], items[min])) min = l;
        if (r < items.length && earlier(items[r], items[min])) min = r;
        if (min === i) break;
        [items[i], items[min]] = [items[min], items[i]];
        i = min;
      }
    }
    return top;
  }
}

export class Clock {
  private offsetMs = 0;
  private seq = 0;
  private readonly timers = new TimerHeap();
  private readonly holders = new Set<string>();
  private externalLocks: number;
  private wakeTimer: NodeJS.Timeout | undefined;
  private pumpQueued = false;
  private stopped = false;

  /**
   * @param timeSkipping jump over idle time (test server); off for a real-time dev server
   * @param initiallyLocked like the official test server started without --enable-time-skipping: one external lock
   */
  constructor(
    readonly timeSkipping: boolean,
    initiallyLocked: boolean,
    /** A timer callback that throws is reported here; the other timers still run. */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.externalLocks = initiallyLocked ? 1 : 0;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Runs `callback` when the clock reaches `fireAt` (ms since epoch, server time). */
  schedule(fireAt: number, callback: () => void): TimerHandle {
    const timer: Timer = { fireAt, seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    this.requestPump();
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Marks `key` as pending work that time must not skip over (idempotent). */
  hold(key: string): void {
    this.holders.add(key);
  }

  release(key: string): void {
    if (this.holders.delete(key)) this.requestPump();
  }

  lock(): void {
    this.externalLocks++;
  }

  unlock(): void {
    if (this.externalLocks === 0) throw failedPrecondition('Unbalanced lock and unlock calls');
    this.externalLocks--;
    this.requestPump();
  }

  isLocked(): boolean {
    return this.externalLocks > 0 || this.holders.size > 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
  }

  /** Pumping is deferred so that a handler's synchronous state changes all land before time moves. */
  private requestPump(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    for (;;) {
      const head = this.timers.peek();
      if (!head) break;
      if (head.cancelled) {
        this.timers.pop();
        continue;
      }
      const now = this.now();
      if (head.fireAt > now) {
        if (!this.timeSkipping || this.isLocked()) break;
        this.offsetMs += head.fireAt - now;
      }
      this.timers.pop();
      try {
        head.callback();
      } catch (err) {
        this.onError(err);
      }
    }
    this.armWake();
  }

  private armWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    const head = this.timers.peek();
    if (!head) return;
    const delay = Math.max(0, Math.min(head.fireAt - this.now(), 2 ** 31 - 1));
    this.wakeTimer = setTimeout(() => this.pump(), delay);
    this.wakeTimer.unref();
  }
}
