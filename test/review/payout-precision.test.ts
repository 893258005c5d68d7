import { buildCallbackRequest, type ConversionRecord, type PublisherEndpoint } from '../../src/delivery/callback-request';

const publisher: PublisherEndpoint = { id: 'pub-1', callbackUrl: 'https://pub.example/cb?p={payout}', method: 'POST', timeoutMs: 5000 };
const conversion = (payout: string): ConversionRecord => ({
  id: 'conv-1',
  publisherId: 'pub-1',
  clickId: 'click-1',
  eventId: 'evt-1',
  offerId: 'offer-1',
  payout,
  userId: 'user-1',
  extras: { note: '"payout"' },
});

describe('the payout in the POST body', () => {
  it.each([
    ['999999999999.999999', '999999999999.999999'],
    ['123456789012.123456', '123456789012.123456'],
    ['2.500000', '2.5'],
    ['0.000000', '0'],
    ['0.000001', '0.000001'],
  ])('%s is sent as the JSON number %s, digit for digit', (stored, sent) => {
    const { body, url } = buildCallbackRequest(publisher, conversion(stored), { nowMs: 0, timeoutCeilingMs: 5000 });
    expect(body).toContain(`"payout":${sent},`);
    expect(url).toBe(`https://pub.example/cb?p=${sent}`);
    expect(JSON.parse(body as string)).toMatchObject({ payout: Number(sent), extras: { note: '"payout"' } });
  });
});
