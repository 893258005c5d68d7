import type { EmbeddedPostgres } from '../../src/db/embedded';

/** The embedded server started by the global set-up, kept on globalThis for the global tear-down (same process). */
interface SharedPostgres {
  server: EmbeddedPostgres;
  dataDir: string;
}

const KEY = Symbol.for('conversion-callbacks.test.postgres');
type Holder = { [KEY]?: SharedPostgres };

export function setSharedPostgres(shared: SharedPostgres): void {
  (globalThis as Holder)[KEY] = shared;
}

export function takeSharedPostgres(): SharedPostgres | undefined {
  const holder = globalThis as Holder;
  const shared = holder[KEY];
  delete holder[KEY];
  return shared;
}
