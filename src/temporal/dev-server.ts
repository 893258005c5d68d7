import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { serverStopper } from '../child-server';
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
  /** The server's process id, also its process group's (for fault-injection tools). */
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL if it lingers) and waits for it to exit. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 10_000;
const GO_LEVELS: Record<string, 'debug' | 'info' | 'warn' | 'error'> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' };

/**
 * Errors the dev server logs in normal operation: it has no cluster id of its own at start-up, and while it stops,
 * its internal workers' polls fail (tens of lines) until they notice. Logged at debug level.
 */
const BENIGN = /^Cluster Id in Cluster Metadata config is not a valid uuid/;

/** One line of the server's output as one line of our log: its JSON fields kept, its level mapped (fatal → error). */
function relayLine(logger: Logger, line: string, stopping: boolean): void {
  if (!line.trim()) return;
  let record: { level?: string; msg?: string } & Record<string, unknown>;
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    // The CLI's start-up banner is plain text.
    logger.debug(line);
    return;
  }
  const { level, msg, ...fields } = record;
  const message = msg ?? line;
  logger[stopping || BENIGN.test(message) ? 'debug' : (GO_LEVELS[level ?? ''] ?? 'error')](message, fields);
}

function relayLines(stream: NodeJS.ReadableStream, logger: Logger, recent: string[], stopping: () => boolean): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      relayLine(logger, line, stopping());
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

/** True when something accepts TCP connections on host:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the readiness wait shares with the watch on the server's exit. */
interface ReadinessWait {
  /** Set when the server exited: the wait is over. */
  exitReason?: string;
  /** The connection attempt in flight, closed at once when the server exits. */
  probe?: Connection;
}

/**
 * Resolves once the server listens and serves `namespace` over gRPC. A plain TCP probe comes first: a gRPC
 * connection attempt to a port nobody listens on yet would back off for seconds.
 */
async function untilReady(port: number, namespace: string, deadline: number, wait: ReadinessWait): Promise<void> {
  const over = () => wait.exitReason !== undefined || Date.now() > deadline;
  while (!(await isListening(port))) {
    if (over()) return;
    await sleep(100);
  }
  for (;;) {
    // A fresh, short-lived connection per try: a failed one would back off, and must not outlive the wait.
    const connection = Connection.lazy({ address: `${HOST}:${port}`, connectTimeout: 2_000 });
    wait.probe = connection;
    try {
      await connection.ensureConnected();
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      if (over()) throw err;
      await sleep(100);
    } finally {
      await connection.close();
    }
  }
}

/** Resolves once the server is ready; rejects with the reason when it exits first or time runs out. */
async function waitUntilReady(port: number, namespace: string, timeoutMs: number, exited: Promise<string>): Promise<void> {
  const wait: ReadinessWait = {};
  void exited.then((why) => {
    wait.exitReason = why;
    // A connection attempt in flight would otherwise wait out its timeout.
    void wait.probe?.close();
  });
  const deadline = Date.now() + timeoutMs;
  const ready = untilReady(port, namespace, deadline, wait).then(
    () => wait.exitReason === undefined && Date.now() <= deadline,
    () => false,
  );
  // Whichever comes first: ready, or the server's exit (no need to wait for a probe in flight to notice).
  const outcome = await Promise.race([ready, exited.then(() => false)]);
  if (outcome) return;
  throw new Error(wait.exitReason ?? `it did not serve namespace ${namespace} within ${timeoutMs} ms`);
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
  let stopping = false;
  relayLines(child.stdout, logger, recent, () => stopping);
  relayLines(child.stderr, logger, recent, () => stopping);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not run ${binary}: ${err.message}`));
    child.once('exit', (code, signal) => resolve(`it exited with ${signal ?? code}${recent.length ? `:\n${recent.join('\n')}` : ''}`));
  });
  const stop = serverStopper(child, exited, { signal: 'SIGTERM', onLauncherExit: 'SIGKILL', graceMs: STOP_GRACE_MS, onStopping: () => (stopping = true) });

  const address = `${HOST}:${options.port}`;
  try {
    await waitUntilReady(options.port, options.namespace, options.readyTimeoutMs ?? 30_000, exited);
  } catch (err) {
    await stop();
    throw new Error(`The Temporal dev server (${binary}) did not start on ${address}: ${(err as Error).message}`, { cause: err });
  }
  return { address, ...(options.uiPort === undefined ? {} : { uiUrl: `http://${HOST}:${options.uiPort}` }), pid: child.pid ?? 0, stop };
}
