import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpSender } from '../../src/delivery/http-sender';

/** A publisher on 127.0.0.1 that counts the connections its requests come on. */
async function publisher(handle: (req: IncomingMessage, res: ServerResponse, requestOnSocket: number) => void) {
  const served = new WeakMap<Socket, number>();
  let connections = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    handle(req, res, n);
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
  return {
    url,
    counts: () => ({ connections, requests }),
    /** Kept-alive connections included: the sender's idle sockets would keep the server open for seconds. */
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const request = (url: string) => ({ url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 });

describe('keep-alive connections to a publisher', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((close) => close()));
  });

  it('sends consecutive callbacks to one origin over one connection', async () => {
    const target = await publisher((_req, res) => res.end('OK'));
    closing.push(target.close);
    const sender = createHttpSender({ allowPrivateTargets: true });
    for (let i = 0; i < 5; i += 1) expect(await sender.send(request(target.url))).toMatchObject({ kind: 'response', status: 200, bodySnippet: 'OK' });
    expect(target.counts()).toEqual({ connections: 1, requests: 5 });
  });

  it('opens a connection per attempt when keep-alive is off (maxSocketsPerOrigin 0)', async () => {
    const target = await publisher((_req, res) => res.end('OK'));
    closing.push(target.close);
    const sender = createHttpSender({ allowPrivateTargets: true, maxSocketsPerOrigin: 0 });
    for (let i = 0; i < 3; i += 1) await sender.send(request(target.url));
    expect(target.counts()).toEqual({ connections: 3, requests: 3 });
  });

  it('closes a connection whose answer was longer than the snippet, and opens a new one for the next callback', async () => {
    const target = await publisher((_req, res) => res.end('x'.repeat(64 * 1024)));
    closing.push(target.close);
    const sender = createHttpSender({ allowPrivateTargets: true, maxSnippetBytes: 16 });
    for (let i = 0; i < 2; i += 1) expect(await sender.send(request(target.url))).toMatchObject({ status: 200, bodySnippet: 'x'.repeat(16) });
    expect(target.counts()).toEqual({ connections: 2, requests: 2 });
  });

  it('never sends a callback twice in one attempt when the publisher drops a kept-alive connection', async () => {
    // The second request on a connection is dropped unanswered: the publisher may or may not have processed it, so
    // it is a connection reset (retried by Temporal as a recorded attempt), not a hidden second request.
    const target = await publisher((req, res, requestOnSocket) => (requestOnSocket > 1 ? req.socket.destroy() : res.end('OK')));
    closing.push(target.close);
    const sender = createHttpSender({ allowPrivateTargets: true });
    expect(await sender.send(request(target.url))).toMatchObject({ status: 200 });
    expect(await sender.send(request(target.url))).toMatchObject({ kind: 'error', errorClass: 'connection_reset' });
    expect(target.counts()).toEqual({ connections: 1, requests: 2 });
    // The next callback gets a fresh connection.
    expect(await sender.send(request(target.url))).toMatchObject({ status: 200 });
    expect(target.counts()).toEqual({ connections: 2, requests: 3 });
  });

  it('never sends a callback again after it timed out on a kept-alive connection', async () => {
    const target = await publisher((_req, res, requestOnSocket) => (requestOnSocket > 1 ? undefined : res.end('OK')));
    closing.push(target.close);
    const sender = createHttpSender({ allowPrivateTargets: true });
    await sender.send(request(target.url));
    expect(await sender.send({ ...request(target.url), timeoutMs: 200 })).toMatchObject({ kind: 'error', errorClass: 'timeout' });
    // Anything sent after the timeout would have reached the publisher by the time a next request does.
    expect(await sender.send(request(target.url))).toMatchObject({ status: 200 });
    expect(target.counts()).toEqual({ connections: 2, requests: 3 });
  });

  it('a publisher that drops a fresh connection is a connection reset, not sent again', async () => {
    const target = await publisher((req) => req.socket.destroy());
    closing.push(target.close);
    const sender = createHttpSender({ allowPrivateTargets: true });
    expect(await sender.send(request(target.url))).toMatchObject({ kind: 'error', errorClass: 'connection_reset' });
    expect(target.counts()).toEqual({ connections: 1, requests: 1 });
  });

  it('refuses a loopback target on every attempt, by address and by name, keep-alive or not', async () => {
    const target = await publisher((_req, res) => res.end('OK'));
    closing.push(target.close);
    const guarded = createHttpSender({ allowPrivateTargets: false });
    const byName = target.url.replace('127.0.0.1', 'localhost');
    for (const url of [target.url, byName, byName]) {
      expect(await guarded.send(request(url))).toMatchObject({ kind: 'error', errorClass: 'blocked_target' });
    }
    expect(target.counts()).toEqual({ connections: 0, requests: 0 });
  });
});
