#!/usr/bin/env node
// Proves that a production install runs: in a copy of this checkout (tracked and untracked files,
// not the ignored ones) in a temporary folder, `npm ci` (whose `prepare` builds the web app and
// the server bundle), `npm prune --omit=dev` (esbuild, vite, tsx and every other development
// dependency gone), then `npm start` with NODE_ENV=production on a fresh SQLite folder and a free
// port. Checks `/ready`, the dashboard at `/`, a device registered by the admin and 20 s of a real
// ECG (the committed MIT-BIH 101 excerpt) ingested with live ECG analysis in a worker thread: the
// latest prediction's heart rate comes from the ECG. Stops the server with SIGTERM, which must
// exit 0. Called by .ci/run; `--keep` keeps the temporary folder.
//
//   node scripts/check-prod-install.mjs [--keep]
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const keep = process.argv.includes('--keep');
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const step = (message) => {
  process.stdout.write(`[check-prod-install ${elapsed()}] ${message}\n`);
};

/** Throws with `message` unless `ok`. */
function check(ok, message) {
  if (!ok) throw new Error(message);
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  check(typeof address === 'object' && address !== null, 'no free port');
  return address.port;
}

function copyCheckout(to) {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: repo,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  )
    .split('\0')
    .filter((f) => f !== '' && existsSync(path.join(repo, f)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    copyFileSync(path.join(repo, f), path.join(to, f));
  }
  return files.length;
}

/** Runs npm in `cwd` without NODE_ENV (production would make `npm ci` skip the build tools). */
function npm(cwd, args) {
  const env = { ...process.env };
  delete env.NODE_ENV;
  execFileSync('npm', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

async function waitReady(base, server, log) {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    check(
      server.exitCode === null,
      `the server exited (code ${String(server.exitCode)}):\n${log()}`,
    );
    try {
      const r = await fetch(`${base}/ready`);
      if (r.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`/ready was not 200 within 120 s:\n${log()}`);
}

async function json(response, what) {
  const text = await response.text();
  check(response.ok, `${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** One-second packets of the MIT-BIH 101 excerpt (250 Hz, stored in µV), ending now. */
function packets(deviceId, seconds) {
  const fixture = path.join(repo, 'packages/server/test/fixtures/mitdb-101-60s-250hz.i16');
  const raw = readFileSync(fixture);
  const uv = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const fs = 250;
  const start = Date.now() - seconds * 1000;
  return Array.from({ length: seconds }, (_, k) => ({
    device_id: deviceId,
    timestamp: start + k * 1000,
    sequence: k,
    ecg_sample_rate_hz: fs,
    ecg_samples: Array.from(uv.subarray(k * fs, (k + 1) * fs), (v) => v / 1000),
    spo2_percent: 97,
  }));
}

async function exercise(base) {
  const home = await fetch(`${base}/`);
  const html = await home.text();
  check(home.status === 200, `/ answered ${home.status}`);
  check(
    (home.headers.get('content-type') ?? '').startsWith('text/html') &&
      html.includes('<div id="root"></div>') &&
      /<script type="module"[^>]*src="\/assets\//.test(html),
    `/ is not the built dashboard: ${html.slice(0, 300)}`,
  );
  step('/ serves the built dashboard');

  const login = await json(
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    }),
    'admin login',
  );
  const auth = { authorization: `Bearer ${login.access_token}` };
  const deviceId = 'CHECK-PROD-1';
  const device = await json(
    await fetch(`${base}/api/v1/devices/register`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: deviceId, name: 'production install check' }),
    }),
    'device registration',
  );
  step(`device ${deviceId} registered`);

  const seconds = 20;
  for (const p of packets(deviceId, seconds)) {
    const r = await fetch(`${base}/api/v1/vitals`, {
      method: 'POST',
      headers: { 'x-api-key': device.api_key, 'content-type': 'application/json' },
      body: JSON.stringify(p),
    });
    check(r.status === 201, `vitals packet ${p.sequence}: HTTP ${r.status} ${await r.text()}`);
  }
  const latest = await json(
    await fetch(`${base}/api/v1/predictions/${deviceId}/latest`, { headers: auth }),
    'latest prediction',
  );
  check(
    latest.heart_rate_source === 'ecg' && typeof latest.heart_rate_bpm === 'number',
    `the latest prediction has no heart rate from the ECG analysis: ${JSON.stringify(latest)}`,
  );
  step(
    `${seconds} packets ingested; latest prediction: HR ${latest.heart_rate_bpm} bpm from the ECG, risk ${latest.risk_label}`,
  );
}

const ADMIN_EMAIL = 'check-admin@vigil.local';
const ADMIN_PASSWORD = `Check-${Date.now().toString(36)}-Prod-Install-1`;

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-prod-install-'));
let server;
try {
  step(`copied ${copyCheckout(dir)} files of ${repo} to ${dir}`);
  npm(dir, ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  step('npm ci done (prepare built the web app and the server)');
  npm(dir, ['prune', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error']);
  for (const dev of ['esbuild', 'vite', 'tsx', 'vitest', 'typescript'])
    check(!existsSync(path.join(dir, 'node_modules', dev)), `${dev} is still installed`);
  for (const built of ['packages/server/dist/server.mjs', 'packages/web/dist/index.html'])
    check(existsSync(path.join(dir, built)), `${built} was not built`);
  step('npm prune --omit=dev done: esbuild, vite, tsx, vitest and typescript are gone');

  const port = await freePort();
  const dataDir = path.join(dir, 'data');
  let output = '';
  const env = { ...process.env };
  delete env.DATABASE_URL;
  server = spawn('npm', ['start'], {
    cwd: dir,
    detached: true, // its own process group: npm, its shell and node stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      VIGIL_DATA_DIR: dataDir,
      JWT_SECRET: Array.from({ length: 48 }, (_, i) => 'abcdef0123456789'[(i * 7) % 16]).join(''),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      // At least one worker, even on one core: the check covers the built analysis worker.
      ANALYSIS_WORKERS: '1',
      LOG_LEVEL: 'warn',
    },
  });
  const collect = (chunk) => {
    output += chunk.toString();
  };
  server.stdout.on('data', collect);
  server.stderr.on('data', collect);
  const log = () => output.split('\n').slice(-40).join('\n');
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, server, log);
  step(`npm start (NODE_ENV=production) is ready on ${base}`);
  await exercise(base);

  const exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  // SIGTERM to the server's Node process, as a process manager would send it; npm, which only
  // relays, then exits with its code.
  const node = execFileSync(
    'pgrep',
    ['-g', String(server.pid), '-f', '^node .*scripts/start[.]mjs'],
    {
      encoding: 'utf8',
    },
  ).trim();
  check(/^\d+$/.test(node), `expected one server process, found: ${node}`);
  process.kill(Number(node), 'SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
  ]);
  check(code === 0, `the server did not stop cleanly on SIGTERM (${String(code)}):\n${log()}`);
  const errors = output.split('\n').filter((line) => {
    try {
      return JSON.parse(line).level >= 50; // pino: 50 error, 60 fatal
    } catch {
      return false;
    }
  });
  check(errors.length === 0, `the server logged errors:\n${errors.join('\n')}`);
  server = undefined;
  step('stopped with SIGTERM (exit 0); production install check passed');
} finally {
  if (server !== undefined && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (keep) step(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
