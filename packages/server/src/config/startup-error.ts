import { DomainError } from '../errors/catalogue.js';
import type { Config } from './env.js';

/** A PostgreSQL URL with its password hidden, for a message an operator may paste anywhere. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL (not a URL)';
  }
}

function causeMessage(error: unknown): string {
  let current: unknown = error;
  // The innermost cause says what failed (ECONNREFUSED, "database … does not exist").
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const text = current instanceof Error ? current.message : String(current);
  return text === '' && current instanceof Error && 'code' in current ? String(current.code) : text;
}

/**
 * The one line printed when start-up fails after the configuration was read: what failed, the
 * variable to look at and the underlying reason, without a stack trace (an operator reads this
 * in `docker compose logs` or journald; a stack says nothing to them). Set LOG_LEVEL=debug to
 * get the stack as well.
 */
export function describeStartupError(
  error: unknown,
  config: Pick<Config, 'databaseUrl' | 'port' | 'host'>,
): string {
  // db/migrate.ts's MigrationError, by name: config/ does not import the database layer.
  if (error instanceof Error && error.name === 'MigrationError')
    return `Vigil failed to start: ${error.message}`;
  const code =
    error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : '';
  const syscall =
    error instanceof Error && 'syscall' in error
      ? String((error as { syscall: unknown }).syscall)
      : '';
  if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES')) {
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
    return `Vigil failed to start: PORT ${config.port} on HOST ${config.host} ${why} (${code})`;
  }
  const databaseFailed =
    (error instanceof DomainError && error.code === 'DATABASE_UNAVAILABLE') ||
    (config.databaseUrl !== undefined && isPgError(error));
  if (databaseFailed) {
    const where =
      config.databaseUrl === undefined
        ? 'the SQLite database (VIGIL_DATA_DIR)'
        : `DATABASE_URL ${redactedUrl(config.databaseUrl)}`;
    return `Vigil failed to start: cannot use ${where}: ${causeMessage(error)}`;
  }
  return `Vigil failed to start: ${error instanceof Error ? error.message : String(error)}`;
}

/** An error from the PostgreSQL server or driver: a SQLSTATE (5 characters) or a socket error. */
function isPgError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? String((error as { code: unknown }).code) : '';
  return /^[0-9A-Z]{5}$/.test(code) || /^E[A-Z]+$/.test(code);
}
