import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * fast-check generators of HTTP requests to the API, for test/api/fuzz.test.ts: mostly well-aimed (a route with
 * its method and a body close to valid) so that requests get past the first check, with hostile parts mixed in.
 */

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch' | 'options' | 'head';

export interface FuzzRequest {
  method: Method;
  /** Path and query string exactly as sent, percent-encodings (malformed ones too) included. */
  url: string;
  auth: 'valid' | 'missing' | 'wrong';
  contentType?: string;
  contentEncoding?: string;
  /** The body's JSON text, as generated (before compression or byte damage); undefined for no body. */
  text?: string;
  /** The bytes sent. */
  bytes?: Buffer;
}

/** Ids that exist before the run (made by the test's beforeAll), so that some requests hit real rows. */
export const KNOWN = { publisherId: 'pub-fuzz', conversionId: 'conv-fuzz', eventId: 'event-fuzz' };

const json = (value: unknown): string => JSON.stringify(value);

// --- path segments -------------------------------------------------------------------------------------------

const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,24}$/);
const PERCENT = ['%41', '%2F', '%25', '%00', '%20', '%E2%82%AC', '%F0%9F%98%80', '%', '%f', '%ff', '%C0%AF', '%ED%A0%80', '%zz', '%E2%82'];
const segmentPart = fc.oneof(fc.constantFrom(...PERCENT), fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=:@._~-]{1,6}$/));
const rawSegment = fc.array(segmentPart, { maxLength: 4 }).map((parts) => parts.join(''));
const segment = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(KNOWN.publisherId, KNOWN.conversionId) },
  { weight: 2, arbitrary: validId },
  { weight: 3, arbitrary: rawSegment },
);

// --- query strings -------------------------------------------------------------------------------------------

const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const zone = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('Z', '+00:00', '+23:59', '-23:59', '+0530') },
  { weight: 1, arbitrary: fc.constantFrom('', 'z', '+24:00', '-24:00', '+00:60', '+99:99') },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('+', '-'), twoDigits, fc.constantFrom(':', ''), twoDigits).map((parts) => parts.join('')) },
);
// Valid dates and times (zod checks those) with any zone; now and then a date far outside Postgres's comfort zone.
const isoTime = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), zone).map(([date, offset]) => date.toISOString().replace('Z', offset)) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()) },
  { weight: 1, arbitrary: fc.string() },
);
const cursor = fc.oneof(
  fc.tuple(fc.oneof(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }).map(String), fc.string()), fc.oneof(validId, fc.string({ unit: 'binary' }))).map(
    ([createdAt, id]) => Buffer.from(json({ createdAt, id })).toString('base64url'),
  ),
  fc.string(),
);
/** Each parameter's values: mostly ones the API takes, with the odd one it must refuse. */
const QUERY_VALUES: Record<string, fc.Arbitrary<string>> = {
  limit: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }).map(String) },
    { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.constantFrom('', '1.5', '1e2', 'abc', '0x10', ' 7')) },
  ),
  cursor,
  from: isoTime,
  to: isoTime,
  publisherId: fc.oneof(fc.constant(KNOWN.publisherId), validId, fc.string()),
  callbackSent: fc.constantFrom('Yes', 'No', 'yes', 'true', ''),
  status: fc.constantFrom('pending', 'retrying', 'sent', 'failed', 'PENDING', ''),
  hours: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 168 }).map(String) },
    { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.constantFrom('', '1.5', '1e2', 'abc', ' 7')) },
  ),
  unknown: fc.string(),
};

/** A query string of the route's own parameters (repeated ones included), now and then an unknown one. */
function queryString(names: string[]): fc.Arbitrary<string> {
  const param = fc
    .oneof({ weight: 8, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constant('unknown') })
    .chain((name) => fc.tuple(fc.constant(name), QUERY_VALUES[name], fc.boolean()))
    // Encoded properly, or with the raw characters (raw % signs included) left in where a URL allows them.
    .map(([name, value, encode]) => `${name}=${encode ? encodeURIComponent(value) : value.replace(/[^\x21-\x7e]|[#&]/gu, encodeURIComponent)}`);
  return fc.array(param, { maxLength: 4 }).map((params) => (params.length ? `?${params.join('&')}` : ''));
}

