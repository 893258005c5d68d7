import express, { type Request, type RequestHandler } from 'express';
import { ApiError, ValidationError } from './errors';
import { JsonProblem, parseStrictJson } from './json-parser';

export interface JsonBodyLimits {
  /** Largest body, in bytes once decompressed. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays, the body itself included. */
  maxDepth: number;
}

/** The encodings Node decompresses on every supported version (zstd only from Node 22.15), so answers do not vary. */
const CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'];

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, 'unsupported_media_type', message);
}

function bodyProblem(reason: string, field = ''): ValidationError {
  return new ValidationError([{ in: 'body', field, reason }]);
}

/** Lower-cased; body-parser treats a missing or empty header as identity too. */
function contentEncoding(req: Request): string {
  return (req.get('content-encoding') || 'identity').trim().toLowerCase();
}

/** A body is present when it is chunked or has a non-zero length; `Content-Length: 0` is the same as none. */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
}

/** Why the body cannot be read as JSON from its headers alone, before a byte of it is read. */
function headerProblem(req: Request): ApiError | undefined {
  if (!req.is('application/json')) {
    return unsupportedMediaType('The request body must be JSON, sent with Content-Type: application/json');
  }
  const charset = CHARSET.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return unsupportedMediaType(`The request body must be UTF-8 JSON, not charset=${charset}`);
  }
  const encoding = contentEncoding(req);
  if (!CONTENT_ENCODINGS.includes(encoding)) {
    return unsupportedMediaType(`Content-Encoding ${encoding} is not supported; send the body uncompressed, or as gzip, deflate or br`);
  }
  return undefined;
}

/** body-parser's read errors carry a `type`; a stream error from the decompressor does not. */
function readProblem(err: unknown, req: Request, maxBytes: number): ApiError {
  const type = err instanceof Error ? (err as Error & { type?: unknown }).type : undefined;
  if (type === 'entity.too.large') return new ApiError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes`);
  const encoding = contentEncoding(req);
  if (type === undefined && encoding !== 'identity') return bodyProblem(`is not valid ${encoding} data (Content-Encoding: ${encoding})`);
  return new ApiError(400, 'bad_request', `The request body could not be read (${err instanceof Error ? err.message : String(err)})`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as a JSON object, refusing what would be stored differently from what was sent (see json-parser.ts). */
function parseBody(bytes: Buffer, maxDepth: number): Record<string, unknown> | undefined {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    // Fatal: an invalid byte sequence would otherwise become U+FFFD and be stored as such.
    text = utf8.decode(bytes);
  } catch {
    throw bodyProblem('is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = parseStrictJson(text, maxDepth);
  } catch (err) {
    if (err instanceof JsonProblem) throw bodyProblem(err.reason, err.path.join('.'));
    throw err;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bodyProblem('must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Reads a request's JSON body into `req.body` (left undefined without a body). Any body must be
 * `application/json` in UTF-8, optionally compressed with gzip, deflate or br; whatever cannot be read or parsed
 * faithfully is a 4xx naming the problem, never a 500.
 */
export function jsonBody({ maxBytes, maxDepth }: JsonBodyLimits): RequestHandler {
  // body-parser reads, decompresses and enforces the size limit; the parsing is ours.
  const readBytes = express.raw({ type: () => true, limit: maxBytes });
  return (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    const problem = headerProblem(req);
    if (problem) {
      next(problem);
      return;
    }
    readBytes(req, res, (err?: unknown) => {
      if (err) {
        next(readProblem(err, req, maxBytes));
        return;
      }
      try {
        req.body = parseBody(req.body as Buffer, maxDepth);
        next();
      } catch (parseErr) {
        next(parseErr);
      }
    });
  };
}
