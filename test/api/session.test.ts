import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { keyFingerprint } from '../../src/api/api-keys';
import { SESSION_COOKIE } from '../../src/api/sessions';
import { conversionBody, publisherBody, testApp, testConfig, useTestApi } from '../support/api';

const ADMIN_KEY = 'admin-key-0123456789';
const OPERATOR_KEY = 'operator-key-0123456789';
const VIEWER_KEY = 'viewer-key-0123456789';
/** A base64 key ending in padding, with a role after it. */
const PUBLISHER_KEY = 'cHVibGlzaGVyLWtleQ==';
const KEYS = `${ADMIN_KEY},${OPERATOR_KEY}=operator,${VIEWER_KEY}=viewer,${PUBLISHER_KEY}=publisher:pub-s`;
const CONFIG = { API_KEYS: KEYS, TEMPORAL_UI_URL: 'http://127.0.0.1:8233', OUTBOUND_IPS: '203.0.113.7,2001:db8::7' };

const ALL_KEYS = [ADMIN_KEY, OPERATOR_KEY, VIEWER_KEY, PUBLISHER_KEY];

interface SignedIn {
  /** `cc_session=<id>`, as the browser sends it back. */
  cookie: string;
  /** The whole Set-Cookie header of the sign-in. */
  setCookie: string;
  csrfToken: string;
  body: Record<string, unknown>;
}

async function signIn(app: Express, apiKey: string): Promise<SignedIn> {
  const res = await request(app).post('/v1/session').send({ apiKey }).expect(200);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
  return { cookie: setCookie.split(';')[0], setCookie, csrfToken: res.body.csrfToken as string, body: res.body as Record<string, unknown> };
}

function idHashOf(cookie: string): string {
  return createHash('sha256').update(cookie.slice(`${SESSION_COOKIE}=`.length)).digest('hex');
}

/** Nothing the service answers or sets may contain a key. */
function expectNoKeyIn(res: request.Response): void {
  const seen = JSON.stringify({ body: res.body, headers: res.headers });
  for (const key of ALL_KEYS) expect(seen).not.toContain(key);
}

