import { createHttpSender } from '../../src/delivery/http-sender';
import { refusedUrl, useReceivers } from '../support/receiver';

const receiver = useReceivers();

const sender = createHttpSender({ allowPrivateTargets: true, maxSnippetBytes: 16 });

describe('http sender', () => {
  it('POSTs the body with its headers and a User-Agent, and returns the status and a snippet', async () => {
    const publisher = await receiver([{ status: 201, body: 'created' }]);
    const outcome = await sender.send({
      url: `${publisher.url}/cb?x=1`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'conv-1' },
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 201, bodySnippet: 'created' });
    expect(publisher.requests[0]).toMatchObject({ method: 'POST', url: '/cb?x=1', body: '{"a":1}' });
    expect(publisher.requests[0].headers).toMatchObject({ 'idempotency-key': 'conv-1', 'content-length': '7' });
    expect(publisher.requests[0].headers['user-agent']).toMatch(/^conversion-callbacks/);
  });

  it('sends a GET without a body', async () => {
    const publisher = await receiver([{ status: 200 }]);
    const outcome = await sender.send({ url: publisher.url, method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(publisher.requests[0]).toMatchObject({ method: 'GET', body: '' });
  });

  it('keeps only the first bytes of a large response', async () => {
    const publisher = await receiver([{ status: 500, body: 'x'.repeat(100_000) }]);
    const outcome = await sender.send({ url: publisher.url, method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: 'response', status: 500, bodySnippet: 'x'.repeat(16) });
  });

  it('reads Retry-After', async () => {
    const publisher = await receiver([{ status: 503, headers: { 'retry-after': '300' } }]);
    const outcome = await sender.send({ url: publisher.url, method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: 'response', status: 503, retryAfterMs: 300_000 });
  });

  it('gives up after the timeout', async () => {
    const publisher = await receiver([{ status: 200, delayMs: 1000 }]);
    const outcome = await sender.send({ url: publisher.url, method: 'GET', headers: {}, timeoutMs: 100 });
    // The publisher would answer 200 after a second: a timeout outcome proves the 100 ms limit applied.
    expect(outcome).toMatchObject({ kind: 'error', errorClass: 'timeout' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(90);
  });

  it('reports a refused connection', async () => {
    const outcome = await sender.send({ url: await refusedUrl(), method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: 'error', errorClass: 'connection_refused' });
  });

  it('reports a connection reset by the server', async () => {
    const publisher = await receiver([{ status: 0, reset: true }]);
    const outcome = await sender.send({ url: publisher.url, method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: 'error', errorClass: 'connection_reset' });
  });

  it('refuses an invalid or non-http URL', async () => {
    for (const url of ['not a url', 'ftp://example.com/x', 'file:///etc/passwd']) {
      expect(await sender.send({ url, method: 'GET', headers: {}, timeoutMs: 2000 })).toMatchObject({
        kind: 'error',
        errorClass: 'invalid_url',
      });
    }
  });

  it('keeps the secrets it sent out of the snippet, even one cut off by the snippet limit', async () => {
    // An endpoint that echoes the request's headers; 16 bytes keep "echo: " and the first ten characters of the secret.
    const publisher = await receiver((req) => ({ status: 400, body: `echo: ${String(req.headers['x-partner'])}` }));
    const outcome = await sender.send({
      url: publisher.url,
      method: 'GET',
      headers: { 'x-partner': 'partner-secret-value' },
      timeoutMs: 2000,
      secrets: ['partner-secret-value'],
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 400, bodySnippet: 'echo: [redacted]' });
  });

  describe('with private targets refused', () => {
    const guarded = createHttpSender({ allowPrivateTargets: false });

    it('refuses a hostname that resolves to loopback, without connecting', async () => {
      const publisher = await receiver([{ status: 200 }]);
      const url = publisher.url.replace('127.0.0.1', 'localhost');
      const outcome = await guarded.send({ url, method: 'GET', headers: {}, timeoutMs: 2000 });
      expect(outcome).toMatchObject({ kind: 'error', errorClass: 'blocked_target' });
      expect(publisher.requests).toHaveLength(0);
    });

    it('refuses a loopback IP literal', async () => {
      const publisher = await receiver([{ status: 200 }]);
      const outcome = await guarded.send({ url: publisher.url, method: 'GET', headers: {}, timeoutMs: 2000 });
      expect(outcome).toMatchObject({ kind: 'error', errorClass: 'blocked_target' });
      expect(publisher.requests).toHaveLength(0);
    });

    it('reaches the same hostname when private targets are allowed', async () => {
      const publisher = await receiver([{ status: 204 }]);
      const url = publisher.url.replace('127.0.0.1', 'localhost');
      expect(await sender.send({ url, method: 'GET', headers: {}, timeoutMs: 2000 })).toMatchObject({ status: 204 });
    });
  });
});
