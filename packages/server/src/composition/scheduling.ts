import type { Logger } from 'pino';
import type { Scheduler } from '../adapters/scheduler.js';
import type { Clock } from '../adapters/clock.js';
import type { JobSchedulerFor } from '../cluster/cluster-jobs.js';
import type { Config } from '../config/env.js';
import type { Repositories } from '../repositories/index.js';
import type { AuditService } from '../services/audit.service.js';
import { RetentionService, startRetentionJob } from '../services/retention.service.js';
import type { CloseStack } from './close-stack.js';
import type { Vitals } from './vitals.js';

/** How long a device's analysis state is kept without packets. */
const ANALYSIS_IDLE_MS = 10 * 60_000;

/**
 * Periodic work, all through one scheduler: analysis-state and ingest-state eviction (this
 * instance's memory; the ingest's after INGEST_IDLE_EVICT_S without a reading) and, as
 * cluster-wide jobs run by whichever instance holds the job's lease (`jobs`, see
 * cluster/cluster-jobs.ts), the device-silent sweep (every `silentSweepMs`, default
 * DEVICE_SILENT_SWEEP_S; 0 turns both off), data retention (hourly, only when
 * VITALS_RETENTION_DAYS or AUDIO_RETENTION_DAYS > 0) and audit retention (hourly, only when AUDIT_RETENTION_DAYS > 0); on PostgreSQL, on every
 * instance (safe: advisory lock), the day partitions of the packet tables ahead (hourly).
 * Returns the retention service when it runs.
 */
export function startScheduledWork(o: {
  config: Config;
  clock: Clock;
  scheduler: Scheduler;
  /** Cluster-wide jobs: a scheduler per job that runs it only where the job's lease is held. */
  jobs: JobSchedulerFor;
  repositories: Repositories;
  vitals: Pick<Vitals, 'analysis' | 'alerts' | 'kinds'>;
  audit: Pick<AuditService, 'purge'>;
  log: Logger;
  retentionLog: Logger;
  stack: CloseStack;
  silentSweepMs?: number | undefined;
}): { retention: RetentionService | undefined } {
  const { clock, vitals } = o;
  const sweepMs = o.silentSweepMs ?? o.config.silentSweepMs;
  if (sweepMs > 0) {
    const cancelEviction = o.scheduler.every(sweepMs, () => {
      vitals.analysis.evictIdle(clock.now() - ANALYSIS_IDLE_MS);
      for (const ingest of Object.values(vitals.kinds))
        ingest.evictIdle(clock.now() - o.config.ingestIdleMs).catch((err: unknown) => {
          o.log.warn({ err }, 'ingest state eviction failed');
        });
    });
    const cancelSweep = o.jobs('device-silent-sweep').every(sweepMs, () => {
      vitals.alerts.sweepSilent().catch((err: unknown) => {
        o.log.warn({ err }, 'device-silent sweep failed');
      });
    });
    o.stack.push(() => {
      cancelEviction();
      cancelSweep();
      return Promise.resolve();
    });
  }

  // PostgreSQL day partitions of the packet tables (migration 018): today's and the next days'
  // made sure of hourly, a first time a minute after start (the migration made the first ones).
  // Idempotent and serialised by an advisory lock, so several instances may all run it.
  const cancelPartitions = o.scheduler.every(
    3_600_000,
    () => {
      o.repositories.retention.createPartitionsAhead(clock.now()).then(
        (created) => {
          if (created > 0) o.retentionLog.info({ created }, 'day partitions created');
        },
        (err: unknown) => {
          o.retentionLog.warn({ err }, 'creating day partitions failed; retried in an hour');
        },
      );
    },
    { firstAfterMs: 60_000 },
  );
  o.stack.push(() => {
    cancelPartitions();
    return Promise.resolve();
  });

  // Data retention: only when asked (VITALS_RETENTION_DAYS or AUDIO_RETENTION_DAYS > 0); tests
  // never set them.
  let retention: RetentionService | undefined;
  const { vitalsDays, audioDays } = o.config.retention;
  if (vitalsDays > 0 || audioDays > 0) {
    retention = new RetentionService(
      { retention: o.repositories.retention, clock },
      { days: vitalsDays, audioDays },
    );
    const job = startRetentionJob(retention, {
      log: o.retentionLog,
      scheduler: o.jobs('vitals-retention'),
    });
    o.stack.push(() => job.close());
  }

  // Audit retention (AUDIT_RETENTION_DAYS > 0), hourly like the data's but on its own horizon.
  if (o.config.retention.auditDays > 0) {
    const cancel = o.jobs('audit-retention').every(
      3_600_000,
      () => {
        o.audit
          .purge()
          .then((deleted) => {
            if (deleted > 0) o.retentionLog.info({ deleted }, 'audit retention');
          })
          .catch((err: unknown) => {
            o.retentionLog.warn({ err }, 'audit retention pass failed; retried in an hour');
          });
      },
      { firstAfterMs: 60_000 },
    );
    o.stack.push(() => {
      cancel();
      return Promise.resolve();
    });
  }
  return { retention };
}
