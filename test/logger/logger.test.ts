import { isSecretName, REDACTED, redact } from '../../src/logger';
import { collectLogs as collect } from '../support/collect-logs';

describe('logger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const { logger, records } = collect();
    logger.info('callback sent', { conversionId: 'c-1', attempt: 2 });
    expect(records()).toEqual([{ time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'callback sent', conversionId: 'c-1', attempt: 2 }]);
  });

  it('drops lines below LOG_LEVEL', () => {
    const { logger, records } = collect('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('adds the fields of a child logger to every line', () => {
    const { logger, records } = collect();
    logger.child({ component: 'api' }).info('listening', { port: 3000 });
    expect(records()[0]).toMatchObject({ component: 'api', port: 3000 });
  });

  it.each([
    'secret',
    'signingSecret',
    'secret_header_value',
    'headerValue',
    'authorization',
    'Authorization',
    'password',
    'token',
    'accessToken',
    'apiKey',
    'api_key',
    'API_KEYS',
    'signing',
  ])('redacts the value of a field named %s, at any depth', (key) => {
    const { logger, lines } = collect();
    logger.info('request', { [key]: 'hunter2', nested: { [key]: 'hunter2', list: [{ [key]: 'hunter2' }] } });
    expect(lines[0].line).not.toContain('hunter2');
    expect(lines[0].line).toContain(REDACTED);
  });

  it('keeps ordinary fields and turns errors into name, message and stack', () => {
    const out = redact({ conversionId: 'c-1', error: new TypeError('bad') }) as { conversionId: string; error: Record<string, unknown> };
    expect(out.conversionId).toBe('c-1');
    expect(out.error).toMatchObject({ name: 'TypeError', message: 'bad', stack: expect.stringContaining('TypeError: bad') });
  });

  it('never throws on a cyclic value', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const { logger, lines } = collect();
    logger.info('cycle', { cyclic });
    expect(lines).toHaveLength(1);
  });

  it('writes a bigint as its digits instead of throwing', () => {
    const { logger, records } = collect();
    logger.info('timestamp', { nanos: 1_700_000_000_000_000_000n });
    expect(records()[0]).toMatchObject({ nanos: '1700000000000000000' });
  });

  it('keeps its own time, level and message when a field has one of their names', () => {
    const { logger, records, lines } = collect('warn');
    logger.warn('real', { level: 'debug', msg: 'fake', time: 'never' });
    expect(records()).toEqual([{ time: '2026-01-01T00:00:00.000Z', level: 'warn', msg: 'real' }]);
    expect(lines[0].level).toBe('warn');
  });

  it.each([
    ['X-Api-Key', true],
    ['authorization', true],
    ['access_token', true],
    ['x-partner-id', false],
    ['click_id', false],
  ])('tells whether %s names a secret', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });
});
