import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { version } from '../../../package.json';
import type { Config } from '../../config';
import { CSRF_HEADER } from '../auth';
import { SESSION_COOKIE } from '../sessions';
import { callbackQuery, resendByIdentifiersBody } from '../routes/callbacks';
import { MAX_BATCH_SIZE, batchBody, conversionBody, conversionParams, reportQuery, resendBody } from '../routes/conversions';
import { overviewQuery } from '../routes/overview';
import { publisherBody, publisherListQuery, publisherParams, testCallbackBody } from '../routes/publishers';
import { signInBody } from '../routes/session';
import {
  batchAnswer,
  callbackPage,
  conversionDetails,
  conversionPage,
  conversionView,
  errorBody,
  health,
  overview,
  publisherPage,
  publisherView,
  resendAccepted,
  session,
  testCallbackResult,
} from './schemas';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const json = (schema: z.ZodTypeAny) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: z.ZodTypeAny): ResponseConfig => ({ description, ...json(schema) });
const error = (description: string): ResponseConfig => answer(description, errorBody);
const body = (schema: z.ZodTypeAny, required = true) => ({ required, ...json(schema) });

/** The errors every `/v1` route behind authentication may answer, besides its own. */
const V1_ERRORS: Record<string, ResponseConfig> = {
  '401': error('unauthorized: no Authorization: Bearer <API key> and no session cookie, or the key or the session is not valid'),
  '503': error('database_unavailable (or temporal_unavailable where Temporal is called): retry the request, repeating it is safe'),
};
/** The errors of a route that reads a JSON body. */
const BODY_ERRORS: Record<string, ResponseConfig> = {
  '413': error('payload_too_large: the body is over 64 KB after decompression'),
  '415': error('unsupported_media_type: not application/json in UTF-8, or an unknown Content-Encoding'),
};
const VALIDATION = { '400': error('validation_failed: every bad field, in `fields`') };

const CSRF_INVALID = `csrf_token_invalid: with the session cookie, ${CSRF_HEADER} is missing or is not the session's csrfToken`;
/** The browser sends the cookie by itself, so a cookie request that changes state proves it comes from the console. */
const CSRF_REQUEST = {
  headers: z.object({
    [CSRF_HEADER]: z
      .string()
      .optional()
      .describe(`Required with the session cookie (${SESSION_COOKIE}): the csrfToken of POST or GET /v1/session; not needed with a Bearer key`),
  }),
};
/** The 403 of a route that changes state: the key's role may not (`forbidden`), or the CSRF token is missing. */
const stateChangeForbidden = (forbidden: string) => ({ '403': error(`forbidden: ${forbidden}; or ${CSRF_INVALID}`) });
/** A list whose `publisherId` filter a publisher key may set to its own publisher only. */
const SCOPED_FILTER = { '403': error("forbidden: a publisher key's publisherId names another publisher (`fields`)") };

/**
 * A conversion's payout is a JSON number or a decimal string (the route's schema turns a number into text before
 * checking it, which the generator would show as a string only).
 */
const conversionBodyDoc = conversionBody.extend({
  payout: z.union([z.number(), z.string()]).describe('A non-negative decimal, up to 12 integer and 6 fractional digits, as a number or a string'),
});

