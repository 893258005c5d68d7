import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../logger';
import { requireBinary, TEMPORAL_CLI } from './binaries';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from './search-attributes';

export interface DevServerOptions {
  /** gRPC port of the frontend. */
  port: number;
  /** Port of the Web UI; without one the server runs headless. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; without one, state lives in memory. */
  dbFile?: string;
  namespace: string;
  /** Receives the server's own log lines (it writes JSON; each becomes one line of ours). */
  logger: Logger;
  /** How long to wait for the frontend to answer. */
  readyTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the gRPC frontend. */
  address: string;
  /** e.g. http://127.0.0.1:8233, when the Web UI runs. */
  uiUrl?: string;
  /** Stops the server (SIGTERM, then SIGKILL if it lingers) and waits for it to exit. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 10_000;
const GO_LEVELS: Record<string, 'debug' | 'info' | 'warn' | 'error'> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' };

/** One line of the server's output as one line of our log: its JSON fields kept, its level mapped (fatal → error). */
function relayLine(logger: Logger, line: string): void {
  if (!line.trim()) return;
  try {
    const { level, msg, ...fields } = JSON.parse(line) as { level?: string; msg?: string } & Record<string, unknown>;
    logger[GO_LEVELS[level ?? ''] ?? 'error'](msg ?? line, fields);
  } catch {
    // The CLI's start-up banner is plain text.
    logger.debug(line);
  }
}

function relayLines(stream: NodeJS.ReadableStream, logger: Logger, recent: string[]): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      relayLine(logger, line);
    }
  });
}

function startArgs(options: DevServerOptions): string[] {
  return [
    'server', 'start-dev',
    '--ip', HOST,
    '--port', String(options.port),
    '--namespace', options.namespace,
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-ip', HOST, '--ui-port', String(options.uiPort)]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...DEV_SERVER_SEARCH_ATTRIBUTES.flatMap((attribute) => ['--search-attribute', attribute]),
    // Otherwise it calls home at start-up; this machine may have no internet.
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
    '--log-format', 'json',
    '--log-level', 'warn',
  ];
}

/** Resolves once the namespace answers over gRPC; rejects when `exited` settles first or time runs out. */
async function waitUntilReady(address: string, namespace: string, timeoutMs: number, exited: Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stop = false;
  const early = exited.then((why) => {
    stop = true;
    throw new Error(why);
  });
  const poll = async (): Promise<void> => {
    let lastError: unknown;
    while (!stop && Date.now() < deadline) {
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        lastError = err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    if (!stop) throw new Error(`it did not answer within ${timeoutMs} ms (${(lastError as Error | undefined)?.message ?? 'no answer'})`);
  };
  await Promise.race([poll(), early]);
}

/**
 * Runs the official `temporal server start-dev` (the Temporal CLI, see binaries.ts) on 127.0.0.1 with the delivery
 * search attributes registered, and waits until it serves `namespace`. The server gets a process group of its
 * own: a Ctrl-C in the terminal reaches the launcher, which stops the service in order, Temporal last.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const binary = requireBinary(TEMPORAL_CLI);
  if (options.dbFile) await mkdir(path.dirname(path.resolve(options.dbFile)), { recursive: true, mode: 0o700 });
  const logger = options.logger.child({ component: 'temporal-server' });
  const child = spawn(binary, startArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  const recent: string[] = [];
  relayLines(child.stdout, logger, recent);
  relayLines(child.stderr, logger, recent);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not run ${binary}: ${err.message}`));
    child.once('exit', (code, signal) => resolve(`it exited with ${signal ?? code}${recent.length ? `:\n${recent.join('\n')}` : ''}`));
  });
  // If the launcher exits without calling stop(), the server must not outlive it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const address = `${HOST}:${options.port}`;
  try {
    await waitUntilReady(address, options.namespace, options.readyTimeoutMs ?? 30_000, exited);
  } catch (err) {
    await stop();
    throw new Error(`The Temporal dev server (${binary}) did not start on ${address}: ${(err as Error).message}`, { cause: err });
  }
  return { address, ...(options.uiPort === undefined ? {} : { uiUrl: `http://${HOST}:${options.uiPort}` }), stop };
}
