import { ConfigError, loadConfig } from '../../src/config';

describe('durations that cannot work', () => {
  it.each([
    ['RETRY_INITIAL_INTERVAL', '0'],
    ['RETRY_INITIAL_INTERVAL', '0s'],
    ['CALLBACK_TIMEOUT', '50ms'],
    ['RESEND_WINDOW', '0d'],
  ])('%s=%s stops the start naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: must be at least`));
  });

  it('takes the smallest working values', () => {
    expect(loadConfig({ RETRY_INITIAL_INTERVAL: '1ms', CALLBACK_TIMEOUT: '100ms', RESEND_WINDOW: '1' })).toMatchObject({
      RETRY_INITIAL_INTERVAL: 1,
      CALLBACK_TIMEOUT: 100,
      RESEND_WINDOW: 1,
    });
  });
});
