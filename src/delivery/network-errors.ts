/** How an attempt that got no HTTP answer failed: the `error_class` of its attempt row. */
export type NetworkErrorClass =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'blocked_target'
  | 'invalid_url'
  | 'network';

/** The sender's own deadline (connect, headers and snippet together) expired. */
export class RequestTimeoutError extends Error {
  readonly code = 'ERR_CALLBACK_TIMEOUT';
}

const ERROR_CLASS_BY_CODE: Record<string, NetworkErrorClass> = {
  ERR_CALLBACK_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ERR_BLOCKED_TARGET: 'blocked_target',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  ENODATA: 'dns',
};

export function classifyNetworkError(err: NodeJS.ErrnoException): NetworkErrorClass {
  const code = err.code ?? '';
  if (code in ERROR_CLASS_BY_CODE) return ERROR_CLASS_BY_CODE[code];
  // OpenSSL reports certificate and handshake problems under many codes; these prefixes cover them.
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) return 'tls';
  if (err.message === 'socket hang up') return 'connection_reset';
  return 'network';
}
