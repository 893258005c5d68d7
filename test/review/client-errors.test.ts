import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { answerClientErrorsWithJson } from '../../src/api/client-errors';
import { useTestApi } from '../support/api';

/** Sends `raw` on a new connection and resolves with everything the server writes back until it closes it. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parse(response: string): { status: number; contentType: string | undefined; body: unknown } {
  const [head, body = ''] = response.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    contentType: /^content-type: (.*)$/im.exec(head)?.[1],
    body: JSON.parse(body) as unknown,
  };
}

/** Node answers what it cannot parse before Express sees it; those answers were bodiless and not JSON. */
describe('HTTP-level client errors', () => {
  const api = useTestApi();
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer(api.app);
    answerClientErrorsWithJson(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('headers over the size limit are a JSON 431', async () => {
    const answer = parse(await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer).toEqual({
      status: 431,
      contentType: 'application/json; charset=utf-8',
      body: { error: { code: 'headers_too_large', message: expect.stringContaining('headers') } },
    });
  });

  it.each([
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ['an unknown method', 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n'],
    ['two Content-Length headers that disagree', 'POST /v1/conversions HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}'],
  ])('%s is a JSON 400', async (_, raw) => {
    expect(parse(await exchange(port, raw))).toEqual({
      status: 400,
      contentType: 'application/json; charset=utf-8',
      body: { error: { code: 'bad_request', message: 'The request is not valid HTTP' } },
    });
  });

  it('still serves well-formed requests on the same server', async () => {
    expect(parse(await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
  });
});
