import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../src/config';
import { composeServices } from '../support/compose';

/** docker-compose.yml cannot run here (no Docker engine); this keeps it consistent with the code and the images. */
const ROOT = path.resolve(__dirname, '../..');
const services = composeServices();
const packageScripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('docker-compose.yml', () => {
  it('has Postgres, Temporal with its Web UI, the worker and the API', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services.postgres.image).toMatch(/^postgres:/);
  });

  it('gives every service a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      // The service name is in the compared value so that a failure says which service lacks a check.
      expect([name, service.healthcheck?.test[0]]).toEqual([name, expect.stringMatching(/^CMD(-SHELL)?$/)]);
    }
    expect(services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(services.api.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/healthz');
    expect(services.worker.healthcheck?.test).toEqual(['CMD', 'node_modules/.bin/tsx', 'scripts/healthcheck-worker.ts']);
  });

  it('configures auto-setup with its documented variables, pointing at the postgres service', () => {
    const env = services.temporal.environment ?? {};
    expect(env).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgres' });
    expect(env.POSTGRES_USER).toBe(services.postgres.environment?.POSTGRES_USER);
    expect(env.POSTGRES_PWD).toBe(services.postgres.environment?.POSTGRES_PASSWORD);
    expect(services.temporal.ports).toContain('7233:7233');
  });

  it('points the Web UI at the Temporal frontend', () => {
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui'].ports).toContain('8080:8080');
  });

  it('starts the worker and the API with their npm scripts, after healthy dependencies', () => {
    expect(services.worker.command).toEqual(['npm', 'run', 'worker']);
    expect(services.api.command).toEqual(['npm', 'run', 'api']);
    // `exec`: the container's SIGTERM, which npm passes on to its child, reaches the service, not a shell. `node
    // --import tsx`: no tsx wrapper process between them (it exits 130 when its child reports a signal late).
    expect(packageScripts.worker).toBe('exec node --import tsx src/worker.ts');
    expect(packageScripts.api).toBe('exec node --import tsx src/api/server.ts');
    for (const name of ['worker', 'api']) {
      expect(services[name].build).toBe('.');
      expect(services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        temporal: { condition: 'service_healthy' },
      });
    }
    expect(services.temporal.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.api.ports).toContain('3000:3000');
  });

  it('gives the worker and the API a valid production configuration', () => {
    const known = Object.keys(configSchema.shape);
    for (const name of ['worker', 'api']) {
      const env = { ...services[name].environment, API_KEYS: 'a-key' };
      expect(Object.keys(env).filter((key) => !known.includes(key))).toEqual([]);
      const config = configSchema.parse(env);
      expect(config).toMatchObject({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://callbacks:callbacks@postgres:5432/callbacks',
        TEMPORAL_ADDRESS: 'temporal:7233',
        ALLOW_PRIVATE_TARGETS: false,
      });
    }
    expect(services.api.environment).toMatchObject({ HOST: '0.0.0.0', PORT: '3000' });
    // The API refuses to start without keys; compose refuses to start it without API_KEYS set.
    expect(services.api.environment?.API_KEYS).toMatch(/^\$\{API_KEYS:\?.+\}$/);
  });

  it('uses the same task queue and namespace for the worker and the API', () => {
    for (const key of ['TEMPORAL_TASK_QUEUE', 'TEMPORAL_NAMESPACE', 'TEMPORAL_ADDRESS', 'DATABASE_URL']) {
      expect(services.worker.environment?.[key]).toBe(services.api.environment?.[key]);
    }
  });
});
