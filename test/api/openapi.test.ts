import request from 'supertest';
import type { z } from 'zod';
import { openApiDocument } from '../../src/api/openapi/document';
import * as schemas from '../../src/api/openapi/schemas';
import { routeTable } from '../../src/api/route-table';
import { AUTH, conversionBody, publisherBody, testConfig, useTestApi } from '../support/api';
import { runDeliveryAttempt } from '../support/delivery-attempt';
import { useReceivers } from '../support/receiver';

/**
 * The OpenAPI document (GET /openapi.json) against the app: every route that exists is documented and nothing else,
 * the document holds together as OpenAPI 3.1, and real answers match the schemas it gives for their status.
 */

const api = useTestApi();
const startReceiver = useReceivers();

type Json = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
  requestBody?: Json;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  security: Record<string, string[]>[];
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
  paths: Record<string, Record<string, Operation>>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function served(): Promise<Document> {
  const res = await request(api.app).get('/openapi.json').expect(200).expect('Content-Type', /application\/json/);
  return res.body as Document;
}

/** "GET /v1/conversions/{conversionId}" for every operation of the document. */
function documentedOperations(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Express's `:param` is OpenAPI's `{param}`. */
const toOpenApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function operation(doc: Document, method: string, path: string): Operation {
  const found = doc.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`${method} ${path} is not in the document`);
  return found;
}

/** Every `$ref` in `value`, with where it is. */
function refsIn(value: unknown, at = '#'): { at: string; ref: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [{ at, ref: inner }] : refsIn(inner, `${at}/${key}`),
  );
}

/** What a local JSON pointer (`#/components/schemas/Conversion`) points at in `doc`, or undefined. */
function resolve(doc: Document, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node !== null && typeof node === 'object' ? (node as Json)[part] : undefined), doc);
}

/** The zod schema of each component the answers refer to. */
const ANSWER_SCHEMAS: Record<string, z.ZodTypeAny> = {
  Conversion: schemas.conversionView,
  ConversionDetails: schemas.conversionDetails,
  ConversionPage: schemas.conversionPage,
  CallbackPage: schemas.callbackPage,
  Publisher: schemas.publisherView,
  ResendAccepted: schemas.resendAccepted,
  Health: schemas.health,
  Error: schemas.errorBody,
};

/** The answer's status is documented for its operation, and its body is what the document says for that status. */
function expectDocumented(doc: Document, method: string, path: string, res: request.Response): void {
  const responses = operation(doc, method, path).responses ?? {};
  expect(Object.keys(responses)).toContain(String(res.status));
  const ref = responses[String(res.status)].content?.['application/json']?.schema?.$ref;
  const name = ref?.replace('#/components/schemas/', '') ?? '';
  const schema = ANSWER_SCHEMAS[name];
  if (!schema) throw new Error(`${method} ${path} ${res.status}: no zod schema known for ${ref ?? 'its answer'}`);
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) throw new Error(`${method} ${path} ${res.status} does not match ${name}: ${parsed.error.message}`);
}

