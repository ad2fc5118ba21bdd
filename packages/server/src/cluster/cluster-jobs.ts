import type { Clock } from '../adapters/clock.js';
import type { Scheduler } from '../adapters/scheduler.js';
import type { ClusterJobsRepository } from '../repositories/cluster-jobs.repository.js';
import type { ClusterLeases } from './pg-leases.js';

/** Runs kept in the job log (cluster_job_runs), ms. */
const RUN_LOG_KEPT_MS = 7 * 86_400_000;
/** The log of a job is trimmed once every this many of its runs. */
const TRIM_EVERY_RUNS = 100;

/** A scheduler whose tasks run only on the instance holding the job's lease. */
export type JobSchedulerFor = (job: string) => Scheduler;

/**
 * Cluster-wide periodic jobs: each instance keeps its own timers, and at every tick asks for the
 * job's lease (`job:<name>`). The instance holding it runs the task and records the run; the
 * others skip the period. The lease is re-checked every period, so when its holder dies (its
 * lease connection closes with it) the next tick of another instance takes the job over.
 * `onRun` is told of every run after it is recorded (tests). Rejections of the lease or the
 * record are logged and the period skipped: a job never runs without its lease.
 */
export function createJobScheduler(o: {
  scheduler: Scheduler;
  leases: ClusterLeases;
  clock: Clock;
  instance: string;
  runs: Pick<ClusterJobsRepository, 'recordRun' | 'trimBefore' | 'lastRunAt'>;
  log: { warn(obj: object, msg: string): void };
}): JobSchedulerFor {
  return (job) => ({
    every(periodMs, task, options) {
      let runs = 0;
      let held = false;
      const tick = (): void => {
        void (async () => {
          const wasHeld = held;
          held = await o.leases.acquire(`job:${job}`);
          if (!held) return;
          try {
            const at = o.clock.now();
            // Just taken over (the holder died): its timers ran on another phase, so the
            // period's run may be done already.
            if (!wasHeld) {
              const last = await o.runs.lastRunAt(job);
              if (last !== undefined && at - last < periodMs * 0.9) return;
            }
            await o.runs.recordRun({ job, instance: o.instance, at });
            if (runs++ % TRIM_EVERY_RUNS === 0) await o.runs.trimBefore(job, at - RUN_LOG_KEPT_MS);
          } catch (err) {
            o.log.warn({ err, job }, 'cluster job run not recorded; run anyway');
          }
          task();
        })();
      };
      return o.scheduler.every(periodMs, tick, options);
    },
  });
}
