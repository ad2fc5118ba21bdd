import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './errors.js';

/** An error as node-postgres reports a server's ErrorResponse: an Error with the SQLSTATE. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it('counts a database that refuses connections (ALLOW_CONNECTIONS false: 55000) as unavailable', () => {
    // The message PostgreSQL 16 sends when connecting to such a database.
    expect(
      isDatabaseUnavailable(
        pgError('55000', 'database "vigil" is not currently accepting connections'),
      ),
    ).toBe(true);
  });

  it('does not count other 55000 errors (the query itself is wrong) as unavailable', () => {
    expect(
      isDatabaseUnavailable(pgError('55000', 'cannot ALTER TABLE "x" because it is being used')),
    ).toBe(false);
  });

  it('counts terminated backends and refused sockets, not constraint violations', () => {
    expect(isDatabaseUnavailable(pgError('57P01', 'terminating connection'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('23505', 'duplicate key'))).toBe(false);
  });
});