// --- JSON bodies, as text (JSON.stringify could not produce the hostile ones) ---------------------------------

const nestingDepth = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 40, max: 6000 }) });
const nestedText = nestingDepth.map((depth) => `${'{"a":'.repeat(depth)}[]${'}'.repeat(depth)}`);
const longNumber = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.nat({ max: 30 }))
  .map(([digits, point]) => {
    const text = String(digits);
    return point > 0 && point < text.length ? `${text.slice(0, point)}.${text.slice(point)}` : text;
  });
const hostileValue = fc.oneof(
  fc.constantFrom(
    'null', 'true', '[]', '{}', '""', '"   "', '-0', '1e400', '1e-400', '0.1000000000000000055511151231257827', '12345678901234567890',
    '"\\ud800"', '"x\\udc00"', '"\\ude00\\ud83d"', '"a\\u0000b"', '"\\ud83d\\ude00"', '{"__proto__":{}}', '{"a":1,"a":2}', '"\\u00e9"',
  ),
  nestedText,
  longNumber,
  fc.jsonValue({ maxDepth: 2 }).map(json),
  fc.string({ unit: 'binary', maxLength: 300 }).map(json),
);

/** `arbitrary` one time in `oneIn`, else undefined (fc.option's freq is the other way round: nil one time in freq). */
function rarely<T>(arbitrary: fc.Arbitrary<T>, oneIn = 10): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

/** A field's value: usually valid, sometimes hostile, sometimes left out. */
function field(valid: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.option(fc.oneof({ weight: 24, arbitrary: valid }, { weight: 1, arbitrary: hostileValue }), { nil: undefined, freq: 30 });
}

const hostileKey = fc.constantFrom('"__proto__"', '"unknown"', '"payout"', '"k\\ud800"', '"constructor"', '""');
const extraEntries = fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 2 });

/** `{"key": text, ...}` from the generated fields (undefined ones left out), plus the odd extra entry. */
function objectText(fields: Record<string, fc.Arbitrary<string | undefined>>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.record(fields), rarely(extraEntries, 6))
    .map(([values, extra = []]) => {
      const entries = Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined);
      return `{${[...entries.map(([key, value]) => [json(key), value]), ...extra].map(([key, value]) => `${key}:${value}`).join(',')}}`;
    });
}

// Strings of code units, lone surrogates among them (JSON.stringify writes those as \ud800 escapes).
const surrogateUnit = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xd800, max: 0xdfff })).map((unit) => String.fromCharCode(unit));
const rawText = (options: { minLength?: number; maxLength: number }) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string(options) },
    { weight: 3, arbitrary: fc.string({ ...options, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.string({ ...options, unit: surrogateUnit }) },
  );
const text = (options: { minLength?: number; maxLength: number }) => rawText(options).map(json);
const externalId = text({ minLength: 1, maxLength: 20 });
const payout = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.nat({ max: 999_999 }), fc.nat({ max: 999_999 })).map(([units, micros]) => json(`${units}.${String(micros).padStart(6, '0')}`)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }).map(String) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e12, noNaN: true }).map(json) },
  { weight: 1, arbitrary: longNumber },
);
const extras = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(rawText({ maxLength: 8 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), rawText({ maxLength: 20 })), { maxKeys: 4 }).map(json) },
  { weight: 1, arbitrary: nestedText },
  { weight: 1, arbitrary: fc.tuple(hostileKey, hostileValue).map(([key, value]) => `{${key}:${value}}`) },
);

const conversionText = objectText({
  conversionId: field(fc.oneof({ weight: 8, arbitrary: validId }, { weight: 1, arbitrary: fc.constant(KNOWN.conversionId) }).map(json)),
  publisherId: field(fc.oneof({ weight: 4, arbitrary: fc.constant(KNOWN.publisherId) }, { weight: 1, arbitrary: validId }).map(json)),
  clickId: field(externalId),
  eventId: field(externalId),
  offerId: field(externalId),
  payout: field(payout),
  userId: field(externalId),
  extras: fc.option(extras, { nil: undefined }),
});

