import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** One of the service's entry points (`npm run api`, `npm run worker`), or another script, as a child process with its own group. */
export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

export function startService(name: 'api' | 'worker', env: Record<string, string>, logDir: string): ServiceProcess {
  return startProcess(name, name === 'api' ? 'src/api/server.ts' : 'src/worker.ts', env, logDir);
}

/** Any TypeScript entry point of the project (path from its root) run with tsx, its output appended to `<name>.log`. */
export function startProcess(name: string, entry: string, env: Record<string, string>, logDir: string): ServiceProcess {
  const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(TSX, [entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, exited };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** kill -9 of a process and everything in its group (a server's backends and helpers die with it); waits until it is gone. */
export async function killHard(pid: number): Promise<void> {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

export async function stopGracefully(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGTERM');
  await service.exited;
}
