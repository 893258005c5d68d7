import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

/** Node's own answers to requests it cannot parse (see `socketOnError` in Node's _http_server.js), as JSON. */
const ANSWERS: Record<string, ErrorAnswer> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'The request headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, code: 'payload_too_large', message: 'The chunk extensions are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'The request was not received in time' },
};
const BAD_REQUEST: ErrorAnswer = { status: 400, code: 'bad_request', message: 'The request is not valid HTTP' };

function jsonResponse({ status, code, message }: ErrorAnswer): string {
  const body = JSON.stringify({ error: { code, message } });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Makes the answers Node gives before Express sees a request (malformed HTTP, headers over the size limit, a
 * request timeout) JSON like every other error of the API. Call once on the server that serves the app; returns it.
 */
export function answerClientErrorsWithJson<S extends Server>(server: S): S {
  server.on('clientError', (err: Error, socket: Duplex) => {
    const { code = '' } = err as NodeJS.ErrnoException;
    // Nothing can be answered on a connection that is gone or that already carries (part of) a response.
    const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
    if (code === 'ECONNRESET' || !socket.writable || written > 0) {
      socket.destroy();
      return;
    }
    socket.end(jsonResponse(ANSWERS[code] ?? BAD_REQUEST));
  });
  return server;
}