describe('console sessions: POST/GET/DELETE /v1/session', () => {
  const api = useTestApi(() => testConfig(CONFIG));

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-s').set({ Authorization: `Bearer ${ADMIN_KEY}` }).send(publisherBody()).expect(201);
  });

  it('signs in with a key: the role, caller, CSRF token and console settings, and an HttpOnly SameSite=Strict cookie', async () => {
    const res = await request(api.app).post('/v1/session').send({ apiKey: OPERATOR_KEY }).expect(200);
    expect(res.body).toEqual({
      role: 'operator',
      publisherId: null,
      caller: `operator ${keyFingerprint(OPERATOR_KEY)}`,
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
      outboundIps: ['203.0.113.7', '2001:db8::7'],
    });
    const [setCookie] = res.headers['set-cookie'] as unknown as string[];
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    expectNoKeyIn(res);
  });

  it('stores only the hash of the session id, and no key', async () => {
    const { cookie } = await signIn(api.app, VIEWER_KEY);
    const { rows } = await api.db.pool.query('SELECT * FROM console_sessions WHERE id_hash = $1', [idHashOf(cookie)]);
    expect(rows).toEqual([
      expect.objectContaining({ key_fingerprint: keyFingerprint(VIEWER_KEY), role: 'viewer', publisher_id: null }),
    ]);
    const table = JSON.stringify((await api.db.pool.query('SELECT * FROM console_sessions')).rows);
    expect(table).not.toContain(cookie.slice(`${SESSION_COOKIE}=`.length));
    for (const key of ALL_KEYS) expect(table).not.toContain(key);
  });

  it('gives viewer and publisher keys no Temporal UI link, and a publisher key its publisher', async () => {
    expect((await signIn(api.app, VIEWER_KEY)).body).toMatchObject({ role: 'viewer', publisherId: null, temporalUiUrl: null });
    expect((await signIn(api.app, PUBLISHER_KEY)).body).toMatchObject({
      role: 'publisher',
      publisherId: 'pub-s',
      caller: `publisher:pub-s ${keyFingerprint(PUBLISHER_KEY)}`,
      temporalUiUrl: null,
      outboundIps: ['203.0.113.7', '2001:db8::7'],
    });
  });

  it('answers GET /v1/session with the same body, for the cookie or a Bearer key (which has no CSRF token)', async () => {
    const session = await signIn(api.app, ADMIN_KEY);
    const res = await request(api.app).get('/v1/session').set('Cookie', session.cookie).expect(200);
    expect(res.body).toEqual(session.body);
    const bearer = await request(api.app).get('/v1/session').set({ Authorization: `Bearer ${ADMIN_KEY}` }).expect(200);
    expect(bearer.body).toEqual({ ...session.body, csrfToken: null });
  });

  it('serves every /v1 read with the cookie alone', async () => {
    const { cookie } = await signIn(api.app, VIEWER_KEY);
    for (const url of ['/v1/conversions', '/v1/callbacks', '/v1/publishers', '/v1/publishers/pub-s']) {
      await request(api.app).get(url).set('Cookie', cookie).expect(200);
    }
  });

  it.each([
    ['a wrong key', { apiKey: 'not-a-key' }, 401, 'unauthorized'],
    ['a prefix of a key', { apiKey: ADMIN_KEY.slice(0, -1) }, 401, 'unauthorized'],
    ['no key', {}, 400, 'validation_failed'],
    ['an empty key', { apiKey: '' }, 400, 'validation_failed'],
  ])('refuses to sign in with %s, setting no cookie', async (_case, body, status, code) => {
    const res = await request(api.app).post('/v1/session').send(body).expect(status);
    expect(res.body.error.code).toBe(code);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('ends the browser\'s previous session when it signs in again', async () => {
    const first = await signIn(api.app, ADMIN_KEY);
    const res = await request(api.app).post('/v1/session').set('Cookie', first.cookie).send({ apiKey: VIEWER_KEY }).expect(200);
    expect(res.body.role).toBe('viewer');
    await request(api.app).get('/v1/session').set('Cookie', first.cookie).expect(401);
  });

  it('answers GET /v1/session 401 without a session, and clears a cookie it does not know', async () => {
    await request(api.app).get('/v1/session').expect(401);
    const res = await request(api.app).get('/v1/session').set('Cookie', `${SESSION_COOKIE}=made-up`).expect(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$`))]);
  });

  it('signs out: 204, the cookie cleared, the session deleted and refused afterwards', async () => {
    const { cookie, csrfToken } = await signIn(api.app, OPERATOR_KEY);
    const res = await request(api.app).delete('/v1/session').set('Cookie', cookie).set('X-CSRF-Token', csrfToken).expect(204);
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0;`))]);
    const { rowCount } = await api.db.pool.query('SELECT 1 FROM console_sessions WHERE id_hash = $1', [idHashOf(cookie)]);
    expect(rowCount).toBe(0);
    await request(api.app).get('/v1/session').set('Cookie', cookie).expect(401);
    await request(api.app).get('/v1/conversions').set('Cookie', cookie).expect(401);
  });

  describe('CSRF', () => {
    it.each([
      ['without X-CSRF-Token', undefined],
      ['with a wrong X-CSRF-Token', 'wrong-token'],
      ['with another session\'s token', 'other'],
    ])('refuses a cookie request that changes state %s (403), changing nothing', async (_case, token) => {
      const { cookie } = await signIn(api.app, ADMIN_KEY);
      const other = await signIn(api.app, ADMIN_KEY);
      const headers: Record<string, string> = { Cookie: cookie };
      if (token !== undefined) headers['X-CSRF-Token'] = token === 'other' ? other.csrfToken : token;
      const body = conversionBody('pub-s');
      for (const [method, url, send] of [
        ['post', '/v1/conversions', body],
        ['put', '/v1/publishers/pub-csrf', publisherBody()],
        ['post', '/v1/callbacks/resend', { conversionId: 'any' }],
        ['delete', '/v1/session', undefined],
      ] as const) {
        const res = await request(api.app)[method](url).set(headers).send(send).expect(403);
        expect(res.body).toEqual({ error: { code: 'csrf_token_invalid', message: expect.stringContaining('X-CSRF-Token') } });
      }
      await request(api.app).get(`/v1/conversions/${String(body.conversionId)}`).set('Cookie', cookie).expect(404);
      await request(api.app).get('/v1/publishers/pub-csrf').set('Cookie', cookie).expect(404);
      await request(api.app).get('/v1/session').set('Cookie', cookie).expect(200);
      expect(api.scheduler.resends).toEqual([]);
    });

    it('accepts a cookie request with the session\'s token, and a Bearer request without one', async () => {
      const { cookie, csrfToken } = await signIn(api.app, ADMIN_KEY);
      const body = conversionBody('pub-s');
      await request(api.app).post('/v1/conversions').set('Cookie', cookie).set('X-CSRF-Token', csrfToken).send(body).expect(201);
      await request(api.app)
        .post(`/v1/conversions/${String(body.conversionId)}/resend`)
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrfToken)
        .expect(202);
      expect(api.scheduler.resends.at(-1)?.requestedBy).toBe(`admin ${keyFingerprint(ADMIN_KEY)}`);
      await request(api.app).post(`/v1/conversions/${String(body.conversionId)}/resend`).set({ Authorization: `Bearer ${ADMIN_KEY}` }).expect(202);
    });
  });

  it('ends a session whose key is removed from API_KEYS, or given another role', async () => {
    const { cookie } = await signIn(api.app, OPERATOR_KEY);
    const roleChanged = testApp(api.db, api.scheduler, testConfig({ API_KEYS: `${ADMIN_KEY},${OPERATOR_KEY}=viewer` }));
    await request(roleChanged).get('/v1/session').set('Cookie', cookie).expect(401);

    const second = await signIn(api.app, OPERATOR_KEY);
    const removed = testApp(api.db, api.scheduler, testConfig({ API_KEYS: ADMIN_KEY }));
    const res = await request(removed).get('/v1/conversions').set('Cookie', second.cookie).expect(401);
    expect(res.body.error.code).toBe('unauthorized');
    // Ended for good: putting the key back does not bring the session back.
    const { rowCount } = await api.db.pool.query('SELECT 1 FROM console_sessions WHERE id_hash = $1', [idHashOf(second.cookie)]);
    expect(rowCount).toBe(0);
    await request(api.app).get('/v1/session').set('Cookie', second.cookie).expect(401);
  });

  it('refuses a session idle for 12 hours, and moves the expiry forward on each request', async () => {
    const { cookie } = await signIn(api.app, VIEWER_KEY);
    const idHash = idHashOf(cookie);
    await api.db.pool.query(`UPDATE console_sessions SET expires_at = now() + interval '1 minute' WHERE id_hash = $1`, [idHash]);
    await request(api.app).get('/v1/session').set('Cookie', cookie).expect(200);
    const { rows } = await api.db.pool.query<{ idle: string }>(
      'SELECT (expires_at - last_seen_at)::text AS idle FROM console_sessions WHERE id_hash = $1',
      [idHash],
    );
    expect(rows[0].idle).toBe('12:00:00');

    await api.db.pool.query(`UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`, [idHash]);
    await request(api.app).get('/v1/session').set('Cookie', cookie).expect(401);
    await request(api.app).get('/v1/callbacks').set('Cookie', cookie).expect(401);
  });

  it('answers other methods on /v1/session with 405 once authenticated', async () => {
    const res = await request(api.app).patch('/v1/session').set({ Authorization: `Bearer ${VIEWER_KEY}` }).expect(405);
    expect(res.headers.allow).toBe('POST, GET, DELETE, HEAD, OPTIONS');
  });
});

describe('the session cookie over https', () => {
  const api = useTestApi(() => testConfig(CONFIG));
  let dir: string;
  let server: Server;
  let url: string;
  let cert: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'session-tls-'));
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    cert = readFileSync(certFile);
    server = createServer({ key: readFileSync(keyFile), cert }, api.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is Secure', async () => {
    const res = await request(url).post('/v1/session').ca(cert).send({ apiKey: VIEWER_KEY }).expect(200);
    const [setCookie] = res.headers['set-cookie'] as unknown as string[];
    expect(setCookie).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const signedOut = await request(url).delete('/v1/session').ca(cert).set('Cookie', setCookie.split(';')[0]).set('X-CSRF-Token', res.body.csrfToken as string).expect(204);
    expect((signedOut.headers['set-cookie'] as unknown as string[])[0]).toContain('; Secure;');
  });
});
