import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely';
import { SCHEMA_DDL_LOCK, type Dialect } from './database.js';
import { migrations as allMigrations } from './migrations/index.js';

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
    message = `migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
  ) {
    super(message, { cause });
    this.name = 'MigrationError';
  }
}

/**
 * Kysely refuses a database whose `kysely_migration` table names a migration this code does not
 * have ("corrupted migrations: previously executed migration X is missing", Migrator's
 * #ensureNoMissingMigrations). For an operator that almost always means the database was
 * migrated by a newer Vigil and this older one was started on it (a rollback after an upgrade):
 * say so, and what to do, instead of "corrupted".
 */
function newerDatabaseError(error: unknown): MigrationError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /previously executed migration (\S+) is missing/.exec(message);
  if (match === null) return undefined;
  const name = match[1] ?? '';
  return new MigrationError(
    name,
    error,
    `the database was migrated by a newer Vigil: its migration ${name} is unknown to this version. ` +
      'Start the version that migrated it, or restore a backup taken before the upgrade',
  );
}

/**
 * Brings the schema to the latest migration. The one runner used by tests, development and
 * production. It throws (never logs and continues) with the failing migration's name. The batch
 * runs in one transaction on both dialects: a failure leaves nothing half-applied. On
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
      const newer = failed === undefined ? newerDatabaseError(error) : undefined;
      if (newer !== undefined) throw newer;
      throw new MigrationError(failed?.migrationName ?? 'runner', error ?? 'unknown error');
    }
    return results;
  };
  if (dialect === 'sqlite') {
    // Kysely's SQLite adapter declares no transactional DDL, so its Migrator ran each statement
    // on its own: a migration failing halfway (a table rebuilt and copied, then an error, a full
    // disk or a kill) left its new tables behind and unrecorded, and every later start failed on
    // them ('table … already exists'). SQLite's DDL is transactional; run the batch in one
    // transaction as on PostgreSQL, so a failure leaves the database as it was. No migration
    // opens a transaction of its own or sets a pragma that a transaction would ignore.
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const results = await run(conn);
        await sql`commit`.execute(conn);
        return results;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
  }
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
