#!/usr/bin/env node
// Runs the Docker image's entry command outside a container (this machine has no container
// engine): the Dockerfile's CMD, read from the Dockerfile itself, with its ENV, from a built
// checkout (the image's /app), against the machine's PostgreSQL (a database of its own, dropped
// at the end) and its Mosquitto at 127.0.0.1:1883, as compose.yaml wires them (DATABASE_URL,
// MQTT_URL). Checks: /ready answers 200 on PostgreSQL, the Dockerfile's HEALTHCHECK command exits
// 0, a device's packet published on Mosquitto is stored, its upload is in the audit trail, and
// SIGTERM stops the server with exit 0 and no error logged. Called by .ci/run.
//
//   node scripts/check-docker-entry.mjs [--root DIR]   (default: this checkout, built by npm ci)
//
// Environment: PGHOST_URL (default postgres://postgres@127.0.0.1:5432), MQTT_BROKER_URL
// (default mqtt://127.0.0.1:1883).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { readImage, REPO } from './dockerfile.mjs';

const { values } = parseArgs({ options: { root: { type: 'string', default: REPO } } });
const root = path.resolve(values.root);
const pgBase = process.env.PGHOST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const brokerUrl = process.env.MQTT_BROKER_URL ?? 'mqtt://127.0.0.1:1883';
const t0 = performance.now();
const step = (message) => {
  process.stdout.write(
    `[check-docker-entry ${((performance.now() - t0) / 1000).toFixed(1)} s] ${message}\n`,
  );
};

class CheckFailed extends Error {}

function check(ok, message) {
  if (!ok) throw new CheckFailed(message);
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  check(typeof address === 'object' && address !== null, 'no free port');
  return address.port;
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: `${pgBase}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function json(response, what) {
  const text = await response.text();
  check(response.ok, `${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, fn, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // Connection refused and the like mean "not yet"; a failed check ends the wait.
    const value = await fn().catch((error) => {
      if (error instanceof CheckFailed) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    check(performance.now() < deadline, `${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

const image = readImage();
check(image.cmd !== undefined, 'the Dockerfile has no CMD');
check(image.healthcheck !== undefined, 'the Dockerfile has no HEALTHCHECK');
check(
  existsSync(path.join(root, 'packages/server/dist/server.mjs')),
  `${root} is not built (npm ci or npm run build first)`,
);

const database = `vigil_docker_${Date.now().toString(36)}_${process.pid}`;
const ADMIN_EMAIL = 'docker-admin@vigil.local';
const ADMIN_PASSWORD = `Docker-${Date.now().toString(36)}-Entry-1`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-docker-entry-'));
let server;
let output = '';
const log = () => output.split('\n').slice(-40).join('\n');
await admin(`CREATE DATABASE ${database}`);
try {
  step(`database ${database} created; running CMD ${JSON.stringify(image.cmd)} in ${root}`);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The image's ENV, then what compose.yaml sets, then what differs outside a container.
    ...image.env,
    DATABASE_URL: `${pgBase}/${database}`,
    MQTT_URL: brokerUrl,
    JWT_SECRET: Array.from({ length: 48 }, (_, i) => 'abcdef0123456789'[(i * 5) % 16]).join(''),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    AUDIT_RETENTION_DAYS: '2190',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    VIGIL_DATA_DIR: dataDir,
  };
  const [command, ...args] = image.cmd;
  server = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (c) => (output += c.toString()));
  server.stderr.on('data', (c) => (output += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  const ready = await until(
    '/ready',
    async () => {
      check(server.exitCode === null, `the server exited (${server.exitCode}):\n${log()}`);
      const r = await fetch(`${base}/ready`);
      return r.status === 200 ? r.json() : undefined;
    },
    120_000,
  ).catch((error) => {
    throw new Error(`${error.message}\n${log()}`);
  });
  check(ready.database === 'postgres', `/ready: ${JSON.stringify(ready)}`);
  step(`/ready: ${JSON.stringify(ready)}`);

  const [hcCommand, ...hcArgs] = image.healthcheck.argv;
  execFileSync(hcCommand, hcArgs, { cwd: root, env, stdio: 'inherit', timeout: 10_000 });
  step(`HEALTHCHECK ${JSON.stringify(image.healthcheck.argv).slice(0, 60)}… exits 0`);

  const login = await json(
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    }),
    'admin login',
  );
  const auth = { authorization: `Bearer ${login.access_token}` };
  const deviceId = `DOCKER-${Date.now().toString(36)}-${process.pid}`;
  await json(
    await fetch(`${base}/api/v1/devices/register`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: deviceId, name: 'docker entry check' }),
    }),
    'device registration',
  );
  // Published on the machine's Mosquitto, which Vigil subscribes to (MQTT_URL).
  const timestamp = Date.now() - 1000;
  const client = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0 });
  try {
    await client.publishAsync(
      `vigil/devices/${deviceId}/vitals`,
      JSON.stringify({
        device_id: deviceId,
        timestamp,
        ecg_samples: [0.1, 0.2, 0.1],
        heart_rate_bpm: 64,
        spo2_percent: 98,
      }),
      { qos: 1 },
    );
  } finally {
    await client.endAsync();
  }
  const latest = await until('the MQTT packet stored', async () => {
    const r = await fetch(`${base}/api/v1/vitals/${deviceId}/latest`, { headers: auth });
    return r.status === 200 ? r.json() : undefined;
  });
  check(latest.heart_rate_bpm === 64, `latest vitals: ${JSON.stringify(latest)}`);
  step(`a packet published on ${brokerUrl} is stored (HR ${latest.heart_rate_bpm} bpm)`);
  const audit = await until('the upload in the audit trail', async () => {
    const page = await json(
      await fetch(`${base}/api/v1/audit?action=vitals.ingest&user_id=${deviceId}`, {
        headers: auth,
      }),
      'audit',
    );
    return page.items.length > 0 ? page.items[0] : undefined;
  });
  check(audit.actor_kind === 'device' && audit.count === 1, `audit: ${JSON.stringify(audit)}`);
  step('the upload is in the audit trail (vitals.ingest, count 1)');

  const exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout')]);
  check(code === 0, `the server did not stop cleanly on SIGTERM (${String(code)}):\n${log()}`);
  const errors = output.split('\n').filter((line) => {
    try {
      return JSON.parse(line).level >= 50;
    } catch {
      return false;
    }
  });
  check(errors.length === 0, `the server logged errors:\n${errors.join('\n')}`);
  server = undefined;
  step('stopped with SIGTERM (exit 0); Docker entry check passed');
} catch (error) {
  process.stderr.write(`the server's last log lines:\n${log()}\n`);
  throw error;
} finally {
  if (server !== undefined && server.exitCode === null) server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
}
