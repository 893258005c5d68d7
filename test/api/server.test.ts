import request from 'supertest';
import type { DevServer } from '../../src/temporal/dev-server';
import { eventually } from '../support/eventually';
import { useTestDatabase } from '../support/postgres';
import { runScript, whileRunning } from '../support/scripts';
import { startTestDevServer } from '../support/temporal';

/** `npm run api`, the production entry point, as a child process against Postgres and a Temporal server. */
const runApi = (env: Record<string, string>) => runScript('src/api/server.ts', env);

describe('npm run api', () => {
  const db = useTestDatabase();
  let temporal: DevServer;

  beforeAll(async () => {
    temporal = await startTestDevServer();
  });
  afterAll(async () => {
    await temporal?.stop();
  });

  it.each([
    ['DATABASE_URL', { TEMPORAL_ADDRESS: '127.0.0.1:1', API_KEYS: 'k' }, 'needs DATABASE_URL and TEMPORAL_ADDRESS'],
    ['TEMPORAL_ADDRESS', { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', API_KEYS: 'k' }, 'needs DATABASE_URL and TEMPORAL_ADDRESS'],
    ['API_KEYS', { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'refuses to start without keys'],
  ])('refuses to start without %s', async (_name, env, message) => {
    const api = runApi({ DATABASE_URL: '', TEMPORAL_ADDRESS: '', API_KEYS: '', ...env });
    expect(await api.exited).toBe(1);
    expect(api.output()).toContain(message);
  });

  it('migrates, serves the API and stops cleanly on SIGTERM', async () => {
    const api = runApi({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, API_KEYS: 'prod-key', PORT: '0', NODE_ENV: 'production' });
    try {
      const url = await eventually(
        whileRunning(api, 'npm run api', async () => /"msg":"API listening","url":"([^"]+)"/.exec(api.output())?.[1]),
        30_000,
      );
      await request(url).get('/healthz').expect(200);
      await request(url).get('/v1/callbacks').expect(401);
      await request(url).get('/v1/callbacks').set({ Authorization: 'Bearer prod-key' }).expect(200, { data: [], nextCursor: null });
      expect(api.output()).not.toContain('prod-key');
    } finally {
      api.child.kill('SIGTERM');
    }
    expect(await api.exited).toBe(0);
  });
});
