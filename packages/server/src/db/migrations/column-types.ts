import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Column types that differ between the two dialects, for migrations that need them. Everything
 * else (text, bigint for epoch ms, integer, real/double precision) is spelled the same.
 */
export function columnTypes(db: Kysely<unknown>): {
  blob: 'bytea' | 'blob';
  json: 'jsonb' | 'text';
} {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return postgres ? { blob: 'bytea', json: 'jsonb' } : { blob: 'blob', json: 'text' };
}
