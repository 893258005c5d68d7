import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { answerClientErrorsWithJson } from './client-errors';
import type { ApiDeps } from './deps';
import { startSweeper } from './sweeper';
import { startMissingWorkflows } from './use-cases/start-deliveries';

const SWEEP_INTERVAL_MS = 30_000;

export interface ApiService {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Stops the sweep, then stops accepting requests and waits for those in flight. */
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

/** Serves the API on HOST:PORT and runs the start-missing-workflows sweep at start-up and every 30 s. */
export async function startApiService(deps: ApiDeps): Promise<ApiService> {
  const server = answerClientErrorsWithJson(createServer(createApp(deps)));
  const address = await listen(server, deps.config.PORT, deps.config.HOST);
  const sweeper = startSweeper('start-missing-workflows', () => startMissingWorkflows(deps), SWEEP_INTERVAL_MS, deps.logger);
  return {
    url: `http://${address.address}:${address.port}`,
    port: address.port,
    stop: async () => {
      await sweeper.stop();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
