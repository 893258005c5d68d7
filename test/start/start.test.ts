import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { removeEmbeddedPostgresData } from '../../src/db/embedded';
import { startReceiver, type Receiver } from '../support/receiver';
import { eventually } from '../support/eventually';
import { freePort, isPortFree } from '../support/ports';
import { runNpmStart, runScript, whileRunning, type ScriptProcess } from '../support/scripts';

/**
 * `npm start` as a newcomer runs it: a child process with embedded Postgres and the official Temporal dev server.
 * Restarting it keeps the data, Temporal's included: a callback that was retrying when it stopped keeps its attempt
 * number and its schedule.
 */
interface Launched extends ScriptProcess {
  api: string;
  /** The console's address, as the banner prints it. */
  console: string;
  key: string;
  webUi: string;
}

/** Starts scripts/start.ts (by default with node --import tsx, as npm start does) and waits for its banner; returns the API URL and the generated key it printed. */
async function launch(env: Record<string, string>, start = (e: Record<string, string>) => runScript('scripts/start.ts', e)): Promise<Launched> {
  const started = start(env);
  try {
    const banner = await eventually(
      whileRunning(started, 'npm start', async () => (/conversion-callbacks is running/.test(started.output()) ? started.output() : undefined)),
      90_000,
    );
    const api = /API\s+(http:\/\/\S+)/.exec(banner)?.[1];
    const key = /shown once[^\n]*\n\s+(\S+)/.exec(banner)?.[1];
    const webUi = /Web UI\s+(http:\/\/\S+)/.exec(banner)?.[1];
    const console = /Console\s+(http:\/\/\S+)/.exec(banner)?.[1];
    if (!api || !key || !webUi || !console) throw new Error(`unexpected banner:\n${banner}`);
    return { ...started, api, key, webUi, console };
  } catch (err) {
    // No banner: stop what it started (Ctrl-C stops its Postgres and Temporal too) before failing the test.
    if (started.child.exitCode === null && started.child.signalCode === null) await interrupt(started);
    throw err;
  }
}

/** Ctrl-C, as a user would; resolves with the exit code. */
async function interrupt(started: ScriptProcess): Promise<number | null> {
  started.child.kill('SIGINT');
  return started.exited;
}

