import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../db/schema.js';
import { createCompiledQueryCache, rowParameters } from './compiled-query-cache.js';

interface T {
  t: { id: number; name: string; blob: Uint8Array | null };
}

let db: Kysely<T>;
beforeEach(async () => {
  db = new Kysely<T>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await sql`create table t (id integer primary key, name text not null, blob blob)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
});

// The cache is typed for Vigil's schema; these tests use a table of their own.
const asDb = (k: Kysely<T>) => k as unknown as Kysely<DB>;

describe('compiled query cache', () => {
  it('reuses the SQL of a shape with new parameters, without building the query again', async () => {
    const cache = createCompiledQueryCache();
    let builds = 0;
    const insert = async (rows: T['t'][]) => {
      const p = rowParameters('t', ['id', 'name', 'blob'], rows);
      if (p === null) throw new Error('rows do not match the columns');
      await cache.execute(
        asDb(db),
        p.shape,
        () => {
          builds++;
          return db.insertInto('t').values(rows);
        },
        p.parameters,
      );
    };
    await insert([
      { id: 1, name: 'a', blob: null },
      { id: 2, name: 'b', blob: Uint8Array.of(1, 2) },
    ]);
    await insert([
      { id: 3, name: 'c', blob: Uint8Array.of(3) },
      { id: 4, name: 'd', blob: null },
    ]);
    // A new row count is a new shape.
    await insert([{ id: 5, name: 'e', blob: null }]);
    expect(builds).toBe(2);
    const rows = await db.selectFrom('t').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.name, r.blob === null ? null : [...r.blob]])).toEqual([
      [1, 'a', null],
      [2, 'b', [1, 2]],
      [3, 'c', [3]],
      [4, 'd', null],
      [5, 'e', null],
    ]);
  });

  it("does not cache a shape whose parameters are not the caller's (Kysely's query runs)", async () => {
    const cache = createCompiledQueryCache();
    let builds = 0;
    // Parameters in another order than Kysely binds them: never trusted, never cached.
    for (const id of [1, 2]) {
      const mine = [{ id, name: 'a', blob: null }];
      await cache.execute(
        asDb(db),
        't(name,id,blob)x1',
        () => {
          builds++;
          return db.insertInto('t').values(mine);
        },
        ['a', id, null],
      );
    }
    expect(builds).toBe(2);
    expect(await db.selectFrom('t').select('id').orderBy('id').execute()).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  });

  it('refuses rows with other keys or undefined values', () => {
    expect(rowParameters('t', ['id', 'name'], [{ id: 1, name: 'a' }, { id: 2 }])).toBeNull();
    expect(rowParameters('t', ['id', 'name'], [{ id: 1, name: undefined }])).toBeNull();
    expect(rowParameters('t', ['id', 'name'], [{ id: 1, name: 'a' }])).toEqual({
      shape: 't(id,name)x1',
      parameters: [1, 'a'],
    });
  });
});
