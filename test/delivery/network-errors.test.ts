import { classifyNetworkError } from '../../src/delivery/network-errors';

const error = (code: string | undefined, message = 'x'): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('classifying network errors', () => {
  it.each([
    ['ECONNREFUSED', 'connection_refused'],
    ['ECONNRESET', 'connection_reset'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ETIMEDOUT', 'timeout'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['EHOSTUNREACH', 'network'],
  ])('%s is %s', (code, errorClass) => {
    expect(classifyNetworkError(error(code))).toBe(errorClass);
  });

  it('reads a hang-up without a code as a reset connection', () => {
    expect(classifyNetworkError(error(undefined, 'socket hang up'))).toBe('connection_reset');
  });
});