const callbackUrl = fc.oneof(
  fc.constantFrom('https://publisher.example/cb?click={click_id}&payout={payout}', 'http://publisher.example/{nope}', 'ftp://x.example/', 'https://u:p@x.example/'),
  fc.webUrl(),
);
/** A success rule: of each type, with patterns that do not compile or backtrack, paths with empty keys, any values. */
const successRule = fc.oneof(
  fc.constant('null'),
  fc
    .record(
      {
        type: fc.constantFrom('"equals"', '"regex"', '"jsonField"', '"contains"'),
        value: fc.oneof(text({ maxLength: 20 }), fc.constantFrom('1', 'true', 'null', '{}')),
        pattern: fc.oneof(text({ maxLength: 20 }), fc.constantFrom('"^OK$"', '"("', '"(a+)+$"', '"\\\\"')),
        path: fc.oneof(text({ maxLength: 20 }), fc.constantFrom('"a.b"', '"a..b"', '"."', '""')),
      },
      { requiredKeys: ['type'] },
    )
    .map((rule) => `{${Object.entries(rule).map(([key, value]) => `${json(key)}:${value}`).join(',')}}`),
);

const publisherText = objectText({
  callbackUrl: field(callbackUrl.map(json)),
  method: fc.option(fc.constantFrom('"GET"', '"POST"', '"PUT"', 'null'), { nil: undefined }),
  secretHeader: fc.option(
    fc.oneof(fc.constant('null'), fc.record({ name: fc.constantFrom('X-Token', 'Content-Type', 'Bad Name'), value: fc.string({ unit: 'binary', maxLength: 20 }) }).map(json)),
    { nil: undefined },
  ),
  signingSecret: fc.option(fc.oneof(text({ maxLength: 40 }), fc.constant('null')), { nil: undefined }),
  timeoutMs: fc.option(fc.oneof(fc.integer({ min: -10, max: 20_000 }).map(String), hostileValue), { nil: undefined }),
  successRule: fc.option(fc.oneof({ weight: 8, arbitrary: successRule }, { weight: 1, arbitrary: hostileValue }), { nil: undefined }),
});

const resendText = objectText({
  requestedBy: fc.option(text({ maxLength: 30 }), { nil: undefined }),
  conversionId: fc.option(fc.oneof(validId, fc.constant(KNOWN.conversionId)).map(json), { nil: undefined }),
  eventId: fc.option(fc.oneof(externalId, fc.constant(json(KNOWN.eventId))), { nil: undefined }),
  clickId: fc.option(externalId, { nil: undefined }),
});

/** A batch of conversions: valid and invalid ones mixed, sometimes the same one twice, sometimes not an array. */
const batchText = fc.oneof(
  { weight: 8, arbitrary: fc.array(conversionText, { minLength: 1, maxLength: 4 }).map((items) => `{"conversions":[${items.join(',')}]}`) },
  { weight: 1, arbitrary: conversionText.map((item) => `{"conversions":[${item},${item}]}`) },
  { weight: 1, arbitrary: fc.oneof(fc.constant('{"conversions":[]}'), fc.constant('{"conversions":{}}'), hostileValue.map((v) => `{"conversions":${v}}`)) },
);

/** Any body at all: the route's own kind mostly, else another route's, random JSON, or not JSON. */
function bodyText(own: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: own },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.oneof(conversionText, publisherText, resendText) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.oneof(hostileValue, fc.string({ unit: 'binary', maxLength: 100 }), fc.constantFrom('', '{', '{"a":1}x', '[1,]')) },
  );
}

// --- whole requests ------------------------------------------------------------------------------------------

interface Aimed {
  /** How often, relative to the others: the routes that write get more requests. */
  weight: number;
  method: Method;
  url: fc.Arbitrary<string>;
  body: fc.Arbitrary<string | undefined>;
}

