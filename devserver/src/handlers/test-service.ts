/** temporal.api.testservice.v1.TestService: time-skipping locks, sleeps and the server clock. */
import type { Handler } from '../transport/grpc-server';
import { Duration, Timestamp, durationToMs, msToTimestamp, timestampToMs } from '../proto';
import type { Clock } from '../core/clock';

function sleepUntil(clock: Clock, atMs: number): Promise<void> {
  if (atMs <= clock.now()) return Promise.resolve();
  return new Promise((resolve) => clock.schedule(atMs, resolve));
}

export function testServiceHandlers(clock: Clock): Record<string, Handler> {
  return {
    LockTimeSkipping: () => (clock.lock(), {}),
    UnlockTimeSkipping: () => (clock.unlock(), {}),
    /** Unlocks, lets time run (or skip) for `duration`, and locks again before answering. */
    UnlockTimeSkippingWithSleep: async (req: { duration?: Duration }) => {
      // Unlock first: an unbalanced call fails before it leaves a timer behind. Time cannot move before the
      // timer is in, because the clock only moves on a later turn of the event loop.
      clock.unlock();
      await new Promise<void>((resolve) =>
        clock.schedule(clock.now() + durationToMs(req.duration), () => {
          clock.lock();
          resolve();
        }),
      );
      return {};
    },
    Sleep: async (req: { duration?: Duration }) => {
      await sleepUntil(clock, clock.now() + durationToMs(req.duration));
      return {};
    },
    SleepUntil: async (req: { timestamp?: Timestamp }) => {
      await sleepUntil(clock, timestampToMs(req.timestamp));
      return {};
    },
    GetCurrentTime: () => ({ time: msToTimestamp(clock.now()) }),
  };
}
