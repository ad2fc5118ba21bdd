import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';

const docs = readFileSync(new URL('../../ERRORS.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it.each(Object.entries(ERROR_CATALOGUE))(
    'documents %s with its status in ERRORS.md',
    (code, entry) => {
      const row = docs
        .split('\n')
        .find((line) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(line));
      expect(row, `ERRORS.md has no row for ${code}`).toBeDefined();
      expect(row?.split('|')[2]?.trim()).toBe(String(entry.status));
    },
  );

  it('documents no code that the catalogue lacks', () => {
    const documented = [...docs.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('gives a domain error the status and default message of its code', () => {
    const error = new DomainError('EMAIL_TAKEN', { field: 'email' });
    expect(error.status).toBe(409);
    expect(error.message).toBe(ERROR_CATALOGUE.EMAIL_TAKEN.message);
    expect(error.field).toBe('email');
  });

  it('uses only 4xx and 5xx statuses', () => {
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      expect(ERROR_CATALOGUE[code].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_CATALOGUE[code].status).toBeLessThan(600);
    }
  });
});
