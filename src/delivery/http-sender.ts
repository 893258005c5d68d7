import http from 'node:http';
import https from 'node:https';
import { classifyNetworkError, RequestTimeoutError, type NetworkErrorClass } from './network-errors';
import { redactOutcome } from './redact-secrets';
import { parseRetryAfter } from './retry-after';
import { checkLiteralHost, guardedLookup } from './ssrf-guard';

export type { NetworkErrorClass } from './network-errors';

/** One fully prepared HTTP request to a publisher (see callback-request.ts). */
export interface CallbackRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /**
   * Secret values the request carries or was made with, beyond its secret-named headers and query parameters
   * (which are found by name): none of them may appear in the outcome (see redact-secrets.ts).
   */
  secrets?: readonly string[];
}

export type SendOutcome =
  | { kind: 'response'; status: number; bodySnippet: string; durationMs: number; retryAfterMs?: number }
  | { kind: 'error'; errorClass: NetworkErrorClass; message: string; durationMs: number };

/** What the delivery activity needs from HTTP; tests may inject another implementation. */
export interface HttpSender {
  send(request: CallbackRequest): Promise<SendOutcome>;
}

export interface HttpSenderOptions {
  allowPrivateTargets: boolean;
  /**
   * Connections kept open per publisher origin between attempts (keep-alive), so that a burst to one publisher does
   * not pay a TCP (and TLS) handshake per callback. 0 opens a fresh connection for every attempt.
   */
  maxSocketsPerOrigin?: number;
  /** Only this much of a response body is read and kept: enough to see an error message, never a whole page. */
  maxSnippetBytes?: number;
  userAgent?: string;
}

const DEFAULT_SNIPPET_BYTES = 4096;
const DEFAULT_SOCKETS_PER_ORIGIN = 32;
/**
 * An idle kept-alive connection is closed after this long: below the 5 s idle timeout of common servers (Node,
 * nginx's 75 s is longer), so that a request rarely goes out on a connection the publisher is closing.
 */
const IDLE_SOCKET_MS = 4_000;
const DEFAULT_USER_AGENT = 'conversion-callbacks/0.1 (+server-to-server postback)';

interface HttpAnswer {
  status: number;
  bodySnippet: string;
  retryAfterMs?: number;
}

function parseTarget(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Collects at most `maxBytes` of the body, then stops reading (the rest is never downloaded). `text()` is what came
 * so far, with NUL characters dropped (Postgres text cannot hold them, and a binary answer must not make the
 * attempt's write fail); `done` resolves when the body ended, reached `maxBytes`, or was cut off.
 */
function collectSnippet(response: http.IncomingMessage, maxBytes: number): { text(): string; done: Promise<void>; complete(): boolean } {
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = false;
  response.on('end', () => {
    complete = true;
  });
  const done = new Promise<void>((resolve) => {
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) {
        response.destroy();
        resolve();
      }
    });
    response.on('end', resolve);
    response.on('error', () => resolve());
    response.on('close', resolve);
  });
  return {
    text: () => Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').replace(/\0/g, ''),
    done,
    // Read to its end: the connection may carry the next request.
    complete: () => complete,
  };
}

/**
 * Keep-alive agents: Node bounds `maxSockets` per origin (host and port), so one slow publisher cannot take the
 * sockets another needs, and drops an origin's bookkeeping once it has no sockets left. The SSRF guard is the lookup of
 * every NEW connection (a kept-alive one was checked when it was opened); idle connections are unref'd by Node and
 * closed after IDLE_SOCKET_MS. A request whose kept-alive connection the publisher drops is not sent again here (the
 * publisher may have processed it): it is a connection reset, and Temporal's next attempt, recorded, sends again.
 */
function keepAliveAgents(maxSocketsPerOrigin: number): { http: http.Agent; https: https.Agent } | undefined {
  if (maxSocketsPerOrigin === 0) return undefined;
  const options = { keepAlive: true, maxSockets: maxSocketsPerOrigin, maxFreeSockets: maxSocketsPerOrigin, timeout: IDLE_SOCKET_MS };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const maxSnippetBytes = options.maxSnippetBytes ?? DEFAULT_SNIPPET_BYTES;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const agents = keepAliveAgents(options.maxSocketsPerOrigin ?? DEFAULT_SOCKETS_PER_ORIGIN);

  function exchange(target: URL, request: CallbackRequest): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const literalBlocked = options.allowPrivateTargets ? undefined : checkLiteralHost(target.hostname);
      if (literalBlocked) return reject(literalBlocked);
      const isHttps = target.protocol === 'https:';
      const transport = isHttps ? https : http;
      const headers: Record<string, string> = { 'user-agent': userAgent, ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      const req = transport.request(target, {
        method: request.method,
        headers,
        // Without keep-alive, a fresh connection per attempt.
        agent: agents ? (isHttps ? agents.https : agents.http) : false,
        lookup: options.allowPrivateTargets ? undefined : guardedLookup,
      });
      // Set once the status line came: from then on the publisher has answered, and a body that is slow or cut
      // short only shortens the snippet (a 200 must not become a timeout, retried and delivered twice).
      let answer: (() => void) | undefined;
      const fail = (err: Error) => {
        if (answer) return answer();
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      // One deadline for connect, headers and the snippet; `timeout` of http.request is only an idle timeout.
      const timer = setTimeout(() => fail(new RequestTimeoutError(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
      req.on('error', fail);
      req.on('response', (response) => {
        const snippet = collectSnippet(response, maxSnippetBytes);
        answer = () => {
          clearTimeout(timer);
          // A body read to its end leaves the connection to the agent for the next request; any other is closed.
          if (!snippet.complete()) req.destroy();
          const retryAfterMs = parseRetryAfter(response.headers['retry-after'], Date.now());
          resolve({ status: response.statusCode ?? 0, bodySnippet: snippet.text(), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
        };
        void snippet.done.then(answer);
      });
      req.end(request.body);
    });
  }

  /** One attempt's outcome, as the network gave it. */
  async function attempt(request: CallbackRequest): Promise<SendOutcome> {
    const startedAt = Date.now();
    const target = parseTarget(request.url);
    if (!target) {
      return { kind: 'error', errorClass: 'invalid_url', message: 'callback URL is not a valid http(s) URL', durationMs: 0 };
    }
    try {
      const answer = await exchange(target, request);
      return { kind: 'response', ...answer, durationMs: Date.now() - startedAt };
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      return { kind: 'error', errorClass: classifyNetworkError(error), message: error.message, durationMs: Date.now() - startedAt };
    }
  }

  return {
    // Here, where the outcome is made: whatever stores, logs or shows it never sees the request's secrets.
    send: async (request) => redactOutcome(await attempt(request), request),
  };
}

/** The sender the service uses, from its configuration: the SSRF guard unless private targets are allowed, keep-alive. */
export function httpSenderFor(config: { ALLOW_PRIVATE_TARGETS: boolean; CALLBACK_SOCKETS_PER_ORIGIN: number }): HttpSender {
  return createHttpSender({ allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS, maxSocketsPerOrigin: config.CALLBACK_SOCKETS_PER_ORIGIN });
}
