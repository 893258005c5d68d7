import type { Logger } from '../logger';

/** A shutdown that takes longer than this is cut short: the orchestrator would kill us anyway. */
const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * On the first SIGINT or SIGTERM runs `shutdown` (stop everything, in order) and exits; a second signal exits at
 * once. Exit code 0 when the shutdown completed, 1 when it failed or ran past the deadline.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>): void {
  let shuttingDown = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    logger.info('shutting down', { signal });
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    shutdown()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error('shutdown failed', { error: err });
        process.exit(1);
      });
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
