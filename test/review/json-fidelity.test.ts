import request from 'supertest';
import { AUTH, conversionBody, publisherBody, useTestApi } from '../support/api';
import { sendJsonText } from '../support/raw-request';
import { expectNothingStored } from '../support/stored-rows';

/** A valid conversion body as JSON text, with the raw JSON text `overrides[key]` as the value of each key given. */
function conversionText(overrides: Record<string, string>): string {
  const placeholders = Object.fromEntries(Object.keys(overrides).map((key) => [key, `@@${key}@@`]));
  let text = JSON.stringify(conversionBody('pub-json', placeholders));
  for (const [key, raw] of Object.entries(overrides)) text = text.replace(`"@@${key}@@"`, raw);
  return text;
}

function nested(levels: number, inner = '1'): string {
  return `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;
}

/**
 * JSON that JSON.parse and Postgres would silently change, drop or choke on is refused with a 400 naming the field:
 * what is stored is what was sent.
 */
describe('JSON the service cannot store as sent', () => {
  const api = useTestApi();
  const postText = (text: string) => sendJsonText(request(api.app).post('/v1/conversions').set(AUTH), text);
  const postRefused = (text: string) => expectNothingStored(api, () => postText(text));

  beforeAll(async () => {
    await request(api.app).put('/v1/publishers/pub-json').set(AUTH).send(publisherBody()).expect(201);
  });

  function expectProblem(res: request.Response, field: string, reason: string | RegExp): void {
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ in: 'body', field, reason: expect.stringMatching(reason) }]);
  }

  describe('nesting', () => {
    it('extras nested 5,000 levels deep is a 400 naming extras and the 32-level limit', async () => {
      expectProblem(await postRefused(conversionText({ extras: nested(5000) })), 'extras', /32 levels/);
    });

    it('takes a body nested exactly 32 levels deep (the body is the first), refuses 33', async () => {
      const ok = await postText(conversionText({ extras: nested(30, '{}') }));
      expect(ok.status).toBe(201);
      expectProblem(await postRefused(conversionText({ extras: nested(31, '{}') })), 'extras', /32 levels/);
    });

    it('an array nested 30,000 deep is a 400 naming its top-level element, not a stack overflow', async () => {
      expectProblem(await postRefused(`${'['.repeat(30_000)}${']'.repeat(30_000)}`), '0', /32 levels/);
    });
  });

  describe('unpaired UTF-16 surrogates', () => {
    it.each([
      ['an extras value', 'extras.note', { extras: '{"note":"a\\ud800b"}' }],
      ['an extras value (low half alone)', 'extras.note', { extras: '{"note":"\\udc00"}' }],
      ['an extras value (halves swapped)', 'extras.list.0', { extras: '{"list":["\\ude00\\ud83d"]}' }],
      ['an extras key', 'extras', { extras: '{"k\\ud800":1}' }],
      ['userId (stored as U+FFFD before)', 'userId', { userId: '"\\ud800"' }],
      ['clickId', 'clickId', { clickId: '"click-\\udbff"' }],
    ])('in %s is a 400 naming %s', async (_, field, overrides) => {
      expectProblem(await postRefused(conversionText(overrides)), field, /unpaired UTF-16 surrogate/);
    });

    it('in a publisher or a resend is a 400 too', async () => {
      const publisher = await expectNothingStored(api, () =>
        sendJsonText(request(api.app).put('/v1/publishers/pub-s').set(AUTH), '{"callbackUrl":"https://p.example/\\ud800"}'),
      );
      expectProblem(publisher, 'callbackUrl', /surrogate/);
      const resend = await sendJsonText(request(api.app).post('/v1/callbacks/resend').set(AUTH), '{"eventId":"e","requestedBy":"\\udfff"}');
      expectProblem(resend, 'requestedBy', /surrogate/);
    });

    it('stores a surrogate pair (an emoji) as sent', async () => {
      const res = await postText(conversionText({ extras: '{"\\ud83d\\ude00":"\\ud83d\\ude00"}' }));
      expect(res.status).toBe(201);
      expect(res.body.extras).toEqual({ '😀': '😀' });
    });
  });

  describe('numbers a double cannot hold', () => {
    it.each(['0.1000000000000000055511151231257827', '12345678901234567890', '1.0000000000000001', '1e400'])(
      'a payout of %s is a 400 naming payout and suggesting a decimal string',
      async (payout) => {
        expectProblem(await postRefused(conversionText({ payout })), 'payout', /more digits than a double holds.*decimal string/);
      },
    );

    it('an extras number with more digits than a double is a 400 naming it (it was stored rounded)', async () => {
      expectProblem(await postRefused(conversionText({ extras: '{"order":{"id":12345678901234567890}}' })), 'extras.order.id', /double/);
    });

    it.each([
      ['2.50', '2.5'],
      ['25e-1', '2.5'],
      ['0.1', '0.1'],
      ['"0.100000"', '0.1'],
    ])('takes the exact payout %s', async (payout, stored) => {
      const res = await postText(conversionText({ payout }));
      expect(res.status).toBe(201);
      expect(res.body.payout).toBe(stored);
    });
  });

  describe('keys', () => {
    it.each([
      ['in extras', 'extras.__proto__', { extras: '{"__proto__":{"admin":true}}' }],
      ['nested in extras', 'extras.a.0.__proto__', { extras: '{"a":[{"__proto__":1}]}' }],
    ])('__proto__ %s (dropped before) is a 400 naming %s', async (_, field, overrides) => {
      expectProblem(await postRefused(conversionText(overrides)), field, /reserved key/);
    });

    it('__proto__ at the top of the body is a 400', async () => {
      expectProblem(await postRefused(conversionText({}).replace('{', '{"__proto__":{},')), '__proto__', /reserved key/);
    });

    it('a key given twice (JSON.parse keeps the last) is a 400 naming it', async () => {
      expectProblem(await postRefused(conversionText({}).replace('{', '{"payout":"9",')), 'payout', /more than once/);
    });

    it('stores other special keys (constructor, toString) as sent', async () => {
      const res = await postText(conversionText({ extras: '{"constructor":1,"toString":"x"}' }));
      expect(res.status).toBe(201);
      expect(res.body.extras).toEqual({ constructor: 1, toString: 'x' });
    });
  });
});
