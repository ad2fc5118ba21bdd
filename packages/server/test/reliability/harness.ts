/**
 * Shared pieces of the process-level reliability tests (`npm run test:reliability`): a real
 * Vigil server in a child process (from source, through tsx's loader, so the run tests the
 * checkout as it is), free ports, a clinic set up over HTTP, ECG packets from the committed
 * MIT-BIH 101 excerpt, PostgreSQL databases of the test's own, and the one result line each
 * test prints for the driver (run.ts).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type Agent } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SERVER_ENTRY = path.join(REPO, 'packages/server/src/server.ts');
/** Under packages/server (ignored dist/), so the bundle resolves node_modules as dist/ does. */
const BUNDLE_DIR = path.join(REPO, 'packages/server/dist/reliability');

/**
 * The server bundled from the checkout's sources (esbuild, as `npm run build` does, ~2 s), once
 * per suite run: the driver sets RELIABILITY_SERVER_BUNDLE. A bundle starts in about half the
 * CPU of tsx's loader (packages/server/scripts/start.mjs), which matters over 40 restarts.
 */
export function serverBundle(): string {
  const given = process.env.RELIABILITY_SERVER_BUNDLE;
  if (given !== undefined && existsSync(given)) return given;
  const bundler = path.join(REPO, 'packages/server/scripts/bundle.mjs');
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(bundler)}); await m.bundleServer(${JSON.stringify(SERVER_ENTRY)}, ${JSON.stringify(BUNDLE_DIR)});`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const bundle = path.join(BUNDLE_DIR, 'server.mjs');
  process.env.RELIABILITY_SERVER_BUNDLE = bundle;
  return bundle;
}

/** One row of the driver's table; `ok` decides the exit code. */
export interface ReliabilityResult {
  test: string;
  database: string;
  ok: boolean;
  /** Measured figures, printed as `key value` pairs in the table's "Figures" column. */
  figures: Record<string, string | number>;
  seconds: number;
  notes?: string[];
}

/** Prints the result line the driver parses, and exits 0 or 1. */
export function finish(result: ReliabilityResult): never {
  process.stdout.write(`RELIABILITY_RESULT ${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 1);
}

export function log(message: string): void {
  if (process.env.RELIABILITY_VERBOSE === '1') process.stderr.write(`${message}\n`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export const ADMIN_EMAIL = 'reliability-admin@vigil.test';
export const ADMIN_PASSWORD = 'Reliability-Admin-Password-1';
const JWT_SECRET = randomBytes(32).toString('hex');

export interface ServerProcess {
  readonly base: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** The last lines the server wrote (for failure messages). */
  output(): string;
  /** Lines of its retained output (the last 20,000 characters) logged at error level or above. */
  errorLines(): string[];
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<string>;
  /** Peak resident set size so far (VmHWM of /proc/<pid>/status), MB. */
  peakRssMb(): number;
}

/**
 * Starts the server bundle with plain Node, as `npm start` does (one process, so a SIGKILL to it
 * is a SIGKILL to the server), NODE_ENV=production, logs at warn. `nodeArgs` go to Node before
 * the bundle (e.g. `--cpu-prof`, which NODE_OPTIONS does not take).
 */
export function startServer(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ServerProcess {
  const port = Number(env.PORT);
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=32', '--enable-source-maps', ...nodeArgs, serverBundle()],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        JWT_SECRET,
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        LOG_LEVEL: 'warn',
        ANALYSIS_WORKERS: '0',
        MQTT_PORT: '0',
        ...env,
      },
    },
  );
  let out = '';
  const collect = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(signal ?? String(code));
    });
  });
  return {
    base: `http://127.0.0.1:${String(port)}`,
    port,
    child,
    output: () => out.split('\n').slice(-30).join('\n'),
    // pino: error is level 50, fatal 60.
    errorLines: () => out.split('\n').filter((l) => /"level":[56]0\b/.test(l)),
    exited,
    peakRssMb() {
      try {
        const status = readFileSync(`/proc/${String(child.pid)}/status`, 'utf8');
        const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
        return kb === undefined ? 0 : Number(kb) / 1024;
      } catch {
        return 0;
      }
    },
  };
}

