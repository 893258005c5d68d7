import request from 'supertest';
import type { z } from 'zod';
import { openApiDocument } from '../../src/api/openapi/document';
import * as schemas from '../../src/api/openapi/schemas';
import { routeTable } from '../../src/api/route-table';
import { CSRF_HEADER } from '../../src/api/auth';
import { SESSION_COOKIE } from '../../src/api/sessions';
import { AUTH, TEST_API_KEY, conversionBody, publisherBody, testConfig, useTestApi } from '../support/api';
import { runDeliveryAttempt } from '../support/delivery-attempt';
import { useReceivers } from '../support/receiver';

/**
 * The OpenAPI document (GET /openapi.json) against the app: every route that exists is documented and nothing else,
 * the document holds together as OpenAPI 3.1, and real answers match the schemas it gives for their status.
 */

const VIEWER_KEY = 'viewer-key-0123456789';
const api = useTestApi(() => testConfig({ API_KEYS: `${TEST_API_KEY},${VIEWER_KEY}=viewer`, ALLOW_PRIVATE_TARGETS: 'true' }));
const startReceiver = useReceivers();

type Json = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }
  >;
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
  PublisherPage: schemas.publisherPage,
  ResendAccepted: schemas.resendAccepted,
  TestCallbackResult: schemas.testCallbackResult,
  Overview: schemas.overview,
  Session: schemas.session,
  BatchAnswer: schemas.batchAnswer,
  Health: schemas.health,
  Error: schemas.errorBody,
};

/**
 * The answer's status is documented for its operation, and its body is what the document says for that status: a
 * JSON answer matches the zod schema of its component; another is of a documented media type; an answer documented
 * without content (204, 302) has none worth reading.
 */
