import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processRegistry } from './registry';

export interface MetricsServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * `GET /metrics` of the process's registry on HOST:`port`, for `npm run worker`, which has no API to serve it
 * (npm start's worker shares the API's /metrics). Anything else answers a JSON 404 or 405.
 */
export async function startMetricsServer(port: number, host: string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify({ error: { code, message } }));
    if (path !== '/metrics') return error(404, 'not_found', `No route ${req.method ?? ''} ${path}; metrics are at GET /metrics`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return error(405, 'method_not_allowed', `${req.method ?? ''} is not allowed on /metrics; allowed: GET, HEAD`, { Allow: 'GET, HEAD' });
    }
    processRegistry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': processRegistry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      () => error(500, 'internal_error', 'Internal server error'),
    );
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`,
    stop: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
