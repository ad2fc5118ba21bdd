import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, SQLITE_PAGE_SIZE } from './database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-db-'));
  dirs.push(dir);
  return dir;
}

async function pageSize(database: Awaited<ReturnType<typeof createDatabase>>): Promise<number> {
  const r = await sql<{ page_size: number }>`pragma page_size`.execute(database.db);
  return r.rows[0]?.page_size ?? NaN;
}

describe('SQLite page size', () => {
  it('creates a new database with 2 KiB pages, in WAL mode', async () => {
    const database = await createDatabase({ dataDir: tempDir() });
    try {
      await sql`create table t (x integer)`.execute(database.db);
      expect(SQLITE_PAGE_SIZE).toBe(2048);
      expect(await pageSize(database)).toBe(2048);
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
    } finally {
      await database.close();
    }
  });

  it('creates a new database with the page size it is given', async () => {
    const database = await createDatabase({ dataDir: tempDir(), sqlitePageSize: 4096 });
    try {
      await sql`create table t (x integer)`.execute(database.db);
      expect(await pageSize(database)).toBe(4096);
    } finally {
      await database.close();
    }
  });

  it('keeps the page size and the rows of an existing database', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'vigil.sqlite');
    const old = new BetterSqlite3(file);
    old.pragma('journal_mode = WAL');
    old.exec('create table t (x integer); insert into t values (1), (2), (3)');
    expect(old.pragma('page_size', { simple: true })).toBe(4096);
    old.close();

    const database = await createDatabase({ dataDir: dir });
    try {
      expect(await pageSize(database)).toBe(4096);
      const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(database.db);
      expect(rows.rows[0]?.n).toBe(3);
    } finally {
      await database.close();
    }
  });
});