function expectDocumented(doc: Document, method: string, path: string, res: request.Response): void {
  const responses = operation(doc, method, path).responses ?? {};
  expect({ [`${method} ${path}`]: Object.keys(responses) }).toEqual({ [`${method} ${path}`]: expect.arrayContaining([String(res.status)]) });
  const content = responses[String(res.status)].content;
  if (!content) return;
  if (!content['application/json']) {
    expect(Object.keys(content).some((type) => type === '*/*' || String(res.headers['content-type']).startsWith(type))).toBe(true);
    return;
  }
  const ref = content['application/json'].schema?.$ref;
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

  it('takes a Bearer key or the session cookie; signing in takes neither; every cookie state change needs the CSRF token', async () => {
    const doc = await served();
    expect(doc.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      [SESSION_COOKIE]: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }),
    });
    expect(doc.security).toEqual([{ apiKey: [] }, { [SESSION_COOKIE]: [] }]);
    expect(operation(doc, 'POST', '/v1/session').security).toEqual([]);

    const signIn = await request(api.app).post('/v1/session').send({ apiKey: TEST_API_KEY }).expect(200);
    expectDocumented(doc, 'POST', '/v1/session', signIn);
    const cookie = String(([] as string[]).concat(signIn.headers['set-cookie'] ?? [])[0]).split(';')[0];
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=.+`));
    expectDocumented(doc, 'GET', '/v1/session', await request(api.app).get('/v1/session').set('Cookie', cookie).expect(200));

    // Each route the document marks as needing a key and changing state answers 403 csrf_token_invalid to the cookie
    // alone, as documented, and documents the header.
    const stateChanges = routeTable(api.app).flatMap(({ path, methods }) =>
      methods.filter((method) => method !== 'GET').map((method) => ({ method, path: toOpenApiPath(path), url: path.replace(/:[A-Za-z0-9_]+/g, 'x') })),
    );
    const guarded = stateChanges.filter(({ method, path }) => (operation(doc, method, path).security ?? doc.security).length > 0);
    expect(guarded.map(({ method, path }) => `${method} ${path}`)).toEqual(expect.arrayContaining(['DELETE /v1/session', 'POST /v1/conversions/batch']));
    for (const { method, path, url } of guarded) {
      const where = `${method} ${path}`;
      const header = (operation(doc, method, path).parameters ?? []).find((p) => p.in === 'header' && p.name === CSRF_HEADER);
      expect({ where, header: header !== undefined }).toEqual({ where, header: true });
      const res = await request(api.app)[method.toLowerCase() as 'post'](url).set('Cookie', cookie).send({});
      expect({ where, status: res.status, code: res.body.error?.code }).toEqual({ where, status: 403, code: 'csrf_token_invalid' });
      expectDocumented(doc, method, path, res);
    }

    const signOut = await request(api.app).delete('/v1/session').set('Cookie', cookie).set(CSRF_HEADER, signIn.body.csrfToken).expect(204);
    expectDocumented(doc, 'DELETE', '/v1/session', signOut);
    expectDocumented(doc, 'GET', '/v1/session', await request(api.app).get('/v1/session').set('Cookie', cookie).expect(401));
  });

  it('answers the console: a redirect, the page and its assets', async () => {
    const doc = await served();
    const root = await request(api.app).get('/').expect(302).expect('Location', '/console');
    expectDocumented(doc, 'GET', '/', root);
    expect(operation(doc, 'GET', '/').responses?.['302'].headers).toHaveProperty(['Location']);
    const page = await request(api.app).get('/console').expect(200);
    expectDocumented(doc, 'GET', '/console', page);
    const asset = /\/console\/assets\/([^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toEqual(expect.any(String));
    expectDocumented(doc, 'GET', '/console/assets/{name}', await request(api.app).get(`/console/assets/${String(asset)}`).expect(200));
    expectDocumented(doc, 'GET', '/console/assets/{name}', await request(api.app).get('/console/assets/app.000000000000.js').expect(404));
  });

  it('gives the schemas the answers have, errors included', async () => {
    const doc = await served();
    const receiver = await startReceiver([{ status: 503, body: 'busy' }, { status: 200, body: 'ok' }]);
    const viewer = { Authorization: `Bearer ${VIEWER_KEY}` };
    const publisherId = 'openapi-pub';
    const v1 = (method: 'get' | 'put' | 'post', path: string) => request(api.app)[method](path).set(AUTH);

    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).send(publisherBody({ callbackUrl: `${receiver.url}/cb`, secretHeader: { name: 'X-Token', value: 'secret-value' } })).expect(201));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).send({ callbackUrl: `${receiver.url}/cb` }).expect(200));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).send({ callbackUrl: 'ftp://x', extra: 1 }).expect(400));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await v1('put', `/v1/publishers/${publisherId}`).type('text/plain').send('x').expect(415));
    expectDocumented(doc, 'GET', '/v1/publishers/{publisherId}', await v1('get', `/v1/publishers/${publisherId}`).expect(200));
    expectDocumented(doc, 'GET', '/v1/publishers/{publisherId}', await v1('get', '/v1/publishers/nobody').expect(404));
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', await request(api.app).put(`/v1/publishers/${publisherId}`).set(viewer).send(publisherBody()).expect(403));
    const rule = await v1('put', `/v1/publishers/${publisherId}`).send({ callbackUrl: `${receiver.url}/cb`, successRule: { type: 'jsonField', path: 'data.ok', value: true } }).expect(200);
    expect(rule.body.successRule).toEqual({ type: 'jsonField', path: 'data.ok', value: true });
    expectDocumented(doc, 'PUT', '/v1/publishers/{publisherId}', rule);
    await v1('put', `/v1/publishers/${publisherId}`).send({ callbackUrl: `${receiver.url}/cb`, successRule: null }).expect(200);
    const publishers = await v1('get', '/v1/publishers').query({ limit: 1 }).expect(200);
    expect(publishers.body.data).toHaveLength(1);
    expectDocumented(doc, 'GET', '/v1/publishers', publishers);
    expectDocumented(doc, 'GET', '/v1/publishers', await v1('get', '/v1/publishers').query({ limit: 0 }).expect(400));

    const body = conversionBody(publisherId, { eventId: 'shared-event', extras: { campaign: 'spring' } });
    const conversionId = String(body.conversionId);
    expectDocumented(doc, 'POST', '/v1/conversions', await v1('post', '/v1/conversions').send(body).expect(201));
    expectDocumented(doc, 'POST', '/v1/conversions', await v1('post', '/v1/conversions').send({ ...body, payout: 2 }).expect(409));
    expectDocumented(doc, 'POST', '/v1/conversions', await v1('post', '/v1/conversions').send(conversionBody('nobody')).expect(422));
    expectDocumented(doc, 'POST', '/v1/conversions', await request(api.app).post('/v1/conversions').set(viewer).send(conversionBody(publisherId)).expect(403));

    const second = conversionBody(publisherId, { eventId: 'shared-event' });
    await v1('post', '/v1/conversions').send(second).expect(201);
    const batch = await v1('post', '/v1/conversions/batch')
      .send({ conversions: [conversionBody(publisherId), body, { ...second, payout: 3 }, conversionBody('nobody'), { conversionId: 1 }] })
      .expect(200);
    expect(batch.body.results.map((item: { status: number }) => item.status)).toEqual([201, 200, 409, 422, 400]);
    expectDocumented(doc, 'POST', '/v1/conversions/batch', batch);
    expectDocumented(doc, 'POST', '/v1/conversions/batch', await v1('post', '/v1/conversions/batch').send({ conversions: [] }).expect(400));

    // Two real attempts (the activity itself, on a real receiver): one retried 503, one 200.
    await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 1 });
    await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 2 });
    // And a resend's cycle, recorded with who asked.
    await runDeliveryAttempt(api.db.pool, conversionId, { attempt: 1, activityId: '2', trigger: 'manual', requestedBy: 'alice (admin key:0000)' });
    const details = await v1('get', `/v1/conversions/${conversionId}`).expect(200);
    expect(details.body.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 200, 200]);
    expect(details.body.attempts.map((a: { requestedBy: string | null }) => a.requestedBy)).toEqual([null, null, 'alice (admin key:0000)']);
    expect(details.body.attempts[0].cause).toEqual(expect.objectContaining({ code: 'server_downtime' }));
    expect(details.body.request).toEqual(expect.objectContaining({ url: `${receiver.url}/cb`, method: 'POST' }));
    expectDocumented(doc, 'GET', '/v1/conversions/{conversionId}', details);
    expectDocumented(doc, 'GET', '/v1/conversions/{conversionId}', await v1('get', '/v1/conversions/nothing').expect(404));

    const page = await v1('get', '/v1/conversions').query({ limit: 1 }).expect(200);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expectDocumented(doc, 'GET', '/v1/conversions', page);
    expectDocumented(doc, 'GET', '/v1/conversions', await v1('get', '/v1/conversions').query({ from: 'yesterday' }).expect(400));
    expectDocumented(doc, 'GET', '/v1/callbacks', await v1('get', '/v1/callbacks').query({ publisherId }).expect(200));
    const overview = await v1('get', '/v1/overview').query({ hours: 2 }).expect(200);
    expect(overview.body.causesByPublisher).toEqual([expect.objectContaining({ publisherId, cause: 'server_downtime', count: 1 })]);
    expectDocumented(doc, 'GET', '/v1/overview', overview);
    expectDocumented(doc, 'GET', '/v1/overview', await v1('get', '/v1/overview').query({ hours: 0 }).expect(400));

    const testCallback = await v1('post', `/v1/publishers/${publisherId}/test-callback`).send({}).expect(200);
    expect(testCallback.body).toEqual(expect.objectContaining({ verdict: 'success', cause: null }));
    expectDocumented(doc, 'POST', '/v1/publishers/{publisherId}/test-callback', testCallback);
    expectDocumented(doc, 'POST', '/v1/publishers/{publisherId}/test-callback', await v1('post', '/v1/publishers/nobody/test-callback').expect(404));
    expectDocumented(doc, 'POST', '/v1/publishers/{publisherId}/test-callback', await request(api.app).post(`/v1/publishers/${publisherId}/test-callback`).set(viewer).expect(403));

    expectDocumented(doc, 'POST', '/v1/conversions/{conversionId}/resend', await v1('post', `/v1/conversions/${conversionId}/resend`).expect(202));
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', await v1('post', '/v1/callbacks/resend').send({ conversionId }).expect(202));
    const several = await v1('post', '/v1/callbacks/resend').send({ eventId: 'shared-event' }).expect(409);
    expect(several.body.error.candidates).toHaveLength(2);
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', several);
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', await v1('post', '/v1/callbacks/resend').send({ eventId: 'no-such-event' }).expect(404));
    expectDocumented(doc, 'POST', '/v1/callbacks/resend', await request(api.app).post('/v1/callbacks/resend').set(viewer).send({ conversionId }).expect(403));

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