const noBody = rarely(bodyText(fc.constant('{}')));
const ROUTES: Aimed[] = [
  { weight: 1, method: 'get', url: fc.constant('/healthz'), body: noBody },
  { weight: 3, method: 'put', url: segment.map((id) => `/v1/publishers/${id}`), body: bodyText(publisherText) },
  { weight: 1, method: 'get', url: segment.map((id) => `/v1/publishers/${id}`), body: noBody },
  { weight: 6, method: 'post', url: fc.constant('/v1/conversions'), body: bodyText(conversionText) },
  { weight: 2, method: 'post', url: fc.constant('/v1/conversions/batch'), body: bodyText(batchText) },
  { weight: 3, method: 'get', url: queryString(['limit', 'cursor', 'from', 'to', 'publisherId', 'callbackSent']).map((query) => `/v1/conversions${query}`), body: noBody },
  { weight: 1, method: 'get', url: segment.map((id) => `/v1/conversions/${id}`), body: noBody },
  { weight: 2, method: 'post', url: segment.map((id) => `/v1/conversions/${id}/resend`), body: rarely(bodyText(resendText), 2) },
  { weight: 2, method: 'post', url: fc.constant('/v1/callbacks/resend'), body: bodyText(resendText) },
  { weight: 3, method: 'get', url: queryString(['limit', 'cursor', 'status', 'publisherId']).map((query) => `/v1/callbacks${query}`), body: noBody },
  { weight: 1, method: 'get', url: queryString(['hours', 'publisherId']).map((query) => `/v1/overview${query}`), body: noBody },
  { weight: 1, method: 'get', url: fc.array(segment, { maxLength: 3 }).map((segments) => `/v1/${segments.join('/')}`), body: noBody },
];

const COMPRESSORS: Record<string, (bytes: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset="UTF-8"', 'text/plain',
  'application/x-www-form-urlencoded', 'application/merge-patch+json', 'multipart/form-data; boundary=x', 'application/jsonx', ';;',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'zstd', 'compress', 'gzip, br', 'GZIP', ''];

const headers = fc.record({
  auth: fc.oneof({ weight: 18, arbitrary: fc.constant('valid' as const) }, { weight: 1, arbitrary: fc.constantFrom('missing' as const, 'wrong' as const) }),
  contentType: fc.oneof({ weight: 12, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  // How the body is sent: as is, compressed and labelled, labelled but not compressed, or with a byte that is not UTF-8.
  transfer: fc.oneof(
    { weight: 10, arbitrary: fc.constant({ kind: 'plain' as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('encoded' as const), encoding: fc.constantFrom(...ENCODINGS), compress: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('damaged' as const), at: fc.nat() }) },
  ),
});

type FuzzTransfer = { kind: 'plain' } | { kind: 'encoded'; encoding: string; compress: boolean } | { kind: 'damaged'; at: number };

function toBytes(text: string, transfer: FuzzTransfer): { bytes: Buffer; contentEncoding?: string } {
  const bytes = Buffer.from(text);
  if (transfer.kind === 'damaged') {
    if (bytes.length > 0) bytes[transfer.at % bytes.length] = 0xff;
    return { bytes };
  }
  if (transfer.kind === 'plain') return { bytes };
  const compress = COMPRESSORS[transfer.encoding];
  return { bytes: transfer.compress && compress ? compress(bytes) : bytes, contentEncoding: transfer.encoding };
}

const METHODS: Method[] = ['get', 'post', 'put', 'delete', 'patch', 'options', 'head'];

/** A request aimed at one of the API's routes, with now and then another method, bad headers or a damaged body. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(...ROUTES.map((route) => ({ weight: route.weight, arbitrary: fc.constant(route) })))
  .chain((route) => fc.tuple(fc.constant(route.method), route.url, route.body, rarely(fc.constantFrom(...METHODS), 12), headers))
  .map(([aimed, url, text, otherMethod, { auth, contentType, transfer }]) => ({
    method: otherMethod ?? aimed,
    url,
    auth,
    contentType,
    text,
    ...(text === undefined ? {} : toBytes(text, transfer)),
  }));
