import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** What lockDataDir returns: release() lets another process take the folder. */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes the SQLite data folder for this process, or throws naming VIGIL_DATA_DIR when another
 * Vigil holds it. Two servers on one SQLite file (an upgrade started before the old one stopped, a
 * second copy under systemd) each run the periodic jobs and keep their own ingest state per device,
 * and a newer one migrates the schema under the older (several instances need PostgreSQL,
 * scaling.md). The lock is SQLite's own exclusive lock on a small file beside the database
 * (`locking_mode = EXCLUSIVE`, held from the first write until the connection closes), so the
 * operating system drops it when the process dies, even by SIGKILL: a crash never leaves a stale
 * lock behind, unlike a pid file. Keep the returned lock referenced: better-sqlite3 closes a
 * connection that is garbage-collected, which would drop the lock.
 */
export function lockDataDir(options: { dataDir: string }): DataDirLock {
  if (options.dataDir === '') throw new Error('lockDataDir: dataDir is empty');
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'vigil.instance-lock');
  // No busy wait: a held lock means another server, which will not let go.
  const lock = new BetterSqlite3(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('create table if not exists holder (pid integer not null)');
    lock.prepare('delete from holder').run();
    lock.prepare('insert into holder (pid) values (?)').run(process.pid);
  } catch (error) {
    lock.close();
    const busy =
      error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
    if (!busy) throw error;
    throw new Error(
      `VIGIL_DATA_DIR ${path.resolve(options.dataDir)} is in use by another Vigil process: stop it first (one server per SQLite database; several need PostgreSQL)`,
      { cause: error },
    );
  }
  return {
    release() {
      lock.close();
    },
  };
}
