import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { version } from '../../../package.json';
import type { Config } from '../../config';
import { callbackQuery, resendByIdentifiersBody } from '../routes/callbacks';
import { conversionBody, conversionParams, reportQuery, resendBody } from '../routes/conversions';
import { publisherBody, publisherParams } from '../routes/publishers';
import {
  callbackPage,
  conversionDetails,
  conversionPage,
  conversionView,
  errorBody,
  health,
  publisherView,
  resendAccepted,
} from './schemas';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const json = (schema: z.ZodTypeAny) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: z.ZodTypeAny): ResponseConfig => ({ description, ...json(schema) });
const error = (description: string): ResponseConfig => answer(description, errorBody);
const body = (schema: z.ZodTypeAny, required = true) => ({ required, ...json(schema) });

/** The errors every `/v1` route may answer, besides its own. */
const V1_ERRORS: Record<string, ResponseConfig> = {
  '401': error('unauthorized: Authorization: Bearer <API key> is missing or the key is not valid'),
  '503': error('database_unavailable (or temporal_unavailable where Temporal is called): retry the request, repeating it is safe'),
};
/** The errors of a route that reads a JSON body. */
const BODY_ERRORS: Record<string, ResponseConfig> = {
  '413': error('payload_too_large: the body is over 64 KB after decompression'),
  '415': error('unsupported_media_type: not application/json in UTF-8, or an unknown Content-Encoding'),
};
const VALIDATION = { '400': error('validation_failed: every bad field, in `fields`') };

/**
 * A conversion's payout is a JSON number or a decimal string (the route's schema turns a number into text before
 * checking it, which the generator would show as a string only).
 */
const conversionBodyDoc = conversionBody.extend({
  payout: z.union([z.number(), z.string()]).describe('A non-negative decimal, up to 12 integer and 6 fractional digits, as a number or a string'),
});

/** Every route of the API (src/api/app.ts and src/api/routes); test/api/openapi.test.ts checks none is missing. */
function routes(config: Pick<Config, 'CALLBACK_TIMEOUT'>): RouteConfig[] {
  const publicRoute = { security: [] };
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
      method: 'put',
      path: '/v1/publishers/{publisherId}',
      summary: "Creates or replaces a publisher's callback endpoint",
      description: 'Secrets are write-only: omitting secretHeader or signingSecret keeps the stored one, null removes it.',
      request: { params: publisherParams, body: body(publisherBody(config.CALLBACK_TIMEOUT)) },
      responses: {
        '200': answer('Replaced', publisherView),
        '201': answer('Created', publisherView),
        ...VALIDATION,
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
      path: '/v1/conversions',
      summary: 'Records a conversion and starts the delivery of its callback',
      request: { body: body(conversionBodyDoc) },
      responses: {
        '200': answer('Already recorded with the same payload: nothing new is sent', conversionView),
        '201': answer('Recorded; the callback is on its way', conversionView),
        ...VALIDATION,
        '409': error('conflict: the conversion id was recorded with another payload (`conversionId`)'),
        '422': error('unprocessable: the publisher does not exist (`fields`)'),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/v1/conversions',
      summary: 'The conversion report, newest first',
      request: { query: reportQuery },
      responses: { '200': answer('One page', conversionPage), ...VALIDATION, ...V1_ERRORS },
    },
    {
      method: 'get',
      path: '/v1/conversions/{conversionId}',
      summary: 'The conversion, its callback and every attempt',
      request: { params: conversionParams },
      responses: { '200': answer('The conversion', conversionDetails), ...VALIDATION, '404': error('not_found'), ...V1_ERRORS },
    },
    {
      method: 'post',
      path: '/v1/conversions/{conversionId}/resend',
      summary: "Resends the conversion's callback",
      description: 'The body is optional; `requestedBy` defaults to a fingerprint of the API key.',
      request: { params: conversionParams, body: body(resendBody, false) },
      responses: { '202': answer('Resend requested', resendAccepted), ...VALIDATION, '404': error('not_found'), ...BODY_ERRORS, ...V1_ERRORS },
    },
    {
      method: 'get',
      path: '/v1/callbacks',
      summary: 'The callback report, newest conversion first',
      request: { query: callbackQuery },
      responses: { '200': answer('One page', callbackPage), ...VALIDATION, ...V1_ERRORS },
    },
    {
      method: 'post',
      path: '/v1/callbacks/resend',
      summary: 'Resends the callback of the one conversion the identifiers match',
      request: { body: body(resendByIdentifiersBody) },
      responses: {
        '202': answer('Resend requested', resendAccepted),
        ...VALIDATION,
        '404': error('not_found: no conversion matches'),
        '409': error('conflict: several conversions match, listed in `candidates`'),
        ...BODY_ERRORS,
        ...V1_ERRORS,
      },
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
  for (const route of routes(config)) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'conversion-callbacks',
      version,
      description:
        'Reliable conversion callbacks (server-to-server postbacks). Every answer but /metrics is JSON; an error is ' +
        '`{"error": {"code", "message", ...}}`. Any route answers OPTIONS (204, with Allow) and a method it does not ' +
        'have with 405 method_not_allowed; an unknown path 404 not_found.',
    },
    security: [{ [apiKey.name]: [] }],
  });
}
