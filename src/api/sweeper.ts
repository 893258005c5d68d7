import type { Logger } from '../logger';

export interface Sweeper {
  /** Cancels the next run and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` now and then every `intervalMs` after the previous run ended, so runs never overlap. A failed run
 * is logged and the next one is still scheduled: the sweep is how the service heals after an outage.
 */
export function startSweeper(name: string, sweep: () => Promise<unknown>, intervalMs: number, logger: Logger): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const runOnce = (): void => {
    running = sweep()
      .then((result) => logger.debug(`${name} done`, { result }))
      .catch((err: unknown) => logger.warn(`${name} failed`, { error: err }))
      .finally(() => {
        if (!stopped) timer = setTimeout(runOnce, intervalMs);
      });
  };
  runOnce();

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
