import { CALLBACK_MACROS, renderCallbackUrl, unknownMacros, type MacroValues } from '../../src/delivery/macros';

const values: MacroValues = {
  conversion_id: 'conv-1',
  click_id: 'click 1&x=2',
  event_id: 'evt/1',
  offer_id: 'offer-9',
  payout: '1.5',
  user_id: 'user#7',
  publisher_id: 'pub-1',
};

describe('callback URL macros', () => {
  it('substitutes every known macro, URL-encoded', () => {
    const template = `https://pub.example/cb?${CALLBACK_MACROS.map((m) => `${m}={${m}}`).join('&')}`;
    const url = new URL(renderCallbackUrl(template, values));
    for (const macro of CALLBACK_MACROS) expect(url.searchParams.get(macro)).toBe(values[macro]);
  });

  it('keeps a value inside its path segment', () => {
    expect(renderCallbackUrl('https://pub.example/cb/{event_id}', values)).toBe('https://pub.example/cb/evt%2F1');
  });

  it('leaves unknown placeholders alone and reports them', () => {
    const template = 'https://pub.example/cb?c={conversion_id}&x={secret}';
    expect(renderCallbackUrl(template, values)).toBe('https://pub.example/cb?c=conv-1&x={secret}');
    expect(unknownMacros(template)).toEqual(['secret']);
    expect(unknownMacros('https://pub.example/{click_id}')).toEqual([]);
    expect(unknownMacros('https://pub.example/{Click_Id}/{click id}')).toEqual(['Click_Id', 'click id']);
  });
});