/** Every route of the app (src/api/app.ts, src/api/routes, src/api/console); test/api/openapi.test.ts checks none is missing. */
function routes(config: Pick<Config, 'CALLBACK_TIMEOUT'>): RouteConfig[] {
  const publicRoute = { security: [] };
  const recordForbidden = stateChangeForbidden('recording conversions needs an admin key');
  const resendForbidden = stateChangeForbidden('resending needs an admin, operator or publisher key, and only admin and operator keys may set requestedBy');
  return [
    {
      method: 'get',
      path: '/healthz',
      summary: 'Checks Postgres and Temporal',
      ...publicRoute,
      responses: { '200': answer('Both answer', health), '503': answer('One of them does not: `checks` says which', health) },
    },
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      ...publicRoute,
      responses: { '200': answer('OpenAPI 3.1', z.object({}).passthrough()) },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics, in the text exposition format (see README: Metrics)',
      ...publicRoute,
      responses: { '200': { description: 'The metrics', content: { 'text/plain': { schema: z.string() } } } },
    },
    {
      method: 'get',
      path: '/',
      summary: 'Leads to the console',
      ...publicRoute,
      responses: { '302': { description: 'To the console', headers: { Location: { description: '/console', schema: { type: 'string' } } } } },
    },
    {
      method: 'get',
      path: '/console',
      summary: 'The web console: a single page that signs in with an API key (POST /v1/session) and calls this API',
      ...publicRoute,
      responses: { '200': { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
    },
    {
      method: 'get',
      path: '/console/assets/{name}',
      summary: "One of the console's scripts, styles or images; its name holds a hash of its content, so it is cached for good",
      ...publicRoute,
      request: { params: z.object({ name: z.string() }) },
      responses: {
        '200': { description: 'The asset, with its own Content-Type', content: { '*/*': { schema: z.string() } } },
        '404': error('not_found: no asset of that name (an older build\'s, say)'),
      },
    },
    {
      method: 'post',
      path: '/v1/session',
      summary: 'Signs in with an API key: sets the session cookie the console uses instead of the key',
      description:
        `Answers the session with its csrfToken, to send as ${CSRF_HEADER} with every cookie request that changes state. ` +
        'Signing in again ends the session the browser had. The session ends after 12 hours without a request, or ' +
        'when its key leaves API_KEYS.',
      ...publicRoute,
      request: { body: body(signInBody) },
      responses: {
        '200': {
          ...answer('Signed in', session),
          headers: { 'Set-Cookie': { description: `${SESSION_COOKIE}=<session id>; Path=/; HttpOnly; SameSite=Strict (and Secure over https)`, schema: { type: 'string' } } },
        },
        ...VALIDATION,
        '401': error('unauthorized: the API key is not valid'),
        ...BODY_ERRORS,
        '503': V1_ERRORS['503'],
      },
    },
    {
      method: 'get',
      path: '/v1/session',
      summary: 'Who is signed in (the cookie) or whose key this is (Bearer), with what the console needs to know',
      responses: { '200': answer('The session; csrfToken is null with a Bearer key', session), ...V1_ERRORS },
    },
    {
      method: 'delete',
      path: '/v1/session',
      summary: 'Signs out: ends the session and clears its cookie (with a Bearer key, nothing to end)',
      request: CSRF_REQUEST,
      responses: { '204': { description: 'Signed out' }, '403': error(CSRF_INVALID), ...V1_ERRORS },
    },
    {
      method: 'get',
      path: '/v1/publishers',
      summary: "The publishers, newest first, without their secrets; a publisher key's list holds its own only",
      request: { query: publisherListQuery },
      responses: { '200': answer('One page', publisherPage), ...VALIDATION, ...V1_ERRORS },
    },
    {
      method: 'put',
      path: '/v1/publishers/{publisherId}',
      summary: "Creates or replaces a publisher's callback endpoint",
      description: 'Secrets are write-only: omitting secretHeader or signingSecret keeps the stored one, null removes it.',
      request: { params: publisherParams, body: body(publisherBody(config.CALLBACK_TIMEOUT)), ...CSRF_REQUEST },
      responses: {
        '200': answer('Replaced', publisherView),
        '201': answer('Created', publisherView),
        ...VALIDATION,
        ...stateChangeForbidden("creating a publisher needs an admin key, editing one an admin key or the publisher's own"),
        '404': error("not_found: a publisher key's request for another publisher"),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/v1/publishers/{publisherId}',
      summary: 'The publisher, without its secrets (only whether they are set)',
      request: { params: publisherParams },
      responses: { '200': answer('The publisher', publisherView), ...VALIDATION, '404': error('not_found'), ...V1_ERRORS },
    },
    {
      method: 'post',
      path: '/v1/publishers/{publisherId}/test-callback',
      summary: "Sends one real callback with sample values to the publisher's endpoint, as a delivery would; nothing is recorded",
      description: 'The body is optional and, if given, empty (`{}`). The request is shown with its secrets masked.',
      request: { params: publisherParams, body: body(testCallbackBody, false), ...CSRF_REQUEST },
      responses: {
        '200': answer('What was sent, what came back, and what a delivery would make of it', testCallbackResult),
        ...VALIDATION,
        ...stateChangeForbidden('sending a test callback needs an admin, operator or publisher key'),
        '404': error('not_found'),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
    },
    {
      method: 'post',
      path: '/v1/conversions',
      summary: 'Records a conversion; its callback is delivered from there',
      description: 'Answered once stored: the workflow that delivers the callback starts from the outbox right after, Temporal down or not.',
      request: { body: body(conversionBodyDoc), ...CSRF_REQUEST },
      responses: {
        '200': answer('Already recorded with the same payload: nothing new is sent', conversionView),
        '201': answer('Recorded; the callback is on its way', conversionView),
        ...VALIDATION,
        ...recordForbidden,
        '409': error('conflict: the conversion id was recorded with another payload (`conversionId`)'),
        '422': error('unprocessable: the publisher does not exist (`fields`)'),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
    },
    {
      method: 'post',
      path: '/v1/conversions/batch',
      summary: 'Records up to 1,000 conversions in one request, each answered on its own',
      description:
        'Each conversion is what POST /v1/conversions takes, and is answered as it would be there, in `results`: one ' +
        'invalid or conflicting conversion does not stop the others. The body may be up to 8 MB.',
      request: { body: body(batchBody.extend({ conversions: z.array(conversionBodyDoc).min(1).max(MAX_BATCH_SIZE) })), ...CSRF_REQUEST },
      responses: {
        '200': answer('Every conversion answered', batchAnswer),
        '400': error('validation_failed: the envelope is not `{"conversions": [...]}` with 1 to 1,000 items'),
        ...recordForbidden,
        ...BODY_ERRORS,
        '413': error('payload_too_large: the body is over 8 MB after decompression'),
        ...V1_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/v1/conversions',
      summary: 'The conversion report, newest first',
      request: { query: reportQuery },
      responses: { '200': answer('One page', conversionPage), ...VALIDATION, ...SCOPED_FILTER, ...V1_ERRORS },
    },
    {
      method: 'get',
      path: '/v1/conversions/{conversionId}',
      summary: 'The conversion, its callback, the request as sent now and every attempt',
      request: { params: conversionParams },
      responses: { '200': answer('The conversion', conversionDetails), ...VALIDATION, '404': error('not_found'), ...V1_ERRORS },
    },
    {
      method: 'post',
      path: '/v1/conversions/{conversionId}/resend',
      summary: "Resends the conversion's callback",
      description: "The body is optional; the resend is recorded as the key's role and fingerprint, after `requestedBy` if given.",
      request: { params: conversionParams, body: body(resendBody, false), ...CSRF_REQUEST },
      responses: {
        '202': answer('Resend requested', resendAccepted),
        ...VALIDATION,
        ...resendForbidden,
        '404': error('not_found'),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/v1/callbacks',
      summary: 'The callback report, newest conversion first',
      request: { query: callbackQuery },
      responses: { '200': answer('One page', callbackPage), ...VALIDATION, ...SCOPED_FILTER, ...V1_ERRORS },
    },
    {
      method: 'post',
      path: '/v1/callbacks/resend',
      summary: 'Resends the callback of the one conversion the identifiers match',
      request: { body: body(resendByIdentifiersBody), ...CSRF_REQUEST },
      responses: {
        '202': answer('Resend requested', resendAccepted),
        ...VALIDATION,
        ...resendForbidden,
        '404': error('not_found: no conversion matches'),
        '409': error('conflict: several conversions match, listed in `candidates`'),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/v1/overview',
      summary: 'Delivery outcomes by hour and failure causes by publisher over the last `hours` hours',
      request: { query: overviewQuery },
      responses: { '200': answer('The overview', overview), ...VALIDATION, ...SCOPED_FILTER, ...V1_ERRORS },
    },
  ];
}

/** The OpenAPI 3.1 document of the API, generated from its zod schemas. */
export function openApiDocument(config: Pick<Config, 'CALLBACK_TIMEOUT'>): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const apiKey = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from API_KEYS',
  });
  const cookie = registry.registerComponent('securitySchemes', SESSION_COOKIE, {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      `The console's session, opened by POST /v1/session. A request that changes state (not GET, HEAD or OPTIONS) ` +
      `also needs the session's csrfToken in ${CSRF_HEADER}, else 403 csrf_token_invalid. A request with an ` +
      'Authorization header is judged by it alone.',
  });
  for (const route of routes(config)) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'conversion-callbacks',
      version,
      description:
        'Reliable conversion callbacks (server-to-server postbacks). Every answer but /metrics and the console\'s is JSON; an error is ' +
        '`{"error": {"code", "message", ...}}`. Any route answers OPTIONS (204, with Allow) and a method it does not ' +
        'have with 405 method_not_allowed; an unknown path 404 not_found.',
    },
    // Either one: a Bearer key or the session cookie.
    security: [{ [apiKey.name]: [] }, { [cookie.name]: [] }],
  });
}
