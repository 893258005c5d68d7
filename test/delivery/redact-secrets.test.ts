import type { CallbackRequest } from '../../src/delivery/http-sender';
import { redactOutcome, requestSecrets, secretRedactor } from '../../src/delivery/redact-secrets';

const request = (overrides: Partial<CallbackRequest> = {}): CallbackRequest => ({
  url: 'https://pub.example/cb?click=click-1',
  method: 'POST',
  headers: { 'idempotency-key': 'conv-1', 'content-type': 'application/json' },
  timeoutMs: 1000,
  ...overrides,
});

describe('the secrets of a callback request', () => {
  it('are the values it names, and those of secret-named headers and query parameters', () => {
    const secrets = requestSecrets(
      request({
        url: 'https://pub.example/cb?click=click-1&api_key=key-123&access_token=',
        headers: { 'idempotency-key': 'conv-1', authorization: 'Bearer abcdefgh12345', 'x-partner': 'not-a-secret-name' },
        secrets: ['partner-value', 'v1,c2lnbmF0dXJlLXZhbHVl'],
      }),
    );
    expect(secrets).toEqual(
      expect.arrayContaining(['partner-value', 'v1,c2lnbmF0dXJlLXZhbHVl', 'Bearer abcdefgh12345', 'key-123', 'abcdefgh12345', 'c2lnbmF0dXJlLXZhbHVl']),
    );
    // An empty value, a conversion's own data and the scheme of a credential are not secrets.
    expect(secrets).not.toEqual(expect.arrayContaining(['']));
    expect(secrets).not.toContain('click-1');
    expect(secrets).not.toContain('conv-1');
    expect(secrets).not.toContain('Bearer');
    expect(secrets).not.toContain('v1');
  });
});

describe('redacting secrets', () => {
  const secret = 'p@ss word/+="42"';
  const redact = secretRedactor([secret]);

  it.each([
    ['as sent', secret],
    ['URL-encoded', encodeURIComponent(secret)],
    ['URL-encoded in lower case', encodeURIComponent(secret).toLowerCase()],
    ['form-encoded', encodeURIComponent(secret).replace(/%20/g, '+')],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ["JSON-escaped by PHP's json_encode", JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/')],
    ['in base64', Buffer.from(secret).toString('base64')],
    ['in base64url', Buffer.from(secret).toString('base64url')],
  ])('replaces a secret echoed %s', (_, form) => {
    expect(redact(`{"echo":"${form}","n":1}`)).toBe('{"echo":"[redacted]","n":1}');
  });

  it('replaces every occurrence, of every secret', () => {
    expect(secretRedactor(['first-secret', 'second-secret'])('first-secret, second-secret, first-secret')).toBe(
      '[redacted], [redacted], [redacted]',
    );
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    expect(secretRedactor(['abcd', 'abcdefgh'])('x abcdefgh y')).toBe('x [redacted] y');
  });

  it('replaces a secret cut off at the end of a bounded snippet', () => {
    expect(secretRedactor(['0123456789abcdef'])('headers: x-token=0123456')).toBe('headers: x-token=[redacted]');
    // Three characters say nothing of a secret: a text may end with them by chance.
    expect(secretRedactor(['0123456789abcdef'])('page 012')).toBe('page 012');
  });

  it('leaves a text without secrets as it is', () => {
    expect(secretRedactor([])('nothing to hide')).toBe('nothing to hide');
    expect(redact('publisher answered 503')).toBe('publisher answered 503');
  });

  it('never throws, even on a secret that cannot be URL-encoded', () => {
    expect(secretRedactor(['\uD800lone-surrogate'])('echo: \uD800lone-surrogate')).toBe('echo: [redacted]');
  });

  it("redacts an outcome's snippet, or its error message", () => {
    const carrying = request({ secrets: ['partner-value'] });
    expect(redactOutcome({ kind: 'response', status: 401, bodySnippet: 'bad token partner-value', durationMs: 3 }, carrying)).toEqual({
      kind: 'response',
      status: 401,
      bodySnippet: 'bad token [redacted]',
      durationMs: 3,
    });
    expect(redactOutcome({ kind: 'error', errorClass: 'tls', message: 'rejected partner-value', durationMs: 3 }, carrying)).toEqual({
      kind: 'error',
      errorClass: 'tls',
      message: 'rejected [redacted]',
      durationMs: 3,
    });
  });
});
