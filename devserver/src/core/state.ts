/** Everything a handler needs: the clock, namespaces, executions and queries of one server instance. */
import { Clock } from './clock';
import { Namespaces } from './namespaces';
import { Queries } from './queries';
import { Store } from './store';

export interface ServerState {
  readonly clock: Clock;
  readonly namespaces: Namespaces;
  readonly store: Store;
  readonly queries: Queries;
  readonly log: (line: string) => void;
}

export function createServerState(opts: { timeSkipping: boolean; startLocked: boolean; log: (line: string) => void }): ServerState {
  const clock = new Clock(opts.timeSkipping, opts.startLocked, (err) =>
    opts.log(`timer callback failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
  const namespaces = new Namespaces(() => clock.now());
  const store = new Store(clock, namespaces, opts.log);
  const queries = new Queries(store);
  return { clock, namespaces, store, queries, log: opts.log };
}
