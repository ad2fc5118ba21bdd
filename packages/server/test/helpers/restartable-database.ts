import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/adapters/clock.js';
import { createArgon2Hasher } from '../../src/adapters/password-hasher.js';
import { buildApp } from '../../src/app.js';
import { createContainer } from '../../src/composition.js';
import { loadConfig } from '../../src/config/env.js';
import type { TestApp } from './app.js';

/**
 * Vigil "processes" one after the other on one database that outlives each of them: a SQLite
 * file, or a PostgreSQL schema kept after close (the process started with `last` drops it). The
 * device-silent sweep timer is off: tests sweep by hand.
 */
export function databaseThatSurvivesRestarts(prefix: string) {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    MQTT_PORT: '0',
    DATABASE_URL: process.env.DATABASE_URL,
  });
  const dir = mkdtempSync(path.join(tmpdir(), `vigil-${prefix}-`));
  const schema = `vigil_${prefix.replaceAll('-', '_')}_${randomBytes(5).toString('hex')}`;
  return {
    async start(nowMs: number, last: boolean): Promise<TestApp> {
      const clock = new ManualClock(nowMs);
      const container = await createContainer(config, {
        clock,
        passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
        vitals: { silentSweepMs: 0 },
        database:
          config.databaseUrl === undefined
            ? { sqlitePath: path.join(dir, 'vigil.sqlite') }
            : { pgSchema: schema, dropSchemaOnClose: last, maxConnections: 2 },
      });
      const app = await buildApp({ ...container, plugins: [] });
      return {
        app,
        container,
        clock,
        async close() {
          await app.close();
          await container.close();
          if (last) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
