/**
 * Group commit: concurrent writers hand their rows to one batcher, which writes them in one
 * transaction, so the database sees a few large commits instead of one per request. A caller's
 * promise resolves only after the batch holding its unit has committed (durable), and a unit is
 * never split across batches, so a request's rows are all-or-nothing.
 *
 * While `concurrency` batches are being written the next one accumulates; it is written as soon
 * as one of them commits (no timer: latency under low load is one event-loop turn). SQLite has
 * one writer, so one batch at a time; on PostgreSQL a commit waits for its WAL flush and each
 * statement for a network round trip, so a few batches in flight on separate pooled connections
 * keep the server busy meanwhile (PostgreSQL groups their flushes: `commit_delay` docs). Callers
 * must not depend on the commit order of units in different batches. If a batch fails, its
 * units are retried one by one so one bad unit cannot fail its neighbours.
 */
export interface WriteBatcherOptions<T> {
  /** Writes all units in ONE transaction; must throw if nothing was committed. */
  write: (units: readonly T[]) => Promise<void>;
  /** Most units per transaction (default 512). */
  maxUnits?: number;
  /** Most transactions in flight at once (default 1). */
  concurrency?: number;
}

export interface WriteBatcher<T> {
  /** Resolves when the unit is durable; rejects with the write's error. */
  submit(unit: T): Promise<void>;
  /** Waits for everything submitted so far, then refuses new units. */
  close(): Promise<void>;
  /** Number of transactions written (for metrics and tests). */
  readonly batches: number;
}

interface Pending<T> {
  unit: T;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export function createWriteBatcher<T>(options: WriteBatcherOptions<T>): WriteBatcher<T> {
  const maxUnits = options.maxUnits ?? 512;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError('write batcher concurrency must be an integer ≥ 1');
  }
  let queue: Pending<T>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let closed = false;
  let batches = 0;
  let idle: Promise<void> = Promise.resolve();
  let resolveIdle: (() => void) | null = null;

  const writeBatch = async (batch: Pending<T>[]): Promise<void> => {
    batches++;
    try {
      await options.write(batch.map((p) => p.unit));
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const p of batch) {
        try {
          batches++;
          await options.write([p.unit]);
          p.resolve();
        } catch (e) {
          p.reject(e);
        }
      }
    }
  };

  /** One writer: takes batches off the queue until it is empty. */
  const drain = async (): Promise<void> => {
    inFlight++;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxUnits);
      queue = queue.slice(batch.length);
      await writeBatch(batch);
    }
    inFlight--;
    if (inFlight === 0 && !scheduled) {
      resolveIdle?.();
      resolveIdle = null;
    }
  };

  const schedule = (): void => {
    if (scheduled || inFlight >= concurrency) return;
    scheduled = true;
    if (resolveIdle === null) idle = new Promise((r) => (resolveIdle = r));
    // setImmediate lets every request parsed in this event-loop turn join the batch.
    setImmediate(() => {
      scheduled = false;
      if (queue.length > 0) void drain();
      else if (inFlight === 0) {
        resolveIdle?.();
        resolveIdle = null;
      }
    });
  };

  return {
    submit(unit) {
      if (closed) return Promise.reject(new Error('write batcher is closed'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ unit, resolve, reject });
        schedule();
      });
    },
    async close() {
      closed = true;
      await idle;
    },
    get batches() {
      return batches;
    },
  };
}
