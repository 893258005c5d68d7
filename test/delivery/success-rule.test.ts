import { successRuleBreach, type SuccessRule } from '../../src/delivery/success-rule';

describe('success rules', () => {
  const equalsOne: SuccessRule = { type: 'equals', value: '1' };

  it('equals: the body without its surrounding whitespace is the value', () => {
    expect(successRuleBreach(equalsOne, '1')).toBeUndefined();
    expect(successRuleBreach(equalsOne, ' 1\r\n')).toBeUndefined();
    expect(successRuleBreach(equalsOne, '0')).toBe('the body is not "1"');
    expect(successRuleBreach(equalsOne, '11')).toBeDefined();
  });

  it('regex: the body as received matches the pattern', () => {
    const rule: SuccessRule = { type: 'regex', pattern: '^(OK|SUCCESS)\\b' };
    expect(successRuleBreach(rule, 'OK: reward granted')).toBeUndefined();
    expect(successRuleBreach(rule, 'ERR: duplicate')).toBe('the body does not match /^(OK|SUCCESS)\\b/');
  });

  it('regex: a pattern that backtracks without end is stopped, and the answer counts as breaking the rule', () => {
    const rule: SuccessRule = { type: 'regex', pattern: '^(a+)+$' };
    expect(successRuleBreach(rule, `${'a'.repeat(4000)}!`)).toBe("the success rule's regex ran longer than 100 ms on the body");
    // The context is reusable afterwards.
    expect(successRuleBreach(rule, 'aaa')).toBeUndefined();
  });

  it('jsonField: the field at the dotted path has the value, compared strictly', () => {
    const rule: SuccessRule = { type: 'jsonField', path: 'result.status', value: 'ok' };
    expect(successRuleBreach(rule, '{"result":{"status":"ok"}}')).toBeUndefined();
    expect(successRuleBreach(rule, '{"result":{"status":"error"}}')).toBe('the body\'s result.status is not "ok"');
    expect(successRuleBreach(rule, '{"result":"ok"}')).toBeDefined();
    expect(successRuleBreach(rule, 'OK')).toMatch(/^the body is not JSON/);
    expect(successRuleBreach({ type: 'jsonField', path: 'success', value: true }, '{"success":true}')).toBeUndefined();
    expect(successRuleBreach({ type: 'jsonField', path: 'code', value: 1 }, '{"code":"1"}')).toBeDefined();
    expect(successRuleBreach({ type: 'jsonField', path: 'items.0.ok', value: 1 }, '{"items":[{"ok":1}]}')).toBeUndefined();
    // A missing field is not null, and an inherited property is not a field.
    expect(successRuleBreach({ type: 'jsonField', path: 'error', value: null }, '{}')).toBeDefined();
    expect(successRuleBreach({ type: 'jsonField', path: 'error', value: null }, '{"error":null}')).toBeUndefined();
    expect(successRuleBreach({ type: 'jsonField', path: 'constructor', value: null }, '{}')).toBeDefined();
  });
});
