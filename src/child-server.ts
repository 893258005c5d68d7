import type { ChildProcess } from 'node:child_process';

export interface StopOptions {
  /** The signal that asks the server for its own clean shutdown. */
  signal: NodeJS.Signals;
  /** After this long, SIGKILL. */
  graceMs: number;
  /** Sent if the launcher exits without having stopped the server: all an 'exit' handler can do is signal. */
  onLauncherExit: NodeJS.Signals;
  /** Called once, when the stop begins (e.g. to stop treating the server's exit as a crash). */
  onStopping?: () => void;
}

/**
 * The stop() of a server the launcher started (Postgres, Temporal's dev server): asks it to shut down, kills it if
 * it lingers, and waits for `exited`. Until then, the server does not outlive the launcher.
 */
export function serverStopper(child: ChildProcess, exited: Promise<unknown>, options: StopOptions): () => Promise<void> {
  const onExit = (): void => void child.kill(options.onLauncherExit);
  process.once('exit', onExit);
  return async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    options.onStopping?.();
    child.kill(options.signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs);
    await exited;
    clearTimeout(timer);
  };
}
