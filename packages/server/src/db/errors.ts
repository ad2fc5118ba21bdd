/** True for a unique-constraint violation on either dialect (SQLite or PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = error.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** PostgreSQL SQLSTATEs of a server that is going away or not accepting connections. */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of a database that cannot be reached. */
const NET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLite result codes (and their extended forms) of a database locked by another process or a
 * failing disk: full, I/O errors, or read-only (a file system remounted read-only after errors,
 * a database file whose permissions changed), which an operator fixes without a restart.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|FULL|IOERR|READONLY)(_|$)/;
/**
 * SQLSTATE 55000 (object not in prerequisite state) with this message: the database refuses new
 * connections (`ALTER DATABASE … ALLOW_CONNECTIONS false`, as a failover or maintenance script
 * does). 55000 alone also covers errors of the query itself, hence the message.
 */
const PG_NOT_ACCEPTING = /is not currently accepting connections/;
/** node-postgres reports a connection that died mid-use with these messages and no code. */
const PG_CLIENT_GONE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * True when the database cannot serve the query now but may shortly: the server restarts, fails
 * over, is unreachable, or (SQLite) another process holds the write lock or the disk fails. Not
 * for errors of the query itself (constraint violations, bad values), which a retry repeats.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined) {
    if (PG_UNAVAILABLE.has(code) || code.startsWith('08')) return true;
    if (code === '55000' && error instanceof Error && PG_NOT_ACCEPTING.test(error.message))
      return true;
    if (NET_UNAVAILABLE.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return error instanceof Error && PG_CLIENT_GONE.test(error.message);
}
