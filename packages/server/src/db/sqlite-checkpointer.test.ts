import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('SQLite checkpoints in a worker', () => {
  it('copies committed pages into the database file without a checkpoint on the writer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-ckpt-'));
    dirs.push(dir);
    const file = path.join(dir, 'vigil.sqlite');
    const database = await createDatabase({ sqlitePath: file });
    const { db } = database;
    // The writer's own automatic checkpoint is off: only the worker moves pages.
    const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(auto.rows[0]?.wal_autocheckpoint).toBe(0);

    await sql`create table blobs (id integer primary key, b blob not null)`.execute(db);
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 80; i++) await sql`insert into blobs (b) values (${chunk})`.execute(db);
    // 80 × 64 KiB = 5 MiB committed to the WAL; the worker must bring it into the main file.
    const copied = await until(() => statSync(file).size > 5 * 1024 * 1024, 5000);
    expect(copied).toBe(true);

    await database.close();
    // The last connection to close checkpoints and removes the WAL: nothing is left behind.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = await createDatabase({ sqlitePath: file });
    const n = await sql<{ n: number }>`select count(*) as n from blobs`.execute(reopened.db);
    expect(n.rows[0]?.n).toBe(80);
    await reopened.close();
  });

  it('keeps the automatic checkpoint for an in-memory database', async () => {
    const database = await createDatabase({ sqlitePath: ':memory:' });
    const auto = await sql<{
      wal_autocheckpoint: number;
    }>`pragma wal_autocheckpoint`.execute(database.db);
    expect(auto.rows[0]?.wal_autocheckpoint).toBe(1000);
    await database.close();
  });
});

describe('closing the database', () => {
  it('keeps a script that has nothing else to do alive until the checkpoint worker has finished', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-ckpt-close-'));
    dirs.push(dir);
    // A script whose only pending work while closing is the worker: before the worker was
    // ref'd for its close, Node ended such a script with code 13 and "closed" was never printed.
    const script = `
      import { createDatabase } from ${JSON.stringify(new URL('./database.ts', import.meta.url).href)};
      const database = await createDatabase({ dataDir: ${JSON.stringify(dir)} });
      await database.ping();
      await database.close();
      console.log('closed');
    `;
    const file = path.join(dir, 'close.mts');
    writeFileSync(file, script);
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      ['--conditions=vigil-source', '--import', 'tsx', file],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(stderr).toBe('');
    expect({ status, stdout: stdout.trim() }).toEqual({ status: 0, stdout: 'closed' });
  });
});
