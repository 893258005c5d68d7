import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverStopper } from '../child-server';
import { postgresRunner, type PostgresRunner } from './embedded-runner';

export interface EmbeddedPostgresOptions {
  /** Data directory; initialised when missing or empty, reused (with its data) otherwise. */
  dataDir: string;
  port: number;
  /** Receives Postgres' own log lines. */
  log?: (line: string) => void;
  /** Called when the server exits without stop() having been called (it crashed or was killed). */
  onUnexpectedExit?: (reason: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `postgres` database as superuser. */
  url: string;
  /** The server's process id, also its process group's (for fault-injection tools). */
  pid: number;
  stop(): Promise<void>;
}

/** Written into the data directory at initialisation so that a restart can reconnect (mode 0600). */
const PASSWORD_FILE = 'embedded-password';
const STOP_GRACE_MS = 15_000;

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/** Runs initdb with a password file that only the Postgres user can read, deleted afterwards. */
async function initialise(runner: PostgresRunner, dataDir: string, password: string): Promise<void> {
  const secretDir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-initdb-'));
  const pwfile = path.join(secretDir, 'password');
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (runner.user) {
      await chown(secretDir, runner.user.uid, runner.user.gid);
      await chown(pwfile, runner.user.uid, runner.user.gid);
    }
    const initdb = spawnSync(
      runner.binary('initdb'),
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
      { ...runner.spawnOptions, encoding: 'utf8' },
    );
    if (initdb.status !== 0) {
      throw new Error(`initdb failed (${initdb.error?.message ?? `exit ${initdb.status ?? initdb.signal}`}): ${initdb.stderr}`);
    }
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

/**
 * Starts a Postgres server (the binaries of the `embedded-postgres` package) on 127.0.0.1:`port` with its data in
 * `dataDir`. Postgres refuses to run as root: under root it runs as a `postgres` system user (created if missing),
 * and when that user cannot reach the project's folder (a checkout only root can read) the binaries and the data
 * are placed where it can, see embedded-runner.ts. The server gets a process group of its own, so that a Ctrl-C in
 * the terminal reaches only the launcher, which stops it last.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  await refuseIfInUse(options.dataDir);
  const runner = await postgresRunner();
  const fresh = await isEmptyDir(options.dataDir);
  const dataDir = await runner.prepareDataDir(path.resolve(options.dataDir));
  const passwordFile = path.join(dataDir, PASSWORD_FILE);
  const password = fresh ? randomBytes(18).toString('base64url') : await readPassword(passwordFile);
  if (fresh) {
    await initialise(runner, dataDir, password);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  const recent: string[] = [];
  const child = spawn(
    runner.binary('postgres'),
    ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { ...runner.spawnOptions, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stopping = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(`exit ${signal ?? code}`));
  });
  const ready = new Promise<void>((resolve) => {
    const onOutput = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) {
        recent.push(line);
        if (recent.length > 20) recent.shift();
        options.log?.(line);
      }
      if (text.includes('database system is ready to accept connections')) resolve();
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
  });
  const started = await Promise.race([ready.then(() => true), exited.then(() => false)]);
  if (!started) {
    throw new Error(`embedded Postgres did not start on port ${options.port} (data in ${dataDir}): ${await exited}\n${recent.join('\n')}`);
  }
  void exited.then((reason) => {
    if (!stopping) options.onUnexpectedExit?.(`embedded Postgres exited unexpectedly (${reason}): ${recent.slice(-5).join(' | ')}`);
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    pid: child.pid ?? 0,
    // SIGINT is Postgres' fast shutdown: it ends its sessions and checkpoints.
    stop: serverStopper(child, exited, { signal: 'SIGINT', onLauncherExit: 'SIGINT', graceMs: STOP_GRACE_MS, onStopping: () => (stopping = true) }),
  };
}

/** A second `npm start` in the same folder finds the first one's Postgres running on the data directory. */
async function refuseIfInUse(dataDir: string): Promise<void> {
  const lock = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(lock.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // No such process: a lock left by a Postgres that died, and Postgres starts anyway. (EPERM: it runs.)
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
  }
  throw new Error(
    `The Postgres data directory ${dataDir} is in use by a running Postgres (pid ${pid}), probably another npm start in ` +
      'this folder: stop that one first, or set EMBEDDED_POSTGRES_DIR (and the ports) for a second, separate instance.',
  );
}

async function readPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new Error(`${path.dirname(file)} is not empty and has no ${PASSWORD_FILE}: it was not created by this service`);
  }
}

/**
 * Deletes an embedded Postgres' data directory, and the data itself where a run as root kept it elsewhere (the
 * directory is then a link, see embedded-runner.ts). The server must be stopped.
 */
export async function removeEmbeddedPostgresData(dataDir: string): Promise<void> {
  const data = await realpath(dataDir).catch(() => undefined);
  if (data) await rm(data, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}
