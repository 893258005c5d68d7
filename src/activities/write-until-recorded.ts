import { isDatabaseUnavailable } from '../db/errors';

/**
 * An attempt's outcome must be written once the publisher has answered: if the write failed, Temporal would retry
 * the activity, and the callback would be sent again. So the write is retried while Postgres is unavailable (down,
 * restarting, or its pool saturated), within `budgetMs`, which the activity's timeout leaves after the request.
 */
export async function writeUntilRecorded<T>(
  write: () => Promise<T>,
  options: { budgetMs: number; onRetry?: (err: unknown) => void },
): Promise<T> {
  const deadline = Date.now() + options.budgetMs;
  for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + delayMs > deadline) throw err;
      options.onRetry?.(err);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
