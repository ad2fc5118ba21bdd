import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import {
  SqliteDialect,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';

/**
 * Makes the WAL file's committed frames durable: one `fdatasync` at a time on libuv's thread
 * pool, shared by every caller that arrives while it runs (they wait for the next one, which
 * covers their commits too).
 */
export interface WalSync {
  /** Resolves once everything committed before the call is on stable storage. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * @param walPath the database file's `-wal` companion
 * @param datasync flushes the file (a test seam; default `FileHandle.datasync`)
 */
export function createWalSync(
  walPath: string,
  datasync: (handle: FileHandle) => Promise<void> = (h) => h.datasync(),
): WalSync {
  let handle: FileHandle | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const flush = async (): Promise<void> => {
    // The WAL exists once the first write transaction committed; SQLite keeps the same file
    // (same inode) for the life of the connection, resetting it in place after checkpoints.
    handle ??= await open(walPath, 'r');
    await datasync(handle);
  };

  const sync = (): Promise<void> => {
    if (running === null) {
      running = flush().finally(() => {
        running = null;
      });
      return running;
    }
    // A sync is in flight: it may have started before this caller's commit, so wait for the
    // next one, which every caller arriving meanwhile shares.
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return sync();
      });
    return queued;
  };

  return {
    sync,
    async close() {
      await (queued ?? running)?.catch(() => undefined);
      await handle?.close();
      handle = null;
    },
  };
}

interface TrackedConnection extends DatabaseConnection {
  readonly inner: DatabaseConnection;
  inTransaction: boolean;
  /** A write committed on this acquisition and not yet synced. */
  wrote: boolean;
}

function track(inner: DatabaseConnection): TrackedConnection {
  const c: TrackedConnection = {
    inner,
    inTransaction: false,
    wrote: false,
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const result = await inner.executeQuery<R>(query);
      // Outside a transaction each write statement commits by itself.
      if (!c.inTransaction && (result.numAffectedRows ?? 0n) > 0n) c.wrote = true;
      return result;
    },
    streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
      return inner.streamQuery<R>(query, chunkSize);
    },
  };
  return c;
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return (connection as TrackedConnection).inner;
}

/**
 * A Kysely SQLite dialect whose commits are durable (they survive power loss) without stalling
 * the event loop.
 *
 * SQLite's own way, `synchronous = FULL`, fsyncs the WAL inside each commit; better-sqlite3 runs
 * on the main thread, so that blocked every request for the fsync (3.4 ms per commit on this
 * machine). Here the connection runs with `synchronous = NORMAL` — commits are written to the WAL
 * but not flushed — and each committed write (a transaction, or a lone write statement) resolves
 * only after an `fdatasync` of the WAL file has completed on the thread pool, after the connection
 * was released: other queries use it meanwhile and one fdatasync covers every commit before it.
 * Recovery replays the WAL's frames up to the last valid commit record
 * (https://www.sqlite.org/wal.html, https://www.sqlite.org/pragma.html#pragma_synchronous), so a
 * commit whose frames were synced is durable exactly as with FULL.
 */
export class DurableSqliteDialect extends SqliteDialect {
  /** The connection itself when given as one (better-sqlite3 exposes `inTransaction`). */
  private readonly database: { inTransaction?: boolean } | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly walSync: WalSync,
  ) {
    super(config);
    this.database =
      typeof config.database === 'function'
        ? undefined
        : (config.database as { inTransaction?: boolean });
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const walSync = this.walSync;
    const database = this.database;
    const missing = (name: string): Error => new Error(`the SQLite driver has no ${name}`);
    return {
      init: () => driver.init(),
      acquireConnection: async () => track(await driver.acquireConnection()),
      async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
        await driver.beginTransaction(innerOf(connection), settings);
        (connection as TrackedConnection).inTransaction = true;
      },
      async commitTransaction(connection: DatabaseConnection) {
        await driver.commitTransaction(innerOf(connection));
        const c = connection as TrackedConnection;
        c.inTransaction = false;
        c.wrote = true;
      },
      async rollbackTransaction(connection: DatabaseConnection) {
        // After SQLITE_FULL (disk full), SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM, SQLite may
        // have rolled the transaction back itself ("Response To Errors Within A Transaction",
        // https://www.sqlite.org/lang_transaction.html). A ROLLBACK then fails with "cannot
        // rollback - no transaction is active", and that error replaced the original one: a full
        // disk answered 500 INTERNAL_ERROR instead of 503 DATABASE_UNAVAILABLE.
        if (database?.inTransaction !== false)
          await driver.rollbackTransaction(innerOf(connection));
        (connection as TrackedConnection).inTransaction = false;
      },
      // Savepoints pass through (SQLite's driver has them); never a silent no-op.
      async savepoint(connection, name, compile: QueryCompiler['compileQuery']) {
        if (driver.savepoint === undefined) throw missing('savepoint');
        await driver.savepoint(innerOf(connection), name, compile);
      },
      async rollbackToSavepoint(connection, name, compile: QueryCompiler['compileQuery']) {
        if (driver.rollbackToSavepoint === undefined) throw missing('rollbackToSavepoint');
        await driver.rollbackToSavepoint(innerOf(connection), name, compile);
      },
      async releaseSavepoint(connection, name, compile: QueryCompiler['compileQuery']) {
        if (driver.releaseSavepoint === undefined) throw missing('releaseSavepoint');
        await driver.releaseSavepoint(innerOf(connection), name, compile);
      },
      async releaseConnection(connection: DatabaseConnection) {
        const c = connection as TrackedConnection;
        await driver.releaseConnection(c.inner);
        if (c.wrote) await walSync.sync();
      },
      destroy: () => driver.destroy(),
    };
  }
}
