import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface SqliteCheckpointerOptions {
  /** How often the worker checkpoints, in ms (default 250). */
  intervalMs?: number;
  /**
   * WAL size, in pages, above which a blocking TRUNCATE checkpoint resets the file (default
   * 16,384 pages = 64 MiB at SQLite's 4 KiB page size). PASSIVE checkpoints normally keep the WAL
   * short; this is the backstop when a long reader kept them from finishing.
   */
  truncateAbovePages?: number;
}

export interface SqliteCheckpointer {
  /** Checkpoints once more, closes the worker's connection and ends the worker. */
  close(): Promise<void>;
}

/**
 * The worker's whole program. It is evaluated as a CommonJS script (`eval: true`) so it needs no
 * file of its own next to the bundle `npm start` builds; better-sqlite3 is resolved by the main
 * thread and handed over as an absolute path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = (mode) => {
  try {
    return db.pragma('wal_checkpoint(' + mode + ')')[0];
  } catch (error) {
    // SQLITE_BUSY: another checkpoint or a writer holds the lock; SQLITE_FULL, SQLITE_IOERR: the
    // disk is full or failing for now. The next tick retries. Thrown, they ended this worker for
    // the life of the process (checkpoints stopped, the WAL grew without bound, and the server's
    // SIGTERM exited 1 with SQLITE_FULL): found by the reliability suite's disk-full run.
    if (error && /^SQLITE_(BUSY|FULL|IOERR)/.test(String(error.code))) return undefined;
    throw error;
  }
};
const timer = setInterval(() => {
  const r = checkpoint('PASSIVE');
  if (r !== undefined && r.log > workerData.truncateAbovePages) checkpoint('TRUNCATE');
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint('PASSIVE');
  db.close();
  parentPort.close();
});
`;

/**
 * Runs SQLite's WAL checkpoints in a worker thread with its own connection, off the event loop.
 *
 * With the default automatic checkpoint, the commit that pushes the WAL past 1,000 pages copies
 * them into the database file and fsyncs it inside that commit — synchronously, since
 * better-sqlite3 runs on the main thread. Under ingest load that was 15 % of the server's CPU
 * profile (`BENCH_CPU_PROF`, bench/ingest) and the cause of its latency spikes. The caller turns
 * automatic checkpoints off on its own connection (`wal_autocheckpoint = 0`); this worker runs
 * PASSIVE checkpoints, which never block writers (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html),
 * every `intervalMs`. Durability is unchanged: commits are in the WAL either way.
 */
export function startSqliteCheckpointer(
  file: string,
  options: SqliteCheckpointerOptions = {},
): SqliteCheckpointer {
  const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      betterSqlite3,
      intervalMs: options.intervalMs ?? 250,
      truncateAbovePages: options.truncateAbovePages ?? 16_384,
    },
  });
  let failure: Error | null = null;
  worker.on('error', (error) => {
    failure = error;
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      resolve();
    });
  });
  // The worker must not keep a process alive that is otherwise done (close() still ends it).
  worker.unref();
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        // Unref'd, the worker would not hold the event loop open while it finishes: a script
        // with nothing else left to do would exit (code 13, an unsettled top-level await) before
        // the last checkpoint and the worker's own close.
        worker.ref();
        worker.postMessage('close');
        await exited;
        if (failure !== null) throw failure;
      })();
      return closing;
    },
  };
}
