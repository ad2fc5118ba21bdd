import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/adapters/clock.js';
import { createArgon2Hasher } from '../../src/adapters/password-hasher.js';
import { buildApp, type AppDeps } from '../../src/app.js';
import { createContainer, type Container, type ContainerOverrides } from '../../src/composition.js';
import { loadConfig } from '../../src/config/env.js';

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  clock: ManualClock;
  /** Closes the app, then the container (database; drops the PostgreSQL test schema). */
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment variables (as strings, like the real environment). */
  env?: Record<string, string>;
  /** Extra plugins for buildApp (other areas' tests). */
  plugins?: AppDeps['plugins'];
  /** Capture logs (set LOG_LEVEL in env too; tests default to silent). */
  logStream?: AppDeps['logStream'];
  /**
   * On SQLite, a database file in a temporary folder instead of memory: the production path
   * (durable commits, checkpoint worker). Ignored on PostgreSQL.
   */
  sqliteFile?: boolean;
  /** Vitals pipeline hooks (replaced analysers, MQTT outcome observers, timer periods). */
  vitals?: ContainerOverrides['vitals'];
  /**
   * Where the database lives, instead of a fresh one (tests that restart on the same data):
   * a SQLite file, or a PostgreSQL schema (kept unless dropSchemaOnClose).
   */
  database?: ContainerOverrides['database'];
  /** Camera heart rate hooks (a bedside file read as fast as it decodes). */
  rppg?: ContainerOverrides['rppg'];
  /** Audit trail hooks (how often buffered events are written). */
  audit?: ContainerOverrides['audit'];
  /** Periodic work (default: node timers); a test's own runs tasks when the test says. */
  scheduler?: ContainerOverrides['scheduler'];
}

/**
 * A fresh app on a fresh database: SQLite in memory by default; when DATABASE_URL is set, a
 * PostgreSQL schema of its own (created here, dropped on close), so parallel test files never
 * collide. Time is a ManualClock; password hashing uses cheap argon2id parameters (the
 * production parameters are covered by the hasher's own test).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    MQTT_PORT: '0',
    // Each app its own persistent session on a shared broker (the default is per host).
    MQTT_CLIENT_ID: `vigil-test-${randomBytes(6).toString('hex')}`,
    DATABASE_URL: process.env.DATABASE_URL,
    ...options.env,
  };
  const config = loadConfig(env);
  const clock = new ManualClock(Date.now());
  const sqliteDir =
    options.sqliteFile === true && config.databaseUrl === undefined
      ? mkdtempSync(path.join(tmpdir(), 'vigil-test-'))
      : undefined;
  const container = await createContainer(config, {
    clock,
    passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
    ...(options.vitals === undefined ? {} : { vitals: options.vitals }),
    ...(options.rppg === undefined ? {} : { rppg: options.rppg }),
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    database:
      options.database !== undefined
        ? options.database
        : config.databaseUrl === undefined
          ? {
              sqlitePath:
                sqliteDir === undefined ? ':memory:' : path.join(sqliteDir, 'vigil.sqlite'),
            }
          : {
              pgSchema: `vigil_srvtest_${randomBytes(6).toString('hex')}`,
              dropSchemaOnClose: true,
              maxConnections: 4,
            },
  });
  let app: FastifyInstance;
  try {
    app = await buildApp({
      ...container,
      plugins: options.plugins ?? [],
      ...(options.logStream === undefined ? {} : { logStream: options.logStream }),
    });
  } catch (error) {
    await container.close();
    if (sqliteDir !== undefined) rmSync(sqliteDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    container,
    clock,
    async close() {
      await app.close();
      await container.close();
      if (sqliteDir !== undefined) rmSync(sqliteDir, { recursive: true, force: true });
    },
  };
}
