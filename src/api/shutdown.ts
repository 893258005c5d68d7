import type { Logger } from '../logger';

/** A shutdown that takes longer than this is cut short: the orchestrator would kill us anyway. */
const SHUTDOWN_DEADLINE_MS = 30_000;
/**
 * One Ctrl-C in a terminal signals the whole process group, and npm relays it to its child as well:
 * the same keypress arrives twice within milliseconds. Signals this close to the first are that one.
 */
const SAME_SIGNAL_WINDOW_MS = 1_000;

/**
 * On the first SIGINT or SIGTERM runs `shutdown` (stop everything, in order) and exits; a second signal (more than
 * a second later: see SAME_SIGNAL_WINDOW_MS) exits at once. Exit code 0 when a signal's shutdown completed, 1 when
 * it failed, ran past the deadline, or was triggered by the returned function (a part of the service died).
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>): (reason: string) => void {
  let shuttingDown = false;
  let firstSignalAt = 0;
  const run = (reason: string, exitCode: number): void => {
    shuttingDown = true;
    logger.info('shutting down', { reason });
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    shutdown()
      .then(() => {
        logger.info('stopped');
        process.exit(exitCode);
      })
      .catch((err: unknown) => {
        logger.error('shutdown failed', { error: err });
        process.exit(1);
      });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!shuttingDown) {
      firstSignalAt = Date.now();
      return run(signal, 0);
    }
    if (Date.now() - firstSignalAt < SAME_SIGNAL_WINDOW_MS) return;
    logger.warn('second signal: exiting now', { signal });
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return (reason) => {
    if (!shuttingDown) run(reason, 1);
  };
}
