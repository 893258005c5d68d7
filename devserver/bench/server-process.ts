/**
 * The dev server under test, as a child process (`bin/temporal-devserver --dev`), so that its memory and CPU are
 * measured apart from the worker and the client, which run in the bench process.
 */
import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../test/support/ports';
import { procCpuMs, procStatusKb } from './system';

const BIN = path.resolve(__dirname, '../../bin/temporal-devserver');
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** Every child still running, so that an error or Ctrl-C anywhere in the bench still leaves no process behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ServerProcess {
  readonly pid: number;
  readonly address: string;
  /** Resident set size now (VmRSS), in KB. */
  rssKb(): number;
  /** Peak resident set size so far (VmHWM), in KB. */
  peakRssKb(): number;
  /** User + system CPU time consumed so far, in ms. */
  cpuMs(): number;
  /** Lines the server wrote to stderr after it started listening (errors, timeouts it logged). */
  readonly log: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts the server on a free port of 127.0.0.1 and resolves once it listens. `nodeArgs` go to the child's node
 * before the script (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS does not accept). The bench's own
 * NODE_OPTIONS is not inherited, so every run measures the same server.
 */
export async function startServerProcess(nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, BIN, '--dev', '--port', String(port), '--ip', HOST], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  const log: string[] = [];
  let listening = false;
  let pending = '';
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new Error(`dev server did not start: ${why}\n${log.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!listening && line.includes('listening on')) {
          listening = true;
          clearTimeout(timer);
          resolve();
        } else {
          log.push(line);
        }
      }
    });
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!listening) fail(`exited with ${signal ?? code}`);
    });
  });
  const pid = child.pid!;
  return {
    pid,
    address: `${HOST}:${port}`,
    rssKb: () => procStatusKb(pid, 'VmRSS'),
    peakRssKb: () => procStatusKb(pid, 'VmHWM'),
    cpuMs: () => procCpuMs(pid),
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM lets the server shut down and exit normally, which is also when --cpu-prof writes its profile.
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}
