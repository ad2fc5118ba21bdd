import { timerScheduler, type Scheduler } from '../adapters/scheduler.js';
import type { Clock } from '../adapters/clock.js';
import {
  TIMED_TABLES,
  type RetainedTable,
  type RetentionRepository,
  type TimedTable,
} from '../repositories/retention.repository.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface RetentionOptions {
  /**
   * Keep this many days of measurements, of every kind (VITALS_RETENTION_DAYS); 0 keeps them
   * all.
   */
  days: number;
  /**
   * Keep baby-monitor audio clips this many days (AUDIO_RETENTION_DAYS): older readings lose
   * their clip and keep the rest. 0 (default): a clip goes with its reading, after `days`.
   */
  audioDays?: number;
  /** Rows per DELETE statement (default 1000): bounds how long one statement holds the lock. */
  batchSize?: number;
  /** Called between batches (default: yield to the event loop, so requests are served). */
  pause?: () => Promise<void>;
}

export interface RetentionReport {
  /**
   * Everything strictly older than this (epoch ms, a whole minute) was deleted: the horizon, or
   * on PostgreSQL the start of the day partition the horizon falls in (that day is dropped
   * whole by a later pass).
   */
  before: number;
  /** Rows deleted one by one (not counting the rows of dropped partitions). */
  deleted: Record<RetainedTable, number>;
  /**
   * Baby-monitor readings older than the audio horizon (AUDIO_RETENTION_DAYS, the start of the
   * minute that many days ago) whose clip was removed; 0 when no audio horizon is set.
   */
  clipsRemoved: number;
  /** Day partitions dropped (PostgreSQL; one per table and day). */
  partitions: number;
  /** False when stopped by close() before the end; the next run carries on. */
  complete: boolean;
}

/**
 * Data retention (VITALS_RETENTION_DAYS): deletes every kind of measurement older than the
 * horizon, in bounded batches: packets (with their ECG), predictions and rollup rows device by
 * device; then pulse-oximetry and baby-monitor readings (with their audio), camera heart-rate
 * observations and the ended sessions left without any, 12-lead requests with their results
 * (classification and leads), and MQTT dead letters (by receipt). AUDIO_RETENTION_DAYS, when
 * set, removes baby-monitor clips sooner and keeps their readings. The horizon is rounded down
 * to a whole minute so the raw rows and the per-minute rollup always cover the same minutes
 * (stats and series read one or the other). On PostgreSQL the packet tables are partitioned by
 * day (migration 018): the days wholly older than the horizon are dropped first, and the day the
 * horizon falls in is kept whole until a later pass drops it, so in steady state no row is
 * deleted one by one (only strays of the default partition are).
 */
/** A report's `deleted` before anything is: every retained table at 0. */
export function noRowsDeleted(): Record<RetainedTable, number> {
  return {
    predictions: 0,
    vitals: 0,
    vitals_minute: 0,
    oximetry_readings: 0,
    baby_readings: 0,
    heart_rate_observations: 0,
    rppg_sessions: 0,
    ecg12_requests: 0,
    ecg12_results: 0,
    mqtt_dead_letters: 0,
  };
}

export class RetentionService {
  private readonly batchSize: number;
  private readonly pause: () => Promise<void>;
  private stopping = false;
  private running: Promise<RetentionReport> | undefined;

  constructor(
    private readonly deps: { retention: RetentionRepository; clock: Clock },
    private readonly options: RetentionOptions,
  ) {
    if (!Number.isInteger(options.days) || options.days < 0)
      throw new RangeError(`retention days must be a whole number >= 0, got ${options.days}`);
    const audioDays = options.audioDays ?? 0;
    if (!Number.isInteger(audioDays) || audioDays < 0)
      throw new RangeError(`retention audioDays must be a whole number >= 0, got ${audioDays}`);
    this.batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(
        `retention batchSize must be a whole number >= 1, got ${this.batchSize}`,
      );
    this.pause = options.pause ?? (() => new Promise<void>((r) => setImmediate(r)));
  }

  /** The horizon for the current time: the start of the minute `days` ago. */
  horizon(days = this.options.days): number {
    return Math.floor((this.deps.clock.now() - days * DAY_MS) / MINUTE_MS) * MINUTE_MS;
  }

