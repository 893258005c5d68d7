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
      OUTBOUND_IPS: [],
      RETRY_INITIAL_INTERVAL: 120_000,
      RETRY_BACKOFF_COEFFICIENT: 2,
      RETRY_MAX_ATTEMPTS: 6,
      RETRYABLE_STATUS_CODES: [500, 503],
      CALLBACK_TIMEOUT: 10_000,
      RESEND_WINDOW: 30 * 86_400_000,
      ALLOW_PRIVATE_TARGETS: false,
      CALLBACK_SOCKETS_PER_ORIGIN: 32,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 200,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 40,
      WORKER_MAX_CACHED_WORKFLOWS: 250,
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
      TEMPORAL_UI_URL: 'https://temporal.example/ui',
      OUTBOUND_IPS: '203.0.113.7, 2001:db8::1',
      RETRY_INITIAL_INTERVAL: '90s',
      RETRY_BACKOFF_COEFFICIENT: '1.5',
      RETRY_MAX_ATTEMPTS: '10',
      RETRYABLE_STATUS_CODES: '500, 502,503,504',
      CALLBACK_TIMEOUT: '1500ms',
      RESEND_WINDOW: '7d',
      ALLOW_PRIVATE_TARGETS: 'true',
      CALLBACK_SOCKETS_PER_ORIGIN: '0',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10',
      WORKER_MAX_CACHED_WORKFLOWS: '0',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      PORT: 8080,
      DATABASE_URL: 'postgres://u:p@db:5432/callbacks',
      TEMPORAL_ADDRESS: 'temporal:7233',
      API_KEYS: [
        { key: 'key-one', role: 'admin' },
        { key: 'key-two', role: 'admin' },
      ],
      TEMPORAL_UI_URL: 'https://temporal.example/ui',
      OUTBOUND_IPS: ['203.0.113.7', '2001:db8::1'],
      RETRY_INITIAL_INTERVAL: 90_000,
      RETRY_BACKOFF_COEFFICIENT: 1.5,
      RETRY_MAX_ATTEMPTS: 10,
      RETRYABLE_STATUS_CODES: [500, 502, 503, 504],
      CALLBACK_TIMEOUT: 1500,
      RESEND_WINDOW: 7 * 86_400_000,
      ALLOW_PRIVATE_TARGETS: true,
      CALLBACK_SOCKETS_PER_ORIGIN: 0,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 50,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 10,
      WORKER_MAX_CACHED_WORKFLOWS: 0,
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
    ['TEMPORAL_UI_URL', 'localhost:8233', 'TEMPORAL_UI_URL'],
    ['TEMPORAL_UI_URL', 'ftp://temporal.example', 'http(s) URL'],
    ['OUTBOUND_IPS', '203.0.113.7,not-an-ip', 'entry 2 is not an IPv4 or IPv6 address'],
    ['OUTBOUND_IPS', '203.0.113.0/24', 'entry 1 is not an IPv4 or IPv6 address'],
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

  describe('API_KEYS roles', () => {
    it('reads key=role entries; a key without a role is admin', () => {
      const { API_KEYS } = loadConfig({
        API_KEYS: 'root-key, ops-key=operator, look-key=viewer , pub-key=publisher:pub-1,pub2-key=publisher:acme.eu@2',
      });
      expect(API_KEYS).toEqual([
        { key: 'root-key', role: 'admin' },
        { key: 'ops-key', role: 'operator' },
        { key: 'look-key', role: 'viewer' },
        { key: 'pub-key', role: 'publisher', publisherId: 'pub-1' },
        { key: 'pub2-key', role: 'publisher', publisherId: 'acme.eu@2' },
      ]);
    });

    it('keeps the base64 padding of a key: the role follows the last "="', () => {
      const { API_KEYS } = loadConfig({ API_KEYS: 'c2VjcmV0a2V5MQ==,c2VjcmV0a2V5Mg===viewer,c2VjcmV0a2V5=,a2V5Mw===publisher:p-9' });
      expect(API_KEYS).toEqual([
        { key: 'c2VjcmV0a2V5MQ==', role: 'admin' },
        { key: 'c2VjcmV0a2V5Mg==', role: 'viewer' },
        { key: 'c2VjcmV0a2V5=', role: 'admin' },
        { key: 'a2V5Mw==', role: 'publisher', publisherId: 'p-9' },
      ]);
    });

    it.each([
      ['an unknown role', 'good-key, secret-one=viewr', 'entry 2: the role after the last "=" is not one of admin, operator, viewer or publisher:<publisherId>'],
      ['a publisher role without an id', 'secret-one=publisher:', 'entry 1: the role'],
      ['a publisher role with a bad id', 'secret-one=publisher:a/b', 'entry 1: the role'],
      ['a role without a key', 'good-key,=operator', 'entry 2: the key must be printable ASCII'],
      ['a key with a space', 'secret one=viewer', 'entry 1: the key must be printable ASCII without spaces'],
      ['one key given two roles', 'secret-one=viewer,secret-one=admin', 'entry 2: repeats the key of an earlier entry'],
    ])('refuses %s, naming the entry but never the key', (_case, value, expected) => {
      let error: unknown;
      try {
        loadConfig({ API_KEYS: value });
      } catch (err) {
        error = err;
      }
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^API_KEYS: /)]);
      expect((error as Error).message).toContain(expected);
      expect((error as Error).message).not.toContain('secret');
    });
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
