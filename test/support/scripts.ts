import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface ScriptProcess {
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** What it wrote to stderr so far. */
  stderr(): string;
}

function run(command: string, args: string[], env: Record<string, string>, options: { detached?: boolean } = {}): ScriptProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output, stderr: () => stderr };
}

/** Runs one of the project's TypeScript entry points (`script`, from the repository root) as its npm script does: `node --import tsx`. */
export function runScript(script: string, env: Record<string, string>): ScriptProcess {
  return run(process.execPath, ['--import', 'tsx', script], env);
}

/**
 * `check`, failing at once with the process's output once `script` has exited: for eventually() while the process
 * is meant to run (a crash fails the test with its reason instead of a timeout).
 */
export function whileRunning<T>(script: ScriptProcess, name: string, check: () => Promise<T | undefined>): () => Promise<T | undefined> {
  return async () => {
    if (script.child.exitCode !== null) throw new Error(`${name} exited with ${script.child.exitCode}:\n${script.output()}`);
    return check();
  };
}

/**
 * `npm start` itself, as a user types it, in a process group of its own (as a terminal gives it): a signal to
 * `-child.pid` reaches npm and everything it started in that group, like a Ctrl-C.
 */
export function runNpmStart(env: Record<string, string>): ScriptProcess {
  return run('npm', ['start', '--silent'], env, { detached: true });
}