  /** One pass over every device. Concurrent calls share the pass in progress. */
  purge(): Promise<RetentionReport> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops a pass in progress after its current batch, and waits for it. */
  async close(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<RetentionReport> {
    const deleted = noRowsDeleted();
    const report = { before: this.horizon(), deleted, partitions: 0, clipsRemoved: 0 };
    const stopped = (): RetentionReport => ({ ...report, complete: false });
    const { retention } = this.deps;
    if (this.options.days > 0) {
      // `alerts` and `events` are never trimmed: they are the clinical record of what was seen
      // and acknowledged, and clients resume from event ids. Nor are reports: signed documents
      // whose content was copied from the data when built (migration 015).
      const { before, partitions } = await retention.dropPartitionsBefore(report.before);
      report.before = before;
      report.partitions = partitions;
      // Per device: packets with their predictions (children first, in one transaction), then
      // the per-minute rollup.
      for (const deviceId of await retention.deviceIds(before)) {
        const packetsDone = await this.inBatches(async () => {
          const n = await retention.deletePackets(deviceId, before, this.batchSize);
          deleted.vitals += n.vitals;
          deleted.predictions += n.predictions;
          return n.vitals;
        });
        if (!packetsDone) return stopped();
        const rollupDone = await this.inBatches(async () => {
          const n = await retention.deleteRollup(deviceId, before, this.batchSize);
          deleted.vitals_minute += n;
          return n;
        });
        if (!rollupDone) return stopped();
      }
      // The other kinds, to the same instant (on PostgreSQL the packets' day start, so every
      // kind of a patient's data ends at one time): each table oldest first, whatever its
      // device or patient; camera observations before the sessions they name.
      for (const table of Object.keys(TIMED_TABLES) as TimedTable[]) {
        const done = await this.inBatches(async () => {
          const n = await retention.deleteTimed(table, before, this.batchSize);
          deleted[table] += n;
          return n;
        });
        if (!done) return stopped();
      }
      const sessionsDone = await this.inBatches(async () => {
        const n = await retention.deleteEndedSessions(before, this.batchSize);
        deleted.rppg_sessions += n;
        return n;
      });
      if (!sessionsDone) return stopped();
      const ecg12Done = await this.inBatches(async () => {
        const n = await retention.deleteEcg12(before, this.batchSize);
        deleted.ecg12_requests += n.ecg12_requests;
        deleted.ecg12_results += n.ecg12_results;
        return n.ecg12_requests;
      });
      if (!ecg12Done) return stopped();
    }
    const audioDays = this.options.audioDays ?? 0;
    if (audioDays > 0) {
      const audioBefore = this.horizon(audioDays);
      const clipsDone = await this.inBatches(async () => {
        const n = await retention.removeAudio(audioBefore, this.batchSize);
        report.clipsRemoved += n;
        return n;
      });
      if (!clipsDone) return stopped();
    }
    return { ...report, complete: true };
  }

  /**
   * Runs `batch` (which returns how many rows it deleted) until one comes back short, pausing
   * between full ones. False when stopped by close() first.
   */
  private async inBatches(batch: () => Promise<number>): Promise<boolean> {
    for (;;) {
      if (this.stopping) return false;
      if ((await batch()) < this.batchSize) return true;
      await this.pause();
    }
  }
}

export interface RetentionJob {
  close(): Promise<void>;
}

/**
 * Runs `purge()` every `intervalMs` (default 1 h), the first time `firstRunMs` after start
 * (default 1 min, so start-up is not slowed). A pass still running when the next is due is not
 * doubled. The scheduler's timers never keep the process alive. `close()` stops the timers
 * and the pass in progress.
 */
export function startRetentionJob(
  service: RetentionService,
  o: {
    intervalMs?: number;
    firstRunMs?: number;
    /** Where the timers live (default: Node timers, unref'd). */
    scheduler?: Scheduler;
    log: {
      info(obj: object, msg: string): void;
      warn(obj: object, msg: string): void;
    };
  },
): RetentionJob {
  const run = (): void => {
    service
      .purge()
      .then((r) => {
        const total = Object.values(r.deleted).reduce((a, b) => a + b, 0);
        if (total > 0 || r.partitions > 0 || r.clipsRemoved > 0 || !r.complete)
          o.log.info(
            {
              before: r.before,
              deleted: r.deleted,
              partitions: r.partitions,
              clipsRemoved: r.clipsRemoved,
              complete: r.complete,
            },
            'retention',
          );
      })
      .catch((err: unknown) => {
        o.log.warn({ err }, 'retention pass failed; retried at the next interval');
      });
  };
  const cancel = (o.scheduler ?? timerScheduler).every(o.intervalMs ?? 3_600_000, run, {
    firstAfterMs: o.firstRunMs ?? 60_000,
  });
  return {
    async close() {
      cancel();
      await service.close();
    },
  };
}
