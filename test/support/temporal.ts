import { silentLogger, type Logger } from '../../src/logger';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from './ports';

/**
 * The official Temporal dev server on free ports of 127.0.0.1, its state in memory, as `npm start` runs it;
 * `ui: true` adds its Web UI.
 */
export async function startTestDevServer(options: { ui?: boolean; logger?: Logger } = {}): Promise<DevServer> {
  return startDevServer({
    port: await freePort(),
    ...(options.ui ? { uiPort: await freePort() } : {}),
    namespace: 'default',
    logger: options.logger ?? silentLogger,
  });
}
