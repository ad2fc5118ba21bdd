import type { Kysely } from 'kysely';

/**
 * Where each live instance of a cluster can be reached: one row per lease connection (keyed by
 * its PostgreSQL backend pid), written by the instance when that connection opens. Joined with
 * `pg_locks`, it says which instance holds which device partition and at which address, so an
 * instance that receives a device's upload can hand the request to the device's owner
 * (cluster/partition-owners.ts). A lock held by a session is the truth; a row whose session is
 * gone holds no lock and is never joined (and is deleted by the next instance that connects).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_members')
    .addColumn('backend_pid', 'integer', (c) => c.primaryKey())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cluster_members').execute();
}
