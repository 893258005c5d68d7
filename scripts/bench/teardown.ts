import { onShutdownSignal } from '../../src/api/shutdown';
import type { Logger } from '../../src/logger';

/**
 * Everything the bench started, stopped once in the reverse order of starting, whether the bench ends, fails or
 * is interrupted: the service's processes run in process groups of their own, which a Ctrl-C does not reach.
 */
export class Teardown {
  private readonly steps: { what: string; run: () => unknown }[] = [];
  private done?: Promise<void>;
  /** Set when a signal started the teardown: what fails from then on is expected. */
  interrupted = false;

  add(what: string, run: () => unknown): void {
    this.steps.push({ what, run });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const { what, run } of this.steps.reverse()) {
        try {
          await run();
        } catch (err) {
          console.error(`bench: could not ${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.done;
  }

  /** On Ctrl-C or SIGTERM (the copies npm and tsx relay included): tears down, then exits, as `npm start` does. */
  onSignals(logger: Logger): void {
    onShutdownSignal(logger, () => {
      this.interrupted = true;
      console.error('bench: interrupted, stopping everything');
      return this.run().then(() => console.error('bench: stopped and deleted everything'));
    });
  }
}
