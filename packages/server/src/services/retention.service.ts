import { timerScheduler, type Scheduler } from '../adapters/scheduler.js';
import type { Clock } from '../adapters/clock.js';
import type { RetainedTable, RetentionRepository } from '../repositories/retention.repository.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface RetentionOptions {
  /** Keep this many days of vitals; 0 keeps everything (the service then deletes nothing). */
  days: number;
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
  /** Day partitions dropped (PostgreSQL; one per table and day). */
  partitions: number;
  /** False when stopped by close() before the end; the next run carries on. */
  complete: boolean;
}

/**
 * Data retention (VITALS_RETENTION_DAYS): deletes packets (with their ECG), predictions and rollup
 * rows older than the horizon, device by device, in bounded batches. The horizon is rounded down
 * to a whole minute so the raw rows and the per-minute rollup always cover the same minutes
 * (stats and series read one or the other). On PostgreSQL the packet tables are partitioned by
 * day (migration 018): the days wholly older than the horizon are dropped first, and the day the
 * horizon falls in is kept whole until a later pass drops it, so in steady state no row is
 * deleted one by one (only strays of the default partition are).
 */
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
    this.batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(
        `retention batchSize must be a whole number >= 1, got ${this.batchSize}`,
      );
    this.pause = options.pause ?? (() => new Promise<void>((r) => setImmediate(r)));
  }

  /** The horizon for the current time: the start of the minute `days` ago. */
  horizon(): number {
    return Math.floor((this.deps.clock.now() - this.options.days * DAY_MS) / MINUTE_MS) * MINUTE_MS;
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
    const deleted: Record<RetainedTable, number> = {
      predictions: 0,
      vitals: 0,
      vitals_minute: 0,
    };
    const horizon = this.horizon();
    if (this.options.days === 0) return { before: horizon, deleted, partitions: 0, complete: true };
    // Per device: packets with their predictions (children first, in one transaction), then the
    // per-minute rollup. `alerts` and `events` are never trimmed: they are the clinical record
    // of what was seen and acknowledged, and clients resume from event ids.
    const { retention } = this.deps;
    const { before, partitions } = await retention.dropPartitionsBefore(horizon);
    for (const deviceId of await retention.deviceIds(before)) {
      const packetsDone = await this.inBatches(async () => {
        const n = await retention.deletePackets(deviceId, before, this.batchSize);
        deleted.vitals += n.vitals;
        deleted.predictions += n.predictions;
        return n.vitals;
      });
      if (!packetsDone) return { before, deleted, partitions, complete: false };
      const rollupDone = await this.inBatches(async () => {
        const n = await retention.deleteRollup(deviceId, before, this.batchSize);
        deleted.vitals_minute += n;
        return n;
      });
      if (!rollupDone) return { before, deleted, partitions, complete: false };
    }
    return { before, deleted, partitions, complete: true };
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
        if (total > 0 || r.partitions > 0 || !r.complete)
          o.log.info(
            {
              before: r.before,
              deleted: r.deleted,
              partitions: r.partitions,
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
