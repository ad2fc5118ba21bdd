import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely';
import { SCHEMA_DDL_LOCK, type Dialect } from './database.js';
import { migrations as allMigrations } from './migrations/index.js';

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(
      `migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'MigrationError';
  }
}

/**
 * Brings the schema to the latest migration. The one runner used by tests, development and
 * production. It throws (never logs and continues) with the failing migration's name. On
 * PostgreSQL a session advisory lock, keyed by the current schema, serialises concurrent
 * starters (several replicas booting at once); Kysely additionally runs the batch in one
 * transaction there, so a failed migration leaves nothing half-applied.
 */
export async function migrateToLatest(
  db: Kysely<never>,
  dialect: Dialect,
  migrations = allMigrations,
): Promise<MigrationResult[]> {
  const run = async (executor: Kysely<never>, schema?: string) => {
    const migrator = new Migrator({
      db: executor,
      provider: { getMigrations: () => Promise.resolve(migrations) },
      // Kysely looks for its bookkeeping tables in every schema unless told which one; with
      // several schemas in one database (parallel test runs) it would find another's and skip
      // creating its own.
      ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    });
    const { error, results = [] } = await migrator.migrateToLatest();
    const failed = results.find((r) => r.status === 'Error');
    if (error !== undefined || failed !== undefined) {
      throw new MigrationError(failed?.migrationName ?? 'runner', error ?? 'unknown error');
    }
    return results;
  };
  if (dialect === 'sqlite') return run(db);
  return db.connection().execute(async (conn) => {
    // Kysely's Migrator introspects the tables of every schema in the database (with
    // pg_get_serial_sequence on each), so a schema dropped meanwhile by another deployment or
    // test app in the same database fails this run with 'schema ... does not exist' (seen with
    // test files in parallel on one PostgreSQL database). Schema drops (database.ts,
    // dropSchemaOnClose) take this lock exclusively; runners share it.
    await sql`select pg_advisory_lock_shared(hashtext(${SCHEMA_DDL_LOCK}))`.execute(conn);
    await sql`select pg_advisory_lock(hashtext('vigil_migrations:' || current_schema()))`.execute(
      conn,
    );
    try {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        conn,
      );
      return await run(conn, rows[0]?.schema);
    } finally {
      await sql`select pg_advisory_unlock(hashtext('vigil_migrations:' || current_schema()))`.execute(
        conn,
      );
      await sql`select pg_advisory_unlock_shared(hashtext(${SCHEMA_DDL_LOCK}))`.execute(conn);
    }
  });
}
