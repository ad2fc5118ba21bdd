import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { ConnectionErrorReporter } from './connection-errors.js';
import type { DB } from './schema.js';
import { createWalSync, DurableSqliteDialect } from './durable-sqlite-dialect.js';
import { startSqliteCheckpointer } from './sqlite-checkpointer.js';
import { createSqliteFileGuard } from './sqlite-file-guard.js';
import { withUnavailableErrors } from './unavailable-dialect.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Reaches the database with a trivial query; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; absent selects SQLite. */
  databaseUrl?: string | undefined;
  /** Folder of the SQLite file `vigil.sqlite` (created when missing). */
  dataDir?: string;
  /** Explicit SQLite file, or ':memory:'. Overrides dataDir. */
  sqlitePath?: string;
  /**
   * Page size of a new SQLite database, bytes (default SQLITE_PAGE_SIZE); an existing one keeps
   * its own. Set by bench:writes to compare page sizes.
   */
  sqlitePageSize?: number;
  /**
   * PostgreSQL schema to work in (created when missing, set as `search_path` on every pooled
   * connection). Tests give each app its own schema so parallel files never collide.
   */
  pgSchema?: string;
  /** Drop `pgSchema` on close (tests). */
  dropSchemaOnClose?: boolean;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** Told of every PostgreSQL connection that errors (logged and counted by the caller). */
  onConnectionError?: ConnectionErrorReporter;
  /**
   * Told once when the SQLite file is found deleted or replaced under the running server (from
   * then on every query is refused with DATABASE_UNAVAILABLE: see sqlite-file-guard.ts).
   */
  onSqliteFileLost?: (problem: string) => void;
}

const INT8_OID = 20;

/**
 * BIGINT columns (epoch-ms timestamps, counters) come back from pg as strings by default, to
 * avoid silent precision loss. Our values stay far below 2^53, so parse to number and fail
 * loudly if one ever does not.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${value} exceeds 2^53`);
  return n;
}

const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(INT8_OID, 'text', parseInt8);

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Page size of a new SQLite database, bytes (see createSqlite). */
export const SQLITE_PAGE_SIZE = 2048;

/** Advisory lock key text: migration runners hold it shared, schema drops exclusively. */
export const SCHEMA_DDL_LOCK = 'vigil_schema_ddl';

/** Prepared statements kept per SQLite connection (distinct SQL texts, least recently used out). */
const SQLITE_STATEMENT_CACHE = 512;

/**
 * Kysely's SQLite driver prepares every query anew; preparing (parsing and planning the SQL) cost
 * more than running the ingest path's inserts. This keeps prepared statements by SQL text, so a
 * query Kysely compiles to the same text reuses its statement. A statement still busy (an
 * unfinished `iterate` of a streamed query) is not shared: a fresh one is prepared instead.
 */
function cachingSqlite(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text) {
      const hit = cache.get(text);
      if (hit !== undefined && !hit.busy) {
        // Re-inserting keeps the Map in least-recently-used order.
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = sqlite.prepare(text);
      if (hit === undefined) {
        cache.set(text, stmt);
        if (cache.size > SQLITE_STATEMENT_CACHE) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
      }
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
    // DurableSqliteDialect reads it to skip a ROLLBACK SQLite already did (disk full).
    get inTransaction() {
      return sqlite.inTransaction;
    },
  } as SqliteDatabase & { readonly inTransaction: boolean };
}

/** Closing twice is harmless (a failed start-up and a signal may both try). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) return createPostgres(options.databaseUrl, options);
  return createSqlite(options);
}

function createSqlite(options: DatabaseOptions): Database {
  let file = options.sqlitePath;
  if (file === undefined) {
    const dir = options.dataDir ?? './data';
    mkdirSync(dir, { recursive: true });
    file = path.join(dir, 'vigil.sqlite');
  }
  const sqlite = new BetterSqlite3(file);
  // 2 KiB pages instead of SQLite's 4 KiB default. Every group commit of ingest writes each page
  // it dirtied whole to the WAL (and again at the checkpoint), and most of those pages are index
  // leaves touched by one entry per device in the batch: smaller pages write less for the same
  // entries. `npm run bench:writes -- --baseline-page-size 4096` (the same schema at both sizes,
  // alternating rounds): 0.84-0.94 of the CPU and 0.83-0.95 of the wall time per packet (the
  // higher figures on a loaded machine). Rows (~650 B with a 1 s ECG) still fit a page. Only a new, empty
  // database takes the setting (https://www.sqlite.org/pragma.html#pragma_page_size): an existing
  // one keeps its page size.
  sqlite.pragma(`page_size = ${String(options.sqlitePageSize ?? SQLITE_PAGE_SIZE)}`);
  // WAL lets readers proceed while a writer commits; busy_timeout waits instead of failing with
  // SQLITE_BUSY when another process (a CLI, a second server) holds the write lock. NORMAL does
  // not flush at commit: DurableSqliteDialect flushes the WAL off the event loop before a commit
  // counts as done (see that module).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const database = cachingSqlite(sqlite);
  if (file === ':memory:' || file === '') {
    const db = new Kysely<DB>({ dialect: withUnavailableErrors(new SqliteDialect({ database })) });
    return {
      db,
      dialect: 'sqlite',
      async ping() {
        await sql`select 1`.execute(db);
      },
      close: once(() => db.destroy()),
    };
  }
  // Checkpoints run in a worker so no commit on the event loop pays for one (see the module).
  const checkpointer = startSqliteCheckpointer(file);
  sqlite.pragma('wal_autocheckpoint = 0');
  const walSync = createWalSync(`${file}-wal`);
  const guard = createSqliteFileGuard(file, {
    ...(options.onSqliteFileLost === undefined ? {} : { onLost: options.onSqliteFileLost }),
  });
  const db = new Kysely<DB>({
    dialect: withUnavailableErrors(new DurableSqliteDialect({ database }, walSync), () => {
      guard.beforeQuery();
    }),
  });
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      guard.check();
      await sql`select 1`.execute(db);
    },
    close: once(async () => {
      await db.destroy();
      await walSync.close();
      await checkpointer.close();
    }),
  };
}

async function createPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const schema = options.pgSchema;
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name ${schema}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`create schema if not exists "${schema}"`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: pgTypes,
    // Set per connection at start-up, so every pooled connection sees the same schema.
    ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
  });
  // A connection terminated by the server (restart, failover: 57P01) or cut by the network emits
  // 'error' on its client, idle or checked out, and an idle one also on the pool; unhandled, that
  // event ends the process. The pool drops the broken client and opens a new one on the next
  // query, so reporting is all there is to do. Each error is reported once, by its client.
  const report = options.onConnectionError ?? (() => undefined);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      report('pool', err);
    });
  });
  const db = new Kysely<DB>({ dialect: withUnavailableErrors(new PostgresDialect({ pool })) });
  return {
    db,
    dialect: 'postgres',
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: once(async () => {
      await db.destroy();
      if (schema !== undefined && options.dropSchemaOnClose === true) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          // Exclusive against the migration runners' shared hold (migrate.ts): Kysely's
          // introspection reads every schema's tables, and one dropped under it fails a
          // migration elsewhere ("schema ... does not exist"); released with the session.
          await client.query(`select pg_advisory_lock(hashtext($1))`, [SCHEMA_DDL_LOCK]);
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      }
    }),
  };
}