/** Waits until `/ready` answers 200; throws with the server's output if it exits or times out. */
export async function waitReady(server: ServerProcess, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (server.child.exitCode !== null || server.child.signalCode !== null)
      throw new Error(`the server exited:\n${server.output()}`);
    try {
      const r = await fetch(`${server.base}/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return performance.now() - t0;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`/ready was not 200 within ${String(timeoutMs)} ms:\n${server.output()}`);
}

export async function killHard(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null)
    server.child.kill('SIGKILL');
  await server.exited;
}

export async function stopGracefully(server: ServerProcess): Promise<string> {
  if (server.child.exitCode === null && server.child.signalCode === null)
    server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  const how = await server.exited;
  clearTimeout(timer);
  return how;
}

/** One JSON request; a 503 (overload on a shared machine) is retried after its Retry-After. */
export async function api<T>(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status === 503 && attempt < 20) {
      await sleep(1000 * Number(r.headers.get('retry-after') ?? 1));
      continue;
    }
    if (!r.ok) throw new Error(`${method} ${url}: HTTP ${String(r.status)} ${text.slice(0, 300)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

export interface Clinic {
  doctorHeaders: Record<string, string>;
  devices: { deviceId: string; apiKey: string; patientId: string }[];
}

/**
 * Over HTTP as the bootstrap admin: a doctor, one patient per device, each device registered to
 * its patient. `spo2LowAtOnce` patients get the spo2_low rule with no duration, so one packet
 * with SpO2 85 % opens the alert.
 */
export async function setUpClinic(
  base: string,
  deviceIds: string[],
  spo2LowAtOnce: string[] = [],
): Promise<Clinic> {
  const login = await api<{ access_token: string }>(base, 'POST', '/api/v1/auth/login', {
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
  });
  const admin = { authorization: `Bearer ${login.access_token}` };
  const doctorEmail = `doctor-${randomBytes(3).toString('hex')}@vigil.test`;
  const password = 'Reliability-Doctor-Password-1';
  await api(
    base,
    'POST',
    '/api/v1/users/',
    { email: doctorEmail, password, name: 'Dr Reliability', role: 'doctor' },
    admin,
  );
  const doctorLogin = await api<{ access_token: string }>(base, 'POST', '/api/v1/auth/login', {
    email: doctorEmail,
    password,
  });
  const doctor = { authorization: `Bearer ${doctorLogin.access_token}` };
  const devices: Clinic['devices'] = [];
  for (const deviceId of deviceIds) {
    const patient = await api<{ id: string }>(
      base,
      'POST',
      '/api/v1/users/',
      {
        email: `patient-${deviceId.toLowerCase()}-${randomBytes(3).toString('hex')}@vigil.test`,
        password,
        name: `Patient ${deviceId}`,
      },
      doctor,
    );
    const device = await api<{ api_key: string }>(
      base,
      'POST',
      '/api/v1/devices/register',
      { device_id: deviceId, name: deviceId, patient_id: patient.id },
      doctor,
    );
    if (spo2LowAtOnce.includes(deviceId))
      await api(
        base,
        'PUT',
        `/api/v1/patients/${patient.id}/alert-rules`,
        {
          rules: [
            {
              kind: 'spo2_low',
              enabled: true,
              threshold: 91,
              duration_s: 0,
              severity: 'critical',
            },
          ],
        },
        doctor,
      );
    devices.push({ deviceId, apiKey: device.api_key, patientId: patient.id });
  }
  return { doctorHeaders: doctor, devices };
}

const FS_HZ = 250;
/** The ECG of each second of the excerpt, as JSON (cached: load generation must stay cheap). */
let ecgSecondsJson: string[] | undefined;

/** 1 s of the MIT-BIH 101 excerpt (250 Hz, mV), looping: packet `sequence` of a device. */
export function ecgPacket(
  deviceId: string,
  sequence: number,
  startMs: number,
  spo2Percent = 97,
): string {
  if (ecgSecondsJson === undefined) {
    const raw = readFileSync(
      path.join(REPO, 'packages/server/test/fixtures/mitdb-101-60s-250hz.i16'),
    );
    const uv = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const mv = Float64Array.from(uv, (v) => v / 1000);
    ecgSecondsJson = Array.from({ length: Math.floor(mv.length / FS_HZ) }, (_, k) =>
      JSON.stringify(Array.from(mv.subarray(k * FS_HZ, (k + 1) * FS_HZ))),
    );
  }
  const ecg = ecgSecondsJson[sequence % ecgSecondsJson.length] ?? '[]';
  return `{"device_id":${JSON.stringify(deviceId)},"timestamp":${String(startMs + sequence * 1000)},"sequence":${String(sequence)},"ecg_sample_rate_hz":${String(FS_HZ)},"ecg_samples":${ecg},"spo2_percent":${String(spo2Percent)}}`;
}

export interface PostOutcome {
  /** HTTP status; 0 when there was none. */
  status: number;
  retryAfter: string | null;
  /**
   * Without a status: `queued` (the timeout passed before this client gave the request a socket:
   * the client's own queue, not the server's), `refused` (the server refused or reset the
   * connection), `timeout` (sent, no answer in time).
   */
  failure?: 'queued' | 'refused' | 'timeout';
}

/** POSTs `body` with node:http over a keep-alive agent (cheaper than fetch for load). */
export function postJson(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let socketed = false;
    let timedOut = false;
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: ra ?? null });
        });
        res.on('error', () => {
          clearTimeout(timer);
          resolve({ status: 0, retryAfter: null, failure: 'refused' });
        });
      },
    );
    req.once('socket', () => {
      socketed = true;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve({
        status: 0,
        retryAfter: null,
        failure: !timedOut ? 'refused' : socketed ? 'timeout' : 'queued',
      });
    });
    req.end(body);
  });
}

/**
 * A PostgreSQL database of the test's own, created through `adminUrl` (any database of the
 * cluster, e.g. postgres://postgres@127.0.0.1:5432/test): RELIABILITY_PG_ADMIN_URL, else
 * DATABASE_URL. Undefined when neither is set (the PostgreSQL rows are then skipped).
 */
export function pgAdminUrl(): string | undefined {
  const url = process.env.RELIABILITY_PG_ADMIN_URL ?? process.env.DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

export async function pgAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createPgDatabase(adminUrl: string, name: string): Promise<string> {
  await pgAdmin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPgDatabase(adminUrl: string, name: string): Promise<void> {
  await pgAdmin(adminUrl, async (c) => {
    await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/** The p-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
