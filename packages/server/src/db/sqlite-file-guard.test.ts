import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../errors/catalogue.js';
import { createSqliteFileGuard } from './sqlite-file-guard.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function fileIn(): string {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-guard-'));
  const file = path.join(dir, 'vigil.sqlite');
  writeFileSync(file, 'x');
  return file;
}

const codeOf = (work: () => void): string | null => {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
};

describe('createSqliteFileGuard', () => {
  it('refuses queries after the file is deleted, from the next check, and reports it once', () => {
    const file = fileIn();
    let t = 0;
    const lost: string[] = [];
    const guard = createSqliteFileGuard(file, {
      now: () => t,
      intervalMs: 1000,
      onLost: (p) => lost.push(p),
    });
    expect(
      codeOf(() => {
        guard.beforeQuery();
      }),
    ).toBeNull();
    rmSync(file);
    t = 500; // within the interval: not looked at yet
    expect(
      codeOf(() => {
        guard.beforeQuery();
      }),
    ).toBeNull();
    t = 1000;
    expect(
      codeOf(() => {
        guard.beforeQuery();
      }),
    ).toBe('DATABASE_UNAVAILABLE');
    t = 5000;
    writeFileSync(file, 'y'); // a new file at the path is not the one the server has open
    expect(
      codeOf(() => {
        guard.beforeQuery();
      }),
    ).toBe('DATABASE_UNAVAILABLE');
    expect(
      codeOf(() => {
        guard.check();
      }),
    ).toBe('DATABASE_UNAVAILABLE');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain('deleted or moved');
  });

  it('refuses queries once another file was moved over it', () => {
    const file = fileIn();
    const guard = createSqliteFileGuard(file, { intervalMs: 0 });
    writeFileSync(`${file}.restore`, 'z');
    renameSync(`${file}.restore`, file);
    expect(
      codeOf(() => {
        guard.beforeQuery();
      }),
    ).toBe('DATABASE_UNAVAILABLE');
  });

  it('leaves an untouched file alone', () => {
    const file = fileIn();
    const guard = createSqliteFileGuard(file, { intervalMs: 0 });
    for (let i = 0; i < 3; i++)
      expect(
        codeOf(() => {
          guard.beforeQuery();
        }),
      ).toBeNull();
    expect(
      codeOf(() => {
        guard.check();
      }),
    ).toBeNull();
  });
});
