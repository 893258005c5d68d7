/**
 * The embedded Temporal-compatible server: in memory, one process, optionally time-skipping.
 * Library entry point; `bin/temporal-devserver` is the command-line one.
 */
import { bindServer } from './transport/grpc-server';
import { buildServer } from './server';

export interface DevServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  /** Test-server mode: time jumps over idle periods while nothing holds a lock. */
  timeSkipping?: boolean;
  /**
   * With time skipping: start with one lock held, as the official test server does unless given
   * --enable-time-skipping (the SDK's test environment unlocks it around result() and sleep()). Default true.
   */
  startLocked?: boolean;
  log?: (line: string) => void;
}

export interface DevServer {
  /** host:port, for TEMPORAL_ADDRESS or Connection.connect({ address }). */
  readonly address: string;
  readonly port: number;
  shutdown(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const timeSkipping = options.timeSkipping ?? false;
  const { grpcServer, state } = buildServer({ timeSkipping, startLocked: timeSkipping && (options.startLocked ?? true), log });
  const port = await bindServer(grpcServer, `${host}:${options.port ?? 0}`);
  return {
    address: `${host}:${port}`,
    port,
    shutdown: () =>
      new Promise<void>((resolve) => {
        state.clock.stop();
        state.store.matching.releasePollers();
        grpcServer.tryShutdown(() => resolve());
        // Long polls would hold a graceful shutdown for up to a minute.
        setTimeout(() => grpcServer.forceShutdown(), 2_000).unref();
      }),
  };
}
