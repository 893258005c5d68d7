import { createHmac } from 'node:crypto';
import { buildCallbackRequest, formatPayout, type ConversionRecord, type PublisherEndpoint } from '../../src/delivery/callback-request';

const conversion: ConversionRecord = {
  id: 'conv 1',
  publisherId: 'pub-1',
  clickId: 'click-1',
  eventId: 'evt-1',
  offerId: 'offer-1',
  payout: '2.500000',
  userId: 'user-1',
  extras: { country: 'FR' },
};
const post: PublisherEndpoint = {
  id: 'pub-1',
  callbackUrl: 'https://pub.example/cb?conv={conversion_id}&p={payout}',
  method: 'POST',
  timeoutMs: 5000,
};
const nowMs = 1_700_000_000_000;

describe('building the callback request', () => {
  it('POSTs the conversion as JSON with the idempotency key', () => {
    const request = buildCallbackRequest(post, conversion, { nowMs, timeoutCeilingMs: 10_000 });
    expect(request.url).toBe('https://pub.example/cb?conv=conv%201&p=2.5');
    expect(request.headers).toEqual({ 'idempotency-key': 'conv 1', 'content-type': 'application/json' });
    expect(JSON.parse(request.body ?? '')).toEqual({
      conversionId: 'conv 1',
      publisherId: 'pub-1',
      clickId: 'click-1',
      eventId: 'evt-1',
      offerId: 'offer-1',
      payout: 2.5,
      userId: 'user-1',
      extras: { country: 'FR' },
    });
    expect(request.timeoutMs).toBe(5000);
  });

  it('adds the secret header and a signature over the exact body', () => {
    const request = buildCallbackRequest(
      { ...post, secretHeader: { name: 'X-Api-Token', value: 'tok' }, signingSecret: 'sig' },
      conversion,
      { nowMs, timeoutCeilingMs: 10_000 },
    );
    const expected = createHmac('sha256', 'sig').update(`conv 1.1700000000.${request.body}`).digest('base64');
    expect(request.headers).toMatchObject({
      'x-api-token': 'tok',
      'webhook-id': 'conv 1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `v1,${expected}`,
    });
    // What the sender keeps out of the attempt's outcome: the signing secret too, though it is never sent.
    expect(request.secrets).toEqual(['tok', 'sig', `v1,${expected}`]);
  });

  it('sends a GET without body and caps the timeout at CALLBACK_TIMEOUT', () => {
    const request = buildCallbackRequest({ ...post, method: 'GET', timeoutMs: 60_000 }, conversion, { nowMs, timeoutCeilingMs: 10_000 });
    expect(request.body).toBeUndefined();
    expect(request.headers).toEqual({ 'idempotency-key': 'conv 1' });
    expect(request.secrets).toEqual([]);
    expect(request.timeoutMs).toBe(10_000);
  });

  it.each([
    ['2.500000', '2.5'],
    ['3.000000', '3'],
    ['10', '10'],
    ['0.000001', '0.000001'],
  ])('formats payout %s as %s', (stored, shown) => {
    expect(formatPayout(stored)).toBe(shown);
  });
});
