import type { Kysely } from 'kysely';
import type { ClusterJobRunsTable, DB } from '../db/schema.js';

/** The log of cluster-wide periodic job runs (migration 019). */
export interface ClusterJobsRepository {
  recordRun(run: ClusterJobRunsTable): Promise<void>;
  /** Runs of `job` at or after `since` (epoch ms), oldest first. */
  runsSince(job: string, since: number): Promise<ClusterJobRunsTable[]>;
  /** When `job` last ran (epoch ms), on any instance. */
  lastRunAt(job: string): Promise<number | undefined>;
  /** Deletes the runs of `job` before `before` (epoch ms); returns how many. */
  trimBefore(job: string, before: number): Promise<number>;
}

export function createClusterJobsRepository(db: Kysely<DB>): ClusterJobsRepository {
  return {
    async recordRun(run) {
      await db.insertInto('cluster_job_runs').values(run).execute();
    },
    runsSince(job, since) {
      return db
        .selectFrom('cluster_job_runs')
        .selectAll()
        .where('job', '=', job)
        .where('at', '>=', since)
        .orderBy('at')
        .execute();
    },
    async lastRunAt(job) {
      const r = await db
        .selectFrom('cluster_job_runs')
        .select('at')
        .where('job', '=', job)
        .orderBy('at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.at;
    },
    async trimBefore(job, before) {
      const r = await db
        .deleteFrom('cluster_job_runs')
        .where('job', '=', job)
        .where('at', '<', before)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
