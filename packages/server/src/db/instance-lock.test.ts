import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir, type DataDirLock } from './instance-lock.js';

let dir = '';
const held: DataDirLock[] = [];
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('lockDataDir', () => {
  it('refuses a second server on the same SQLite data folder, naming VIGIL_DATA_DIR', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-lock-'));
    held.push(lockDataDir({ dataDir: dir }));
    expect(() => lockDataDir({ dataDir: dir })).toThrow(
      `VIGIL_DATA_DIR ${dir} is in use by another Vigil process: stop it first (one server per SQLite database; several need PostgreSQL)`,
    );
  });

  it('lets the next server in once the first has released the folder', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-lock-'));
    lockDataDir({ dataDir: dir }).release();
    held.push(lockDataDir({ dataDir: dir }));
    expect(held).toHaveLength(1);
  });
});
