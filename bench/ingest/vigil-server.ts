/**
 * A real Vigil server for bench/ingest, built like server.ts does (config → createContainer →
 * buildApp → listen) on loopback with a fresh database: a temporary SQLite folder by default, or
 * a PostgreSQL schema of its own (dropped at exit) when DATABASE_URL is set. Prints
 * `BENCH_READY {"port", "dialect", "adminEmail", "adminPassword"}` on stdout once listening; stops on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../packages/server/src/app.js';
import { createContainer } from '../../packages/server/src/composition.js';
import { loadConfig } from '../../packages/server/src/config/env.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
const adminEmail = 'bench-admin@vigil.local';
const adminPassword = `Bench-${randomBytes(12).toString('hex')}-1`;
const config = loadConfig({
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  VIGIL_DATA_DIR: dataDir,
  JWT_SECRET: randomBytes(32).toString('hex'),
  ADMIN_EMAIL: adminEmail,
  ADMIN_PASSWORD: adminPassword,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
  MQTT_PORT: '0',
  VIGIL_DEMO: 'false',
  DATABASE_URL: process.env.DATABASE_URL,
  // Unset: the server's default (cores − 1 analysis workers); 0 analyses on the main thread.
  ANALYSIS_WORKERS: process.env.ANALYSIS_WORKERS,
  // Unset: the server's load shedding (1 s of event-loop delay); 0 turns it off, for a machine
  // shared with other work, where a busy start-up otherwise sheds the bench's own sign-in.
  MAX_EVENT_LOOP_DELAY_MS: process.env.MAX_EVENT_LOOP_DELAY_MS,
});
const container = await createContainer(config, {
  ...(config.databaseUrl === undefined
    ? {}
    : {
        database: {
          pgSchema: `vigil_bench_${randomBytes(6).toString('hex')}`,
          dropSchemaOnClose: true,
        },
      }),
});
const app = await buildApp(container);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(
  `BENCH_READY ${JSON.stringify({
    port: typeof address === 'object' && address ? address.port : 0,
    dialect: container.database.dialect,
    adminEmail,
    adminPassword,
  })}\n`,
);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => container.close())
    .finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
