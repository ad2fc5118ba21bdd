import path from 'node:path';
import { collectDefaultMetrics } from 'prom-client';
import { buildApp } from './app.js';
import { createContainer } from './composition.js';
import { ConfigError, loadConfig, type Config } from './config/env.js';
import { describeStartupError } from './config/startup-error.js';
import { lockDataDir } from './db/instance-lock.js';
import { isDemoEnabled } from './demo/demo-mode.js';
import type { Demo } from './demo/start-demo.js';
import { mqttStatusLine } from './config/mqtt-status-line.js';
import { webPlugin } from './transports/http/plugins/web.plugin.js';

/**
 * Entry point: config → container (database, services) → app → listen. SIGTERM/SIGINT refuse
 * uploads not yet under way, close the app (stop accepting, finish requests under way), then the
 * container in reverse order, within 10 s.
 */
let startedConfig: Config | undefined;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  startedConfig = config;
  // One server per SQLite database: a second one (an upgrade started before the old server
  // stopped) stops here, before migrating the schema under the first.
  // Kept referenced until exit: a collected connection would close and drop the lock.
  const dataDirLock =
    config.databaseUrl === undefined ? lockDataDir({ dataDir: config.dataDir }) : undefined;
  const container = await createContainer(config);
  collectDefaultMetrics({ register: container.metrics });
  const app = await buildApp({ ...container, plugins: [webPlugin] });
  let demo: Demo | undefined;

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out after 10 s');
      process.exit(1);
    }, 10_000);
    timer.unref();
    // Uploads still queued are refused (503, Retry-After) rather than drained: after an overload
    // the backlog could outlast the 10 s limit.
    container.stopAccepting();
    Promise.resolve(demo?.close())
      .then(() => app.close())
      .then(() => container.close())
      .then(() => {
        dataDirLock?.release();
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });

  await app.listen({ port: config.port, host: config.host });
  // performance.now() counts from process start, so this includes loading every module.
  const coldStartMs = performance.now();
  // CPU time too: on a shared machine wall time mostly measures the neighbours.
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  app.log.info(
    {
      coldStartMs: Math.round(coldStartMs),
      cpuMs: Math.round(cpuMs),
      rssMb: Math.round(rssMb),
      database: container.database.dialect,
    },
    'listening',
  );
  if (isDemoEnabled(config, process.argv, process.env)) {
    // After the cold-start measurement: seeding is demo work, not start-up. The simulated
    // devices post to this server's own port, through the real ingest path. Imported only here:
    // the demo and the simulator it drives (@vigil/sim, a development dependency) are a chunk of
    // their own in the build, which a production server never loads.
    const { startDemo } = await import('./demo/start-demo.js');
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const local = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    demo = await startDemo({
      config,
      services: container.services,
      baseUrl: `http://${local}:${port}`,
      log: app.log,
    });
  }
  if (config.nodeEnv === 'development') {
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const base = `http://${host}:${config.port}`;
    // Absolute: `npm start` runs in packages/server, so `./data` was not the user's ./data.
    const dataDir = path.resolve(config.dataDir);
    const lines = [
      '',
      `  Vigil is running on ${base} (${container.database.dialect === 'sqlite' ? `SQLite in ${dataDir}` : 'PostgreSQL'})`,
      `  API docs:    ${base}/docs`,
      `  Cold start:  ${coldStartMs.toFixed(0)} ms from process start to listening (${cpuMs.toFixed(0)} ms CPU); RSS ${rssMb.toFixed(0)} MB`,
    ];
    const admin = container.adminBootstrap;
    if (admin !== undefined) {
      lines.push(`  Admin:       ${admin.email}`);
      if (admin.generatedPassword !== undefined)
        lines.push(
          `  Password:    ${admin.generatedPassword}   (generated for development; stored in ${path.join(dataDir, 'dev-admin-credentials.json')})`,
        );
    }
    lines.splice(2, 0, `  Dashboard:   ${base}/`);
    lines.push(mqttStatusLine(config.mqtt, container.mqttPort));
    if (demo !== undefined) lines.push(...demo.banner);
    process.stdout.write(`${lines.join('\n')}\n\n`);
  }
}

main().catch((error: unknown) => {
  // One line naming what to fix (a port in use, DATABASE_URL unreachable, a database migrated by
  // a newer version); the stack only when asked for, or for a failure before the config was read.
  const config = startedConfig;
  const debug = config?.logLevel === 'debug' || config?.logLevel === 'trace';
  const line =
    config === undefined
      ? `Vigil failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      : describeStartupError(error, config);
  const stack =
    debug && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
  process.stderr.write(`${line}${stack}\n`);
  process.exit(1);
});
