import { ConfigError, loadConfig, parseDurationMs } from '../../src/config';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      EMBEDDED_POSTGRES_DIR: '.data/postgres',
      EMBEDDED_POSTGRES_PORT: 5433,
      EMBEDDED_TEMPORAL_PORT: 7233,
      EMBEDDED_TEMPORAL_UI_PORT: 8233,
      EMBEDDED_TEMPORAL_DB: '.data/temporal/dev-server.db',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'conversion-callbacks',
      API_KEYS: [],
      RETRY_INITIAL_INTERVAL: 120_000,
      RETRY_BACKOFF_COEFFICIENT: 2,
      RETRY_MAX_ATTEMPTS: 6,
      RETRYABLE_STATUS_CODES: [500, 503],
      CALLBACK_TIMEOUT: 10_000,
      RESEND_WINDOW: 30 * 86_400_000,
      ALLOW_PRIVATE_TARGETS: false,
      LOG_LEVEL: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/callbacks',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'callbacks',
      TEMPORAL_TASK_QUEUE: 'q',
      API_KEYS: ' key-one , key-two ,',
      RETRY_INITIAL_INTERVAL: '90s',
      RETRY_BACKOFF_COEFFICIENT: '1.5',
      RETRY_MAX_ATTEMPTS: '10',
      RETRYABLE_STATUS_CODES: '500, 502,503,504',
      CALLBACK_TIMEOUT: '1500ms',
      RESEND_WINDOW: '7d',
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      PORT: 8080,
      DATABASE_URL: 'postgres://u:p@db:5432/callbacks',
      TEMPORAL_ADDRESS: 'temporal:7233',
      API_KEYS: ['key-one', 'key-two'],
      RETRY_INITIAL_INTERVAL: 90_000,
      RETRY_BACKOFF_COEFFICIENT: 1.5,
      RETRY_MAX_ATTEMPTS: 10,
      RETRYABLE_STATUS_CODES: [500, 502, 503, 504],
      CALLBACK_TIMEOUT: 1500,
      RESEND_WINDOW: 7 * 86_400_000,
      ALLOW_PRIVATE_TARGETS: true,
    });
  });

  it.each([
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL'],
    ['RETRY_INITIAL_INTERVAL', 'soon', 'is not a duration'],
    ['RETRY_BACKOFF_COEFFICIENT', '0.5', 'RETRY_BACKOFF_COEFFICIENT'],
    ['RETRY_MAX_ATTEMPTS', '0', 'RETRY_MAX_ATTEMPTS'],
    ['RETRY_MAX_ATTEMPTS', '2.5', 'RETRY_MAX_ATTEMPTS'],
    ['RETRYABLE_STATUS_CODES', '500,abc', 'comma-separated list of HTTP status codes'],
    ['RETRYABLE_STATUS_CODES', ' , ', 'comma-separated list'],
    ['CALLBACK_TIMEOUT', '10 minutes', 'is not a duration'],
    ['ALLOW_PRIVATE_TARGETS', 'yes', 'ALLOW_PRIVATE_TARGETS'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL'],
    ['NODE_ENV', 'staging', 'NODE_ENV'],
    ['EMBEDDED_POSTGRES_PORT', '0', 'EMBEDDED_POSTGRES_PORT'],
  ])('rejects %s=%j with a message naming it', (name, value, expected) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect((error as Error).name).toBe('ConfigError');
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
    expect((error as Error).message).toContain(expected);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: '', API_KEYS: '', PORT: '', RETRY_MAX_ATTEMPTS: '' });
    expect(config).toEqual(loadConfig({}));
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/PORT: [\s\S]*LOG_LEVEL: /);
  });

  it.each([
    ['1500ms', 1500],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1.5h', 5_400_000],
    ['30d', 2_592_000_000],
    ['250', 250],
  ])('parses the duration %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
});