describe('GET /openapi.json', () => {
  it('documents exactly the routes the app has, with the same methods', async () => {
    const doc = await served();
    const routes = routeTable(api.app).flatMap(({ path, methods }) => methods.map((method) => `${method} ${toOpenApiPath(path)}`));
    // The table is read from Express itself: a route added without a document entry (or the reverse) fails here.
    expect(routes).toContain('GET /v1/conversions/{conversionId}');
    expect(documentedOperations(doc).sort()).toEqual([...routes].sort());
  });

  it('is OpenAPI 3.1: every operation has responses, every $ref resolves, every path parameter is declared', async () => {
    const doc = await served();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toEqual(expect.objectContaining({ title: 'conversion-callbacks', version: expect.any(String) }));

    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, method: HTTP_METHODS.includes(method) }).toEqual({ where, method: true });
        const responses = Object.entries(op.responses ?? {});
        expect({ where, responses: responses.length > 0 }).toEqual({ where, responses: true });
        for (const [status, response] of responses) {
          expect({ where, status }).toEqual({ where, status: expect.stringMatching(/^[1-5]\d\d$/) });
          expect({ where, status, description: typeof response.description }).toEqual({ where, status, description: 'string' });
        }
        // Each {param} of the path is a required path parameter, and there is no other.
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect({ where, params: pathParams.map((p) => p.name).sort() }).toEqual({ where, params: templated });
        expect({ where, required: pathParams.every((p) => p.required === true) }).toEqual({ where, required: true });
        for (const requirement of op.security ?? []) {
          for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty([scheme]);
        }
      }
    }
    for (const requirement of doc.security) {
      for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty([scheme]);
    }

    // 3.1 schemas are JSON Schema: a null is `type: [..., "null"]`, never 3.0's `nullable`.
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
    expect(JSON.stringify(doc.components.schemas.Callback)).toContain('["integer","null"]');

    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter(({ ref }) => resolve(doc, ref) === undefined)).toEqual([]);
  });

  it('is the document generated from the zod schemas, served without an API key', async () => {
    expect(await served()).toEqual(JSON.parse(JSON.stringify(openApiDocument(testConfig()))));
  });

  it('says which routes need a key, as the app does: each one it marks answers 401 without one', async () => {
    const doc = await served();
    for (const { path, methods } of routeTable(api.app)) {
      for (const method of methods) {
        const op = operation(doc, method, toOpenApiPath(path));
        const res = await request(api.app)[method.toLowerCase() as 'get'](path.replace(/:[A-Za-z0-9_]+/g, 'x'));
        const needsKey = (op.security ?? doc.security).length > 0;
        expect({ route: `${method} ${path}`, status: needsKey ? res.status : 'public' }).toEqual({
          route: `${method} ${path}`,
          status: needsKey ? 401 : 'public',
        });
        if (needsKey) expectDocumented(doc, method, toOpenApiPath(path), res);
        else expect(res.status).not.toBe(401);
      }
    }
  });

  it('gives the schemas the answers have, errors included', async () => {
    const doc = await served();
    const receiver = await startReceiver([{ status: 503, body: 'busy' }, { status: 200, body: 'ok' }]);
    const publisherId = 'openapi-pub';
    const v1 = (method: 'get' | 'put' | 'post', path: string) => request(api.app)[method](path).set(AUTH);

    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).send(publisherBody({ callbackUrl: `${receiver.url}/cb`, secretHeader: { name: 'X-Token', value: 'secret-value' } })).expect(201));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).send({ callbackUrl: `${receiver.url}/cb` }).expect(200));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).send({ callbackUrl: 'ftp://x', extra: 1 }).expect(400));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).type('text/plain').send('x').expect(415));
    expectDocumented(doc, 'GET', '/v1/publishers/{publisherId}', await v1('get', `/v1/publishers/${publisherId}`).expect(200));
    expectDocumented(doc, 'GET', '/v1/publishers/{publisherId}', await v1('get', '/v1/publishers/nobody').expect(404));

    const body = conversionBody(publisherId, { eventId: 'shared-event', extras: { campaign: 'spring' } });
    const conversionId = String(body.conversionId);
    expectDocumented(doc, 'POST', '/v1/conversions', await v1('post', '/v1/conversions').send(body).expect(201));
    expectDocumented(doc, 'POST', '/v1/conversions', await v1('post', '/v1/conversions').send({ ...body, payout: 2 }).expect(409));
    expectDocumented(doc, 'POST', '/v1/conversions', await v1('post', '/v1/conversions').send(conversionBody('nobody')).expect(422));
    await v1('post', '/v1/conversions').send(conversionBody(publisherId, { eventId: 'shared-event' })).expect(201);

    // Two real attempts (the activity itself, on a real receiver): one retried 503, one 200.
    await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 1 });
    await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 2 });
    const details = await v1('get', `/v1/conversions/${conversionId}`).expect(200);
    expect(details.body.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 200]);
    expectDocumented(doc, 'GET', '/v1/conversions/{conversionId}', details);
    expectDocumented(doc, 'GET', '/v1/conversions/{conversionId}', await v1('get', '/v1/conversions/nothing').expect(404));

    const page = await v1('get', '/v1/conversions').query({ limit: 1 }).expect(200);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expectDocumented(doc, 'GET', '/v1/conversions', page);
    expectDocumented(doc, 'GET', '/v1/conversions', await v1('get', '/v1/conversions').query({ from: 'yesterday' }).expect(400));
    expectDocumented(doc, 'GET', '/v1/callbacks', await v1('get', '/v1/callbacks').query({ publisherId }).expect(200));

    expectDocumented(doc, 'POST', '/v1/conversions/{conversionId}/resend', await v1('post', `/v1/conversions/${conversionId}/resend`).expect(202));
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', await v1('post', '/v1/callbacks/resend').send({ conversionId }).expect(202));
    const several = await v1('post', '/v1/callbacks/resend').send({ eventId: 'shared-event' }).expect(409);
    expect(several.body.error.candidates).toHaveLength(2);
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', several);
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', await v1('post', '/v1/callbacks/resend').send({ eventId: 'no-such-event' }).expect(404));

    expectDocumented(doc, 'GET', '/healthz', await request(api.app).get('/healthz').expect(200));
    api.scheduler.temporalDown = true;
    try {
      expectDocumented(doc, 'GET', '/healthz', await request(api.app).get('/healthz').expect(503));
      expectDocumented(doc, 'POST', '/v1/conversions/{conversionId}/resend', await v1('post', `/v1/conversions/${conversionId}/resend`).expect(503));
    } finally {
      api.scheduler.temporalDown = false;
    }
  });
});
