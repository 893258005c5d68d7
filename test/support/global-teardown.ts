import { rm } from 'node:fs/promises';
import { takeSharedPostgres } from './shared-postgres';

/** Jest global tear-down: stops the embedded Postgres (waiting for its process to exit) and deletes its data. */
export default async function globalTeardown(): Promise<void> {
  const shared = takeSharedPostgres();
  if (!shared) return;
  await shared.server.stop();
  await rm(shared.dataDir, { recursive: true, force: true });
}
