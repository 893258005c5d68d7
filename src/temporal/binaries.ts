import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Where the official Temporal binaries are: `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH` when set, otherwise
 * the project-local copies that scripts/install-temporal.ts puts in `.temporal/bin`.
 */
export const TEMPORAL_HOME = path.resolve(__dirname, '../../.temporal');
const BIN_DIR = path.join(TEMPORAL_HOME, 'bin');

export interface TemporalBinary {
  /** What it is, for messages. */
  description: string;
  /** The environment variable that points at a binary of the user's own. */
  envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH';
  /** Its file name in `.temporal/bin`. */
  fileName: string;
}

export const TEMPORAL_CLI: TemporalBinary = { description: 'the Temporal CLI', envVar: 'TEMPORAL_CLI_PATH', fileName: 'temporal' };
export const TEMPORAL_TEST_SERVER: TemporalBinary = {
  description: "Temporal's time-skipping test server",
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  fileName: 'temporal-test-server',
};

/** The path of `binary`: the user's own (an empty variable counts as unset), or the project-local copy. */
export function binaryPath(binary: TemporalBinary, env: NodeJS.ProcessEnv = process.env): string {
  const own = env[binary.envVar];
  return own ? path.resolve(own) : path.join(BIN_DIR, binary.fileName);
}

/** True when the user pointed `binary`'s variable at a file of their own. */
export function isUserProvided(binary: TemporalBinary, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[binary.envVar]);
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of `binary`, or an error that says how to get it. */
export function requireBinary(binary: TemporalBinary, env: NodeJS.ProcessEnv = process.env): string {
  const file = binaryPath(binary, env);
  if (isExecutable(file)) return file;
  throw new Error(
    isUserProvided(binary, env)
      ? `${binary.envVar}=${file} is not an executable file (it should point at ${binary.description})`
      : `${binary.description} is not installed in ${BIN_DIR}: run \`npm run install-temporal\`, or set ${binary.envVar} to a binary of your own`,
  );
}
