import { mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { removeEmbeddedPostgresData, startEmbeddedPostgres } from '../../src/db/embedded';
import { freePort } from '../support/ports';

/** The embedded Postgres of `npm start`, in a folder only its owner can enter (as a checkout under /root is). */
describe('embedded Postgres', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'conversion-callbacks-embedded-'));
  });
  afterAll(async () => {
    await removeEmbeddedPostgresData(path.join(dir, 'postgres'));
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from a private folder, writes no secret where others can read it, and restarts on its data', async () => {
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const before = new Set(await readdir(tmpdir()));
    const dataDir = path.join(dir, 'postgres');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    try {
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (id int)');
      await client.end();
    } finally {
      await first.stop();
    }
    // initdb's password file lived in a private folder that is gone; the stored password is readable by its owner only.
    const leftovers = (await readdir(tmpdir())).filter((name) => !before.has(name) && /initdb|pg-password/.test(name));
    expect(leftovers).toEqual([]);
    const real = await realpath(dataDir);
    expect((await stat(path.join(real, 'embedded-password'))).mode & 0o077).toBe(0);
    expect((await readFile(path.join(real, 'embedded-password'), 'utf8')).trim()).toBe(decodeURIComponent(new URL(first.url).password));

    const second = await startEmbeddedPostgres({ dataDir, port });
    try {
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query('SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 0 }]);
      await client.end();
    } finally {
      await second.stop();
    }
  });
});
