import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { answerClientErrorsWithJson } from '../../src/api/client-errors';
import { formatPayout } from '../../src/delivery/callback-request';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';
import { sendBytes } from '../support/raw-request';
import { KNOWN, fuzzRequest, type FuzzRequest } from '../support/request-arbitraries';
import { schedulerCalls, storedRows, type StoredRows } from '../support/stored-rows';

/**
 * Property-based fuzzing of the whole API over HTTP: thousands of generated requests to every route (see
 * test/support/request-arbitraries.ts), each checked for what must hold whatever the input:
 *   - no 5xx, ever;
 *   - every 4xx is JSON `{error: {code, message}}`, and a validation 400 names each bad field and why;
 *   - a refused request stores nothing and schedules nothing; a request that is not a POST or PUT changes nothing;
 *   - a conversion that is accepted is stored as sent (its extras read back equal).
 * A failure prints fast-check's seed and path: `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest test/api/fuzz.test.ts`
 * replays it (the database starts empty each run, so the same seed replays the same sequence).
 */
// 3,000 runs take 10-20 s; FUZZ_RUNS=20000 searches longer (the timeout grows with it).
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const replay = process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH } : {};

const WRITING_METHODS = new Set(['post', 'put']);
const AUTH_HEADERS = { valid: AUTH, missing: {}, wrong: { Authorization: 'Bearer not-the-key' } };

describe('the API under generated requests', () => {
  const api = useTestApi();
  let server: Server;

  beforeAll(async () => {
    // A real HTTP server, as in production, so Node's own answers (e.g. to a request it cannot parse) are covered.
    server = answerClientErrorsWithJson(createServer(api.app));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await request(server).put(`/v1/publishers/${KNOWN.publisherId}`).set(AUTH).send(publisherBody()).expect(201);
    const conversion = conversionBody(KNOWN.publisherId, { conversionId: KNOWN.conversionId, eventId: KNOWN.eventId });
    await request(server).post('/v1/conversions').set(AUTH).send(conversion).expect(201);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function send(req: FuzzRequest): Promise<request.Response> {
    let test = request(server)[req.method](req.url).set(AUTH_HEADERS[req.auth]);
    if (req.contentType !== undefined) test = test.set('Content-Type', req.contentType);
    if (req.contentEncoding !== undefined) test = test.set('Content-Encoding', req.contentEncoding);
    return req.bytes === undefined ? test : sendBytes(test, req.bytes);
  }

  async function snapshot() {
    return { rows: await storedRows(api.db.pool), calls: schedulerCalls(api.scheduler) };
  }

  function expectJsonError(req: FuzzRequest, res: request.Response): void {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    if (req.method === 'head') return; // a HEAD answer has headers only
    expect(res.body.error).toEqual(expect.objectContaining({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) }));
    expect(res.body.error.message).not.toBe('');
    if (res.body.error.code !== 'validation_failed') return;
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual(expect.arrayContaining([expect.anything()]));
    for (const problem of res.body.error.fields) {
      expect(problem).toEqual({ in: expect.stringMatching(/^(body|query|path)$/), field: expect.any(String), reason: expect.stringMatching(/\S/) });
      // Only the body as a whole has no field name; a query or path problem always names its parameter.
      if (problem.in !== 'body') expect(problem.field).not.toBe('');
    }
  }

  /**
   * An accepted conversion reads back from Postgres as it was sent, and the 201 says the same: the free-form ids
   * trimmed, the payout as canonical decimal text, the extras equal (as JSON: it has no -0).
   */
  async function expectStoredAsSent(req: FuzzRequest, res: request.Response): Promise<void> {
    if (req.method !== 'post' || req.url !== '/v1/conversions' || res.status !== 201 || req.text === undefined) return;
    const sent = JSON.parse(req.text) as Record<string, unknown>;
    const trimmed = (key: string) => String(sent[key]).trim();
    const stored = await request(api.app).get(`/v1/conversions/${encodeURIComponent(String(sent.conversionId))}`).set(AUTH).expect(200);
    // The details add the attempts and the callback request as it is sent; the rest is the 201's conversion.
    expect(stored.body).toEqual({ ...res.body, attempts: [], request: expect.any(Object) });
    expect(res.body).toMatchObject({
      conversionId: sent.conversionId,
      publisherId: sent.publisherId,
      clickId: trimmed('clickId'),
      eventId: trimmed('eventId'),
      offerId: trimmed('offerId'),
      userId: trimmed('userId'),
      payout: formatPayout(trimmed('payout')),
    });
    expect(res.body.extras).toEqual(JSON.parse(JSON.stringify(sent.extras ?? {})));
  }

  /** A batch stores exactly the conversions it answers 201, each with its callback and outbox entry. */
  async function expectBatchStored(before: StoredRows, res: request.Response): Promise<void> {
    const after = await storedRows(api.db.pool);
    const added = (table: keyof StoredRows) => Number(after[table].split(':')[0]) - Number(before[table].split(':')[0]);
    const created = (res.body.results as { status: number }[]).filter((item) => item.status === 201).length;
    expect(res.body.created).toBe(created);
    expect([added('conversions'), added('callbacks'), added('delivery_outbox')]).toEqual([created, created, created]);
  }

  it(`answers ${NUM_RUNS} generated requests without a 5xx, with JSON errors, and stores nothing it refuses`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (req) => {
        const before = await snapshot();
        const res = await send(req);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expectJsonError(req, res);
        if (res.status >= 400 || !WRITING_METHODS.has(req.method)) expect(await snapshot()).toEqual(before);
        if (req.url === '/v1/conversions/batch' && res.status === 200) await expectBatchStored(before.rows, res);
        await expectStoredAsSent(req, res);
      }),
      { numRuns: NUM_RUNS, ...replay },
    );
    // The generators must reach past validation, or the run proves little: some requests are accepted, some refused.
    const count = (min: number, max: number) => [...statuses].filter(([status]) => status >= min && status <= max).reduce((n, [, c]) => n + c, 0);
    expect(count(200, 299)).toBeGreaterThan(NUM_RUNS / 10);
    expect(count(400, 499)).toBeGreaterThan(NUM_RUNS / 10);
    expect(statuses.get(201)).toBeGreaterThan(10);
  }, Math.max(120_000, NUM_RUNS * 50));
});
