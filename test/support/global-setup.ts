import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { freePort } from './ports';
import { ADMIN_URL_ENV } from './postgres';
import { setSharedPostgres } from './shared-postgres';

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
