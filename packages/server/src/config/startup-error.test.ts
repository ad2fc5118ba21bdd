import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../db/database.js';
import { MigrationError } from '../db/migrate.js';
import { describeStartupError } from './startup-error.js';

const sqliteConfig = { databaseUrl: undefined, port: 8000, host: '0.0.0.0' };

/** The error Node gives a second server on a port that is taken (what app.listen rejects with). */
async function listenError(): Promise<unknown> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as net.AddressInfo;
  const second = net.createServer();
  try {
    return await new Promise((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
  } finally {
    holder.close();
  }
}

describe('describeStartupError', () => {
  it('names PORT and HOST, on one line, when the HTTP port is taken', async () => {
    const error = await listenError();
    const line = describeStartupError(error, { ...sqliteConfig, port: 5432, host: '127.0.0.1' });
    expect(line).toBe(
      'Vigil failed to start: PORT 5432 on HOST 127.0.0.1 is already in use (EADDRINUSE)',
    );
  });

  it('names DATABASE_URL, with its password hidden, when PostgreSQL cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const url = 'postgres://vigil:s3cret@127.0.0.1:1/clinic';
    const database = await createDatabase({ databaseUrl: url });
    let error: unknown;
    try {
      await database.db
        .selectFrom('users' as never)
        .selectAll()
        .execute();
    } catch (caught) {
      error = caught;
    } finally {
      await database.close().catch(() => undefined);
    }
    const line = describeStartupError(error, { ...sqliteConfig, databaseUrl: url });
    expect(line).toMatch(
      /^Vigil failed to start: cannot use DATABASE_URL postgres:\/\/vigil:\*\*\*@127\.0\.0\.1:1\/clinic: .*ECONNREFUSED/,
    );
    expect(line).not.toContain('s3cret');
    expect(line).not.toContain('\n');
  });

  it('passes a migration failure through as its own one-line message', () => {
    const error = new MigrationError('031_retention_by_time', new Error('disk I/O error'));
    expect(describeStartupError(error, sqliteConfig)).toBe(
      'Vigil failed to start: migration 031_retention_by_time failed: disk I/O error',
    );
  });
});
