import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** Distinct query shapes kept (a batch insert has one shape per row count). */
const SHAPES_KEPT = 256;

export interface CompiledQueryCache {
  /**
   * Runs the query that `build` would build, whose bound parameters are `parameters` in order.
   * The first time a `shape` is seen, `build()` is compiled by Kysely and its SQL kept if its
   * parameters are exactly `parameters`; later calls with that shape reuse the SQL and skip
   * building the query tree.
   */
  execute(
    executor: Kysely<DB>,
    shape: string,
    build: () => Compilable,
    parameters: readonly unknown[],
  ): Promise<void>;
}

/**
 * Multi-row inserts on the ingest path: Kysely builds an immutable node per value (an 18-column
 * insert of 32 predictions is ~600 nodes), compiles them to SQL and the driver looks the long text
 * up among prepared statements, at every group commit. That was about 8 % of the server's CPU
 * under ingest load (bench/ingest with `BENCH_CPU_PROF`). The SQL of an insert depends only on
 * the table, the columns and the row count, so it is compiled once per shape. Kysely stays the
 * source of the SQL (dialect, quoting, placeholders): a shape is cached only after its compiled
 * parameters were checked to be exactly the caller's, so a mismatch in column order or an
 * `undefined` value (which Kysely leaves out) falls back to the query Kysely built.
 */
export function createCompiledQueryCache(): CompiledQueryCache {
  const shapes = new Map<string, string>();
  return {
    async execute(executor, shape, build, parameters) {
      const cached = shapes.get(shape);
      if (cached !== undefined) {
        await executor.executeQuery(CompiledQuery.raw(cached, [...parameters]));
        return;
      }
      const compiled = build().compile();
      const same =
        compiled.parameters.length === parameters.length &&
        compiled.parameters.every((p, i) => p === parameters[i]);
      if (same) {
        if (shapes.size >= SHAPES_KEPT) shapes.clear();
        shapes.set(shape, compiled.sql);
      }
      await executor.executeQuery(compiled);
    },
  };
}

/**
 * The values of `rows` in row-major order over `columns`, and the shape key of the query named
 * `query` (one SQL per name, e.g. the table for a plain insert) over them; null when a row's keys
 * differ from `columns` (then the caller must not use the cache).
 */
export function rowParameters(
  query: string,
  columns: readonly string[],
  rows: readonly object[],
): { shape: string; parameters: unknown[] } | null {
  const parameters: unknown[] = [];
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    if (Object.keys(r).length !== columns.length) return null;
    for (const c of columns) {
      const v = r[c];
      if (v === undefined) return null;
      parameters.push(v);
    }
  }
  return { shape: `${query}(${columns.join(',')})x${rows.length}`, parameters };
}
