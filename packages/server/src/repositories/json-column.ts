/** JSON columns are text on SQLite and jsonb on PostgreSQL (which pg returns already parsed). */
export function readJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function readJsonOrNull(value: unknown): unknown {
  return value === null || value === undefined ? null : readJson(value);
}
