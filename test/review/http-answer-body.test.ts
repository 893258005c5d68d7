import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpSender } from '../../src/delivery/http-sender';

/** Once the status line came, the publisher has answered: what happens to the body only shortens the snippet. */
describe('http sender, after the status line', () => {
  let server: http.Server;
  let url: string;
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(req.url === '/slow-503' ? 503 : 200, { 'content-type': 'text/plain', 'retry-after': '300' });
      res.write('partial ');
      if (req.url === '/cut') return void setTimeout(() => res.socket?.destroy(), 20);
      // /slow and /slow-503: the rest of the body comes long after the sender's deadline.
      timers.push(setTimeout(() => res.end('rest'), 5_000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    timers.forEach(clearTimeout);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sender = createHttpSender({ allowPrivateTargets: true });

  it('a 200 whose body outlasts the deadline is a 200 with the snippet so far, not a timeout', async () => {
    const outcome = await sender.send({ url: `${url}/slow`, method: 'GET', headers: {}, timeoutMs: 300 });
    // The snippet without 'rest' shows the sender did not wait for the body's end.
    expect(outcome).toMatchObject({ kind: 'response', status: 200, bodySnippet: 'partial ' });
  });

  it('a 503 whose body outlasts the deadline keeps its status and Retry-After', async () => {
    const outcome = await sender.send({ url: `${url}/slow-503`, method: 'GET', headers: {}, timeoutMs: 300 });
    expect(outcome).toMatchObject({ kind: 'response', status: 503, retryAfterMs: 300_000, bodySnippet: 'partial ' });
  });

  it('a 200 whose connection drops during the body is a 200', async () => {
    const outcome = await sender.send({ url: `${url}/cut`, method: 'GET', headers: {}, timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ kind: 'response', status: 200, bodySnippet: 'partial ' });
  });
});
