import { dispatchOutbox, type DispatchDeps, type DispatchRound, type DispatchSettings } from './use-cases/dispatch-outbox';

export interface DispatcherSettings extends DispatchSettings {
  /** With nothing due and no nudge, the outbox is looked at again after this long (entries of other processes). */
  idleMs: number;
  /** Waits after failed rounds (Temporal or Postgres down) double from the first to the longest. */
  backoffMs: { first: number; max: number };
}

const DEFAULT_DISPATCHER_SETTINGS: DispatcherSettings = {
  batchSize: 200,
  concurrency: 32,
  idleMs: 1_000,
  backoffMs: { first: 500, max: 10_000 },
};

export interface Dispatcher {
  /** New entries are in the outbox: start a round now if the dispatcher is idle (a no-op while it backs off). */
  nudge(): void;
  /** Finishes the round in progress, then stops. Entries left in the outbox wait for the next start. */
  stop(): Promise<void>;
}

/**
 * Starts the delivery workflows of the outbox's entries, round after round, for as long as the process runs: at
 * once after a nudge (a POST that recorded conversions), at least every `idleMs`, and right away again while rounds
 * come back full (a burst). When Temporal or Postgres is down the rounds back off; the entries wait, none is lost.
 */
export function startDispatcher(deps: DispatchDeps, settings: DispatcherSettings = DEFAULT_DISPATCHER_SETTINGS): Dispatcher {
  let stopped = false;
  let nudged = false;
  let backingOff = false;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const round = async (): Promise<DispatchRound | undefined> => {
    try {
      const result = await dispatchOutbox(deps, settings);
      if (result.claimed > 0) deps.logger.debug('dispatch round', { ...result });
      return result;
    } catch (err) {
      deps.logger.warn('dispatch round failed; the outbox entries stay and are tried again', { error: err });
      return undefined;
    }
  };

  const run = async (): Promise<void> => {
    let backoffMs = 0;
    while (!stopped) {
      nudged = false;
      const result = await round();
      if (stopped) return;
      if (!result || result.temporalUnavailable) {
        backoffMs = Math.min(settings.backoffMs.max, backoffMs === 0 ? settings.backoffMs.first : backoffMs * 2);
        if (result) deps.logger.warn('Temporal unavailable: workflow starts wait', { retryInMs: backoffMs });
        backingOff = true;
        await pause(backoffMs);
        backingOff = false;
        continue;
      }
      backoffMs = 0;
      if (result.claimed < settings.batchSize && !nudged) await pause(settings.idleMs);
    }
  };
  const running = run();

  return {
    nudge: () => {
      nudged = true;
      if (!backingOff) wake?.();
    },
    stop: async () => {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
