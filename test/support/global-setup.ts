import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { ADMIN_URL_ENV } from './postgres';
import { setSharedPostgres } from './shared-postgres';

/** Asks the OS for a free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Jest global set-up: one Postgres for the whole run. With DATABASE_URL set, that server is used (its user must
 * be allowed to create databases); otherwise an embedded one starts in a temporary directory.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env[ADMIN_URL_ENV] = process.env.DATABASE_URL;
    return;
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-pg-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  setSharedPostgres({ server, dataDir });
  process.env[ADMIN_URL_ENV] = server.url;
}
