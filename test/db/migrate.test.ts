import { migrate, readMigrations } from '../../src/db/migrate';
import { useTestDatabase } from '../support/postgres';

describe('migrations', () => {
  const db = useTestDatabase();

  it('records every migration file once, in order', async () => {
    const { rows } = await db.pool.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual((await readMigrations()).map((m) => m.version));
  });

  it('applies nothing when run again, even concurrently', async () => {
    const results = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    expect(results).toEqual([[], [], []]);
  });

  it('creates the tables the service uses', async () => {
    const { rows } = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['publishers', 'conversions', 'callbacks', 'callback_attempts', 'schema_migrations']),
    );
  });
});
