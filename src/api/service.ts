import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createApp } from './app';
import { answerClientErrorsWithJson } from './client-errors';
import type { ApiDeps } from './deps';
import { startDispatcher } from './dispatcher';

export interface ApiService {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Stops accepting requests and waits for those in flight, then stops the dispatcher after its round. */
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export interface ApiServiceOptions {
  /** The dispatcher's own pool, so that a burst of intake cannot starve it (and the other way round). */
  dispatchPool?: pg.Pool;
}

/** Serves the API on HOST:PORT and runs the outbox dispatcher that starts the delivery workflows. */
export async function startApiService(deps: ApiDeps, options: ApiServiceOptions = {}): Promise<ApiService> {
  const dispatcher = startDispatcher({ pool: options.dispatchPool ?? deps.pool, scheduler: deps.scheduler, logger: deps.logger });
  const server = answerClientErrorsWithJson(createServer(createApp({ ...deps, outbox: dispatcher })));
  const address = await listen(server, deps.config.PORT, deps.config.HOST).catch(async (err: unknown) => {
    await dispatcher.stop();
    throw err;
  });
  return {
    url: `http://${address.address}:${address.port}`,
    port: address.port,
    stop: async () => {
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await dispatcher.stop();
    },
  };
}
