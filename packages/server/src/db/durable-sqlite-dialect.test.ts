import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createWalSync, DurableSqliteDialect, type WalSync } from './durable-sqlite-dialect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-durable-'));
  dirs.push(dir);
  return path.join(dir, 'db.sqlite');
}

interface Table {
  t: { id: number; v: string };
}

/** A WAL sync that records when it is asked and finishes only when the test says so. */
function gatedSync(): WalSync & { calls: number; release(): void } {
  let waiting: (() => void)[] = [];
  const s = {
    calls: 0,
    sync() {
      s.calls++;
      return new Promise<void>((r) => waiting.push(r));
    },
    release() {
      for (const r of waiting) r();
      waiting = [];
    },
    close: () => Promise.resolve(),
  };
  return s;
}

function open(sync: WalSync): Kysely<Table> {
  const sqlite = new BetterSqlite3(tempFile());
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  return new Kysely<Table>({ dialect: new DurableSqliteDialect({ database: sqlite }, sync) });
}

const tick = () => new Promise((r) => setImmediate(r));

describe('DurableSqliteDialect', () => {
  it('resolves a committed transaction only after the WAL is synced', async () => {
    const sync = gatedSync();
    const db = open(sync);
    await sql`create table t (id integer primary key, v text)`.execute(db);
    const callsBefore = sync.calls;
    let done = false;
    const tx = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, v: 'a' }).execute();
        await trx.insertInto('t').values({ id: 2, v: 'b' }).execute();
      })
      .then(() => (done = true));
    await tick();
    await tick();
    expect(sync.calls).toBe(callsBefore + 1);
    expect(done).toBe(false);
    // The connection is already free: a read proceeds while the flush is pending.
    const rows = await db.selectFrom('t').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
    sync.release();
    await tx;
    expect(done).toBe(true);
    await db.destroy();
  });

  it('syncs a lone write statement but not a read or a rolled-back transaction', async () => {
    const sync = gatedSync();
    const db = open(sync);
    await sql`create table t (id integer primary key, v text)`.execute(db);
    const base = sync.calls;
    const insert = db.insertInto('t').values({ id: 1, v: 'a' }).execute();
    await tick();
    expect(sync.calls).toBe(base + 1);
    sync.release();
    await insert;
    await db.selectFrom('t').selectAll().execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 2, v: 'b' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(sync.calls).toBe(base + 1);
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 1 }]);
    await db.destroy();
  });
});

describe('DurableSqliteDialect when the disk is full', () => {
  it('rejects the transaction with SQLITE_FULL, not with a failed ROLLBACK', async () => {
    // max_page_count makes the database "full" as a full disk does; SQLite then rolls the
    // transaction back itself, and the ROLLBACK Kysely sends after the error failed with "cannot
    // rollback - no transaction is active", hiding SQLITE_FULL (which maps to a 503).
    const db = open({ sync: () => Promise.resolve(), close: () => Promise.resolve() });
    await sql`create table t (id integer primary key, v text)`.execute(db);
    await sql`pragma max_page_count = 20`.execute(db);
    const failed = await db
      .transaction()
      .execute(async (trx) => {
        for (let id = 1; id <= 100; id++)
          await trx
            .insertInto('t')
            .values({ id, v: 'x'.repeat(4000) })
            .execute();
      })
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'SQLITE_FULL' });
    // The connection is usable afterwards, and nothing of the transaction was kept.
    expect(await db.selectFrom('t').select('id').execute()).toEqual([]);
    await db.destroy();
  });
});

describe('DurableSqliteDialect savepoints', () => {
  it('passes savepoints through to SQLite', async () => {
    const db = open({ sync: () => Promise.resolve(), close: () => Promise.resolve() });
    await sql`create table t (id integer primary key, v text)`.execute(db);
    const trx = await db.startTransaction().execute();
    await trx.insertInto('t').values({ id: 1, v: 'a' }).execute();
    const sp = await trx.savepoint('s1').execute();
    await sp.insertInto('t').values({ id: 2, v: 'b' }).execute();
    await sp.rollbackToSavepoint('s1').execute();
    await trx.commit().execute();
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 1 }]);
    await db.destroy();
  });
});

describe('createWalSync', () => {
  it('shares one flush among callers that arrive while it runs, after the one in flight', async () => {
    const file = tempFile();
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('create table t (id integer)');
    let flushes = 0;
    const gates: (() => void)[] = [];
    const wal = createWalSync(`${file}-wal`, async () => {
      flushes++;
      await new Promise<void>((r) => gates.push(r));
    });
    const first = wal.sync();
    await new Promise((r) => setTimeout(r, 20));
    expect(flushes).toBe(1);
    // Three commits land while the first flush runs: they need a flush that starts after them.
    const later = [wal.sync(), wal.sync(), wal.sync()];
    gates.shift()?.();
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(flushes).toBe(2);
    gates.shift()?.();
    await Promise.all(later);
    expect(flushes).toBe(2);
    await wal.close();
    sqlite.close();
  });

  it('really flushes the WAL file of a database', async () => {
    const file = tempFile();
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('create table t (id integer)');
    const wal = createWalSync(`${file}-wal`);
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
    sqlite.close();
  });
});
