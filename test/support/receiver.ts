import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A publisher's endpoint for tests: binds 127.0.0.1:0, records every request, answers what the test scripts. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From the receiver's clock: the test server's skipped time in workflow tests, Date.now otherwise. */
  receivedAt: number;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer this late (to provoke a timeout). */
  delayMs?: number;
  /** Answer only once this settles: the test decides when (e.g. after another request went through). */
  hold?: Promise<unknown>;
  /** Close the connection without answering. */
  reset?: boolean;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `answers` are used in order, the last one repeats; a function decides per request. */
export async function startReceiver(
  answers: Answer[] | ((request: ReceivedRequest, index: number) => Answer),
  clock: () => number | Promise<number> = Date.now,
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: await clock(),
      };
      const index = requests.push(received) - 1;
      const answer = typeof answers === 'function' ? answers(received, index) : answers[Math.min(index, answers.length - 1)];
      if (answer.reset) return void req.socket.destroy();
      await answer.hold;
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
      }, answer.delayMs ?? 0);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // A delayed answer still pending must not keep a timer alive after the test.
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The same place as a host:port address (for a Temporal connection that must fail). */
export async function refusedAddress(): Promise<string> {
  return new URL(await refusedUrl()).host;
}

/**
 * Call in a test file's top scope (or a describe): returns `startReceiver` whose receivers are all closed after each
 * test, so none outlives the test that started it.
 */
export function useReceivers(): typeof startReceiver {
  const open: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  });
  return async (...args) => {
    const receiver = await startReceiver(...args);
    open.push(receiver);
    return receiver;
  };
}
