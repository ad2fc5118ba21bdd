import { accessSync, constants, statSync } from 'node:fs';
import { DomainError } from '../errors/catalogue.js';
import { DATABASE_RETRY_AFTER_S } from './unavailable-dialect.js';

export interface SqliteFileGuardOptions {
  /** Clock of the checks, epoch ms (default Date.now). */
  now?: () => number;
  /** A check at most this often, ms (default 1000): one stat per second, whatever the load. */
  intervalMs?: number;
  /** Told once, with what happened, when the file is found gone or replaced (logged as an error). */
  onLost?: (problem: string) => void;
}

export interface SqliteFileGuard {
  /**
   * Throws DATABASE_UNAVAILABLE (503, Retry-After) once the database file the server opened is
   * no longer at its path; called before every query.
   */
  beforeQuery(): void;
  /** Throws DATABASE_UNAVAILABLE while the file is gone, replaced or not writable (readiness). */
  check(): void;
}

const unavailable = (): DomainError =>
  new DomainError('DATABASE_UNAVAILABLE', {
    message: 'The database cannot store anything now: nothing was stored, send it again later',
    retryAfterSeconds: DATABASE_RETRY_AFTER_S,
  });

/**
 * Watches the SQLite file the server has open. A file deleted or replaced under a running server
 * (a clean-up script, a restore copied over it) leaves SQLite writing to the unlinked inode: every
 * write succeeded and was gone at the next start, while /ready said ready and nothing was logged.
 * From the first check that sees it, every query is refused with DATABASE_UNAVAILABLE, so devices
 * keep their data and retry (HTTP 503, MQTT messages left unacknowledged) until an operator
 * restarts the server; the problem is reported once. A file that is not writable (a file system
 * remounted read-only after I/O errors, changed permissions) only fails readiness: its writes
 * already answer 503 (SQLITE_READONLY) and its reads still serve.
 */
export function createSqliteFileGuard(
  file: string,
  options: SqliteFileGuardOptions = {},
): SqliteFileGuard {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const opened = statSync(file);
  let lost: string | null = null;
  let checkedAt = Number.NEGATIVE_INFINITY;

  const inspect = (): void => {
    if (lost !== null) return;
    let problem: string | null = null;
    try {
      const st = statSync(file);
      if (st.ino !== opened.ino || st.dev !== opened.dev)
        problem = `the SQLite database file ${file} was replaced by another file while the server ran`;
    } catch {
      problem = `the SQLite database file ${file} was deleted or moved while the server ran`;
    }
    if (problem === null) return;
    lost = `${problem}: nothing is stored until the server is restarted on the right file`;
    options.onLost?.(lost);
  };

  return {
    beforeQuery() {
      const t = now();
      if (t - checkedAt >= intervalMs) {
        checkedAt = t;
        inspect();
      }
      if (lost !== null) throw unavailable();
    },
    check() {
      checkedAt = now();
      inspect();
      if (lost !== null) throw unavailable();
      try {
        accessSync(file, constants.W_OK);
      } catch (cause) {
        throw new DomainError('DATABASE_UNAVAILABLE', {
          message: 'The database is read-only: nothing can be stored now',
          retryAfterSeconds: DATABASE_RETRY_AFTER_S,
          cause,
        });
      }
    },
  };
}
