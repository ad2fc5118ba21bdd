import type { Kysely } from 'kysely';

/**
 * The log of cluster-wide periodic jobs (retention, device-silent sweep, audit retention): one
 * row per run, naming the instance that held the job's lease. Several instances on one
 * PostgreSQL run each job once per period between them; this log is what shows it (and where
 * the jobs ran). Rows older than a week are trimmed by the job scheduler itself.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_job_runs')
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('cluster_job_runs_job_at')
    .on('cluster_job_runs')
    .columns(['job', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cluster_job_runs').execute();
}
