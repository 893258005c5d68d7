import type pg from 'pg';
import { createPool } from '../../src/db/pool';
import { withTransaction } from '../../src/db/transaction';
import { createLogger } from '../../src/logger';
import { eventually } from '../support/eventually';
import { useTestDatabase } from '../support/postgres';

/** Connections die (Postgres restarts, an admin terminates them): the process must live on and the pool recover. */
describe('Postgres pool', () => {
  const db = useTestDatabase();
  const lines: string[] = [];
  let pool: pg.Pool;
  beforeEach(() => {
    lines.length = 0;
    pool = createPool(db.url, createLogger({ write: (line) => lines.push(line) }));
  });
  afterEach(async () => {
    await pool.end();
  });

  const terminate = (pid: number) => db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
  const backendPid = async (client: pg.PoolClient) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

  it('survives a connection that dies inside a transaction, and serves the next query', async () => {
    await expect(
      withTransaction(pool, async (client) => {
        await terminate(await backendPid(client));
        // The 'error' event of the checked-out client comes first; without a listener it would end the process.
        await eventually(async () => (lines.some((line) => line.includes('Postgres connection failed')) ? true : undefined));
        await client.query('SELECT 1');
      }),
    ).rejects.toThrow(/terminat|Connection/i);
    expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('survives an idle connection that dies', async () => {
    const client = await pool.connect();
    const pid = await backendPid(client);
    client.release();
    await terminate(pid);
    await eventually(async () => (lines.some((line) => line.includes('idle Postgres connection failed')) ? true : undefined));
    expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});