describe('npm start', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let receiver: Receiver;
  let running: Launched | undefined;

  beforeAll(async () => {
    // mkdtemp makes it 0700: under root, as in a checkout only root can read, the Postgres user cannot enter it.
    dataDir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-start-'));
    env = {
      NODE_ENV: 'development',
      API_KEYS: '',
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_UI_URL: '',
      PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      EMBEDDED_TEMPORAL_PORT: String(await freePort()),
      EMBEDDED_TEMPORAL_UI_PORT: String(await freePort()),
      EMBEDDED_TEMPORAL_DB: path.join(dataDir, 'temporal', 'dev-server.db'),
      EMBEDDED_POSTGRES_DIR: path.join(dataDir, 'postgres'),
      ALLOW_PRIVATE_TARGETS: 'true',
      // Two attempts, 10 s apart: the retry is due around the restart, and there must never be a third.
      RETRY_INITIAL_INTERVAL: '10s',
      RETRY_MAX_ATTEMPTS: '2',
    };
    receiver = await startReceiver(() => ({ status: 503 }));
  });
  afterAll(async () => {
    if (running?.child.exitCode === null) await interrupt(running);
    await receiver.close();
    await removeEmbeddedPostgresData(env.EMBEDDED_POSTGRES_DIR);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start in production without API keys', async () => {
    const refused = runScript('scripts/start.ts', { ...env, NODE_ENV: 'production' });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain('API_KEYS is not set');
  });

  it('keeps the data and the retry schedule across a restart', async () => {
    running = await launch(env);
    const first = running;
    const auth = { Authorization: `Bearer ${first.key}` };
    await request(first.api).put('/v1/publishers/pub-restart').set(auth).send({ callbackUrl: `${receiver.url}/cb` }).expect(201);
    await request(first.api)
      .post('/v1/conversions')
      .set(auth)
      .send({ conversionId: 'conv-restart', publisherId: 'pub-restart', clickId: 'c', eventId: 'e', offerId: 'o', payout: 1, userId: 'u' })
      .expect(201);
    await eventually(async () => {
      const { body } = await request(first.api).get('/v1/conversions/conv-restart').set(auth).expect(200);
      return body.callback.status === 'retrying' ? true : undefined;
    });
    // The Web UI finds the delivery by the ConversionId search attribute.
    const query = encodeURIComponent('ConversionId = "conv-restart"');
    const listed = await request(first.webUi).get(`/api/v1/namespaces/default/workflows?query=${query}`).expect(200);
    expect(listed.body.executions.map((e: { execution: { workflowId: string } }) => e.execution.workflowId)).toEqual([
      'conversion-callback/conv-restart',
    ]);
    // The generated key is an admin's, and the console links to this dev server's Web UI.
    const session = await request(first.api).get('/v1/session').set(auth).expect(200);
    expect(session.body).toMatchObject({ role: 'admin', temporalUiUrl: first.webUi });
    // The banner's console address serves the console, where the printed key signs in.
    expect(first.console).toBe(`${first.api}/console`);
    await request(first.api).get('/console').expect(200).expect('Content-Type', /text\/html/);
    await request(first.api).post('/v1/session').send({ apiKey: first.key }).expect(200);
    expect(await interrupt(first)).toBe(0);
    expect(first.output()).not.toMatch(/could not stop|shutdown failed/);

    running = await launch(env);
    const second = running;
    // A new key for the new run; the old one no longer works.
    expect(second.key).not.toBe(first.key);
    await request(second.api).get('/v1/callbacks').set(auth).expect(401);
    const failed = await eventually(async () => {
      const { body } = await request(second.api).get('/v1/conversions/conv-restart').set({ Authorization: `Bearer ${second.key}` }).expect(200);
      return body.callback.status === 'failed' ? body : undefined;
    }, 60_000);
    const attempts = failed.attempts as { attemptNumber: number; statusCode: number; startedAt: string }[];
    expect(attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
    ]);
    // The retry kept the first run's schedule (10 s after the first attempt), and the restart added no attempt.
    expect(Date.parse(attempts[1].startedAt) - Date.parse(attempts[0].startedAt)).toBeGreaterThanOrEqual(10_000);
    expect(receiver.requests).toHaveLength(2);
    expect(await interrupt(second)).toBe(0);
  });

  it.each([
    ['one Ctrl-C to its process group', (npm: ScriptProcess) => process.kill(-(npm.child.pid ?? 0), 'SIGINT')],
    ["SIGTERM to npm's own process", (npm: ScriptProcess) => npm.child.kill('SIGTERM')],
  ])('%s stops everything in order, and leaves nothing running', async (_name, signal) => {
    running = await launch(env, runNpmStart);
    const npm = running;
    signal(npm);
    expect(await npm.exited).toBe(0);
    // The service's own process finished its shutdown (npm may exit first) and nothing holds its ports.
    await eventually(async () => (/"msg":"stopped"/.test(npm.output()) ? true : undefined));
    const ports = [env.PORT, env.EMBEDDED_POSTGRES_PORT, env.EMBEDDED_TEMPORAL_PORT, env.EMBEDDED_TEMPORAL_UI_PORT].map(Number);
    await eventually(async () => ((await Promise.all(ports.map(isPortFree))).every(Boolean) ? true : undefined));
    // One keypress arrives several times (the terminal's group and npm relaying it): still one orderly stop.
    expect(npm.output()).not.toMatch(/second signal|could not stop|shutdown failed/);
  });

  it('a second npm start in the same folder says the first one is running, and leaves it running', async () => {
    running = await launch(env);
    const first = running;
    const second = runScript('scripts/start.ts', { ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/data directory .* is in use by a running Postgres \(pid \d+\), probably another npm start/);
    expect(second.stderr()).not.toMatch(/\n\s+at |EMBEDDED_POSTGRES_PORT to a free port/);
    await request(first.api).get('/healthz').expect(200);
    expect(await interrupt(first)).toBe(0);
  });

  it('names HOST, not PORT, when HOST is not an address of this machine', async () => {
    // 192.0.2.1 is TEST-NET-1: documentation only, never an address of this machine; nothing is sent to it.
    const refused = runScript('scripts/start.ts', { ...env, HOST: '192.0.2.1' });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain('HOST=192.0.2.1 is not an address of this machine');
    expect(refused.stderr()).not.toContain('PORT');
  });

  it('stops in order and exits non-zero, saying why, when its Postgres dies', async () => {
    running = await launch(env);
    const launched = running;
    const postmasterPid = Number((await readFile(path.join(env.EMBEDDED_POSTGRES_DIR, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(-postmasterPid, 'SIGKILL');
    expect(await launched.exited).toBe(1);
    expect(launched.output()).toMatch(/"level":"error","msg":"embedded Postgres exited unexpectedly/);
    expect(launched.output()).toMatch(/"msg":"shutting down","reason":"embedded Postgres stopped"/);
  });

  it('lets an attempt in flight finish and be recorded on Ctrl-C: the callback is not sent twice', async () => {
    // The publisher takes 3 s to answer 200: the Ctrl-C comes while it thinks.
    const slow = await startReceiver(() => ({ status: 200, delayMs: 3_000 }));
    try {
      running = await launch(env, runNpmStart);
      const first = running;
      const auth = { Authorization: `Bearer ${first.key}` };
      await request(first.api).put('/v1/publishers/pub-slow').set(auth).send({ callbackUrl: `${slow.url}/cb` }).expect(201);
      await request(first.api)
        .post('/v1/conversions')
        .set(auth)
        .send({ conversionId: 'conv-in-flight', publisherId: 'pub-slow', clickId: 'c', eventId: 'e', offerId: 'o', payout: 1, userId: 'u' })
        .expect(201);
      await eventually(async () => (slow.requests.length === 1 ? true : undefined));
      process.kill(-(first.child.pid ?? 0), 'SIGINT');
      expect(await first.exited).toBe(0);
      await eventually(async () => (/"msg":"stopped"/.test(first.output()) ? true : undefined));

      running = await launch(env);
      const second = running;
      const { body } = await request(second.api).get('/v1/conversions/conv-in-flight').set({ Authorization: `Bearer ${second.key}` }).expect(200);
      expect(body.callback.status).toBe('sent');
      expect(body.attempts.map((a: { attemptNumber: number; outcome: string; statusCode: number }) => [a.attemptNumber, a.outcome, a.statusCode])).toEqual([
        [1, 'succeeded', 200],
      ]);
      expect(slow.requests).toHaveLength(1);
      expect(await interrupt(second)).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
