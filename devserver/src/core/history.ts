/**
 * A run's event history: contiguous 1-based ids, server timestamps, a global task id, and change notification for
 * long polls (GetWorkflowExecutionHistory with waitNewEvent).
 */
import { temporal } from '@temporalio/proto';
import { HistoryEvent, EventType, msToTimestamp } from '../proto';

/** The name of the attributes field that goes with each event type, e.g. `timerFiredEventAttributes`. */
export type EventAttributesKey = Extract<keyof HistoryEvent, `${string}EventAttributes`>;
export type EventAttributes<K extends EventAttributesKey> = NonNullable<HistoryEvent[K]>;

let nextTaskId = 1;

export class History {
  readonly events: HistoryEvent[] = [];
  private sizeBytes = 0;
  private listeners: Array<() => void> = [];

  constructor(private readonly now: () => number) {}

  get length(): number {
    return this.events.length;
  }

  get lastEventId(): number {
    return this.events.length;
  }

  /** Encoded size of the history so far, reported to workers in WorkflowTaskStarted.historySizeBytes. */
  get bytes(): number {
    return this.sizeBytes;
  }

  append<K extends EventAttributesKey>(eventType: EventType, key: K, attributes: EventAttributes<K>, extra?: Partial<HistoryEvent>): HistoryEvent {
    const event = {
      eventId: this.events.length + 1,
      eventTime: msToTimestamp(this.now()),
      eventType,
      taskId: nextTaskId++,
      ...extra,
      [key]: attributes,
    } as HistoryEvent;
    this.events.push(event);
    this.sizeBytes += temporal.api.history.v1.HistoryEvent.encode(event as never).len;
    this.notify();
    return event;
  }

  /** Wakes every long poll waiting on this history (also used when the run closes without a new event). */
  notify(): void {
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }

  /** Resolves at the next change, or when `signal` aborts / `timeoutMs` passes (wall time). */
  waitForChange(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.listeners = this.listeners.filter((l) => l !== done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      signal.addEventListener('abort', done);
      this.listeners.push(done);
    });
  }
}
