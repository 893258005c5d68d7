/**
 * The service as production runs it, for the scripts that measure it (`npm run chaos`, `npm run bench`): an embedded
 * Postgres and Temporal's official dev server with their data in a temporary folder, and `npm run api` and
 * `npm run worker` as child processes whose logs go to that folder. Each piece can be started again after a kill.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { removeEmbeddedPostgresData, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { silentLogger } from '../../src/logger';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../test/support/ports';
import { startProcess, startService, stopGracefully, type ServiceProcess } from './services';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `url` answers 2xx; rejects after `timeoutMs`. */
export async function untilOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((res) => res.ok, () => false)) return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** The JSON body of POST /v1/conversions for one conversion of `publisherId`. */
export function conversionJson(conversionId: string, publisherId: string): string {
  return JSON.stringify({ conversionId, publisherId, clickId: 'c', eventId: 'e', offerId: 'o', payout: '1', userId: 'u' });
}

interface Ports {
  api: number;
  postgres: number;
  temporal: number;
}

export interface StackOptions {
  /** The API's and the worker's environment beyond the addresses, the key and the port. */
  env?: Record<string, string>;
  /** Where Temporal's dev server keeps its workflows: a SQLite file as `npm start` does (kept across restarts), or memory. */
  temporalState?: 'file' | 'memory';
}

export class ServiceStack {
  postgres?: EmbeddedPostgres;
  temporal?: DevServer;
  api?: ServiceProcess;
  worker?: ServiceProcess;
  /** Other scripts run on the stack's environment (startScript), stopped with it. */
  private readonly scripts: ServiceProcess[] = [];

  private constructor(
    /** Data (Postgres, Temporal's SQLite file) and the processes' logs. */
    readonly dir: string,
    readonly key: string,
    private readonly ports: Ports,
    private readonly options: StackOptions,
  ) {}

  static async create(name: string, options: StackOptions = {}): Promise<ServiceStack> {
    const dir = await mkdtemp(path.join(tmpdir(), `conversion-callbacks-${name}-`));
    const ports = { api: await freePort(), postgres: await freePort(), temporal: await freePort() };
    return new ServiceStack(dir, `${name}-key`, ports, options);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  /** Headers of an authenticated JSON request to the API. */
  get headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.key}`, 'Content-Type': 'application/json' };
  }

  env(): Record<string, string> {
    return {
      DATABASE_URL: this.postgres?.url ?? '',
      TEMPORAL_ADDRESS: this.temporal?.address ?? '',
      API_KEYS: this.key,
      PORT: String(this.ports.api),
      // The publisher is a receiver on 127.0.0.1.
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'warn',
      ...this.options.env,
    };
  }

  async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({ dataDir: path.join(this.dir, 'postgres'), port: this.ports.postgres });
  }

  async startTemporal(): Promise<void> {
    const state = this.options.temporalState === 'memory' ? {} : { dbFile: path.join(this.dir, 'temporal.db') };
    this.temporal = await startDevServer({ port: this.ports.temporal, ...state, namespace: 'default', logger: silentLogger });
  }

  /** Starts `npm run api` (`env` on top of the stack's) and waits until its health check answers. */
  async startApi(env: Record<string, string> = {}): Promise<void> {
    this.api = startService('api', { ...this.env(), ...env }, this.dir);
    await untilOk(`${this.apiUrl}/healthz`, 60_000);
  }

  startWorker(env: Record<string, string> = {}): void {
    this.worker = startService('worker', { ...this.env(), ...env }, this.dir);
  }

  /** Stops the API and the worker (requests and attempts in flight finish), to start them again with other settings. */
  async stopServices(): Promise<void> {
    for (const service of [this.api, this.worker]) if (service) await stopGracefully(service);
    this.api = undefined;
    this.worker = undefined;
  }

  /** Postgres and Temporal, then the API (it runs the migrations), then the worker. */
  async start(): Promise<void> {
    await Promise.all([this.startPostgres(), this.startTemporal()]);
    await this.startApi();
    this.startWorker();
  }

  /** Another entry point of the project (path from its root) on the stack's environment; its log is `<name>.log`. */
  startScript(name: string, entry: string): ServiceProcess {
    const script = startProcess(name, entry, this.env(), this.dir);
    this.scripts.push(script);
    return script;
  }

  /** Stops a script started by startScript. */
  async stopScript(script: ServiceProcess): Promise<void> {
    await stopGracefully(script);
    this.scripts.splice(this.scripts.indexOf(script), 1);
  }

  /** PUT /v1/publishers/:publisherId with its callbacks POSTed to `callbackUrl`. */
  async registerPublisher(publisherId: string, callbackUrl: string): Promise<void> {
    const res = await fetch(`${this.apiUrl}/v1/publishers/${publisherId}`, { method: 'PUT', headers: this.headers, body: JSON.stringify({ callbackUrl }) });
    if (!res.ok) throw new Error(`PUT /v1/publishers/${publisherId} answered ${res.status}: ${await res.text()}`);
  }

  /** Stops what runs, in the launcher's order: the API, the worker and scripts (attempts in flight finish), Temporal, Postgres. */
  async stop(): Promise<void> {
    for (const service of [this.api, this.worker, ...this.scripts]) if (service) await stopGracefully(service);
    await this.temporal?.stop();
    await this.postgres?.stop();
  }

  /** Deletes the folder, and Postgres' data where a run as root relocated it (linked from the folder). */
  async removeData(): Promise<void> {
    await removeEmbeddedPostgresData(path.join(this.dir, 'postgres'));
    await rm(this.dir, { recursive: true, force: true });
  }
}
