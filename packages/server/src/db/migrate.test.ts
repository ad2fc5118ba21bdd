import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './database.js';
import { migrateToLatest, MigrationError } from './migrate.js';
import { migrations } from './migrations/index.js';

/** SQLite in memory, or a PostgreSQL schema of its own when DATABASE_URL is set. */
async function freshDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  return url === undefined
    ? createDatabase({ sqlitePath: ':memory:' })
    : createDatabase({
        databaseUrl: url,
        pgSchema: `vigil_migtest_${randomBytes(6).toString('hex')}`,
        dropSchemaOnClose: true,
      });
}

let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('migrateToLatest', () => {
  it('applies every migration once, then nothing on a second run', async () => {
    database = await freshDatabase();
    const db = database.db as unknown as Kysely<never>;
    const first = await migrateToLatest(db, database.dialect);
    expect(first.map((r) => [r.migrationName, r.status])).toEqual(
      Object.keys(migrations).map((name) => [name, 'Success']),
    );
    expect(await migrateToLatest(db, database.dialect)).toEqual([]);
    const users = await database.db.selectFrom('users').select('id').execute();
    expect(users).toEqual([]);
  });

  it('fails loudly, naming the migration, and keeps the earlier ones', async () => {
    database = await freshDatabase();
    const broken: Migration = {
      async up(db: Kysely<unknown>) {
        await sql`create table broken_one (id text primary key)`.execute(db);
        await sql`this is not sql`.execute(db);
      },
    };
    const set = { ...migrations, '999_broken': broken };
    const run = migrateToLatest(database.db as unknown as Kysely<never>, database.dialect, set);
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/^migration 999_broken failed: /);
  });

  it('stores epoch-millisecond timestamps as numbers on both dialects', async () => {
    database = await freshDatabase();
    await migrateToLatest(database.db as unknown as Kysely<never>, database.dialect);
    const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    await database.db
      .insertInto('users')
      .values({
        id: 'u1',
        email: 'a@example.test',
        name: 'A',
        role: 'patient',
        password_hash: 'h',
        doctor_id: null,
        health_profile: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const row = await database.db
      .selectFrom('users')
      .select('created_at')
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBe(at);
  });

  it('rejects an unknown role at the database level', async () => {
    database = await freshDatabase();
    await migrateToLatest(database.db as unknown as Kysely<never>, database.dialect);
    const insert = database.db
      .insertInto('users')
      .values({
        id: 'u2',
        email: 'b@example.test',
        name: 'B',
        role: 'nurse' as 'patient',
        password_hash: 'h',
        doctor_id: null,
        health_profile: null,
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    await expect(insert).rejects.toThrow(/check constraint|CHECK constraint/i);
  });
});
