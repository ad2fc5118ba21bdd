/** JSON columns are text on SQLite and jsonb on PostgreSQL (which pg returns already parsed). */
export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function readJsonOrNull<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : readJson<T>(value);
}
