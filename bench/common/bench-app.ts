import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createArgon2Hasher } from '../../packages/server/src/adapters/password-hasher.js';
import { buildApp } from '../../packages/server/src/app.js';
import { createContainer, type Container } from '../../packages/server/src/composition.js';
import { loadConfig } from '../../packages/server/src/config/env.js';

/** A benchmark's own Vigil: built, not listening, with a data folder and database of its own. */
export interface BenchApp {
  app: FastifyInstance;
  container: Container;
  /** The app's data folder (SQLite file, spooled uploads); removed by close(). */
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Builds the whole app as `npm start` would, but silent: a SQLite file in a fresh data folder,
 * or, with DATABASE_URL set, a PostgreSQL schema of its own dropped on close. Password hashing is
 * cheap (argon2id at 1 MiB) because no benchmark measures sign-in.
 */
export async function createBenchApp(name: string): Promise<BenchApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `vigil-bench-${name}-`));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    MQTT_PORT: '0',
    VIGIL_DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
  });
  const container = await createContainer(config, {
    passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
    ...(config.databaseUrl === undefined
      ? {}
      : {
          database: {
            pgSchema: `vigil_bench_${randomBytes(4).toString('hex')}`,
            dropSchemaOnClose: true,
          },
        }),
  });
  const app = await buildApp({ ...container, plugins: [] });
  return {
    app,
    container,
    dataDir,
    async close() {
      await app.close();
      await container.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
