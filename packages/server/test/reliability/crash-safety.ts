/**
 * `npm run test:reliability`, crash safety: a real server process under ingest load from several
 * devices over HTTP and MQTT QoS 1 (the embedded broker) is killed with SIGKILL at random moments
 * (RELIABILITY_CRASH_KILLS times, default 20; every fifth kill lands during start-up) and started
 * again on the same database. Devices behave like firmware: a packet is sent again until it is
 * acknowledged (HTTP 2xx, MQTT PUBACK), then the next one. After each kill, with the server down,
 * the database is read directly:
 * - every acknowledged packet is stored, exactly once (counted by device and sequence);
 * - SQLite: `PRAGMA integrity_check` answers ok;
 * - the two alerting devices (SpO2 85 % with a zero-duration spo2_low rule) have their alert
 *   once acknowledged, exactly one, never closed and reopened;
 * and after each restart the live analysis resumes: every device that got at least 5 packets
 * acknowledged in a cycle has predictions for packets of that cycle.
 *
 *   tsx --conditions=vigil-source packages/server/test/reliability/crash-safety.ts sqlite|postgres
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import pg from 'pg';
import {
  createPgDatabase,
  dropPgDatabase,
  ecgPacket,
  finish,
  freePort,
  killHard,
  log,
  pgAdminUrl,
  setUpClinic,
  sleep,
  startServer,
  stopGracefully,
  waitReady,
  type ServerProcess,
} from './harness.js';

const dialect = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const KILLS = Number(process.env.RELIABILITY_CRASH_KILLS ?? 20);
const started = performance.now();
const label = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';

const adminUrl = pgAdminUrl();
if (dialect === 'postgres' && adminUrl === undefined)
  finish({
    test: 'crash safety (SIGKILL under HTTP + MQTT load)',
    database: label,
    ok: true,
    figures: {},
    seconds: 0,
    notes: ['skipped: set RELIABILITY_PG_ADMIN_URL (or DATABASE_URL) to run on PostgreSQL'],
  });

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-crash-'));
const pgName = `vigil_rel_crash_${String(process.pid)}`;
const databaseUrl =
  dialect === 'postgres' && adminUrl !== undefined
    ? await createPgDatabase(adminUrl, pgName)
    : undefined;
const port = await freePort();
const mqttPort = await freePort();
const env: Record<string, string> = {
  PORT: String(port),
  MQTT_PORT: String(mqttPort),
  VIGIL_DATA_DIR: dir,
  ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
};

const HTTP_DEVICES = ['CRASH-H1', 'CRASH-H2', 'CRASH-H3'];
const MQTT_DEVICES = ['CRASH-M1', 'CRASH-M2'];
/** SpO2 85 % on every packet: with a zero-duration rule, the first acknowledged one opens the alert. */
const ALERTING = ['CRASH-H1', 'CRASH-M1'];
const startMs = Date.now() - 6 * 3600_000;

let server: ServerProcess = startServer(env);
await waitReady(server);
const clinic = await setUpClinic(server.base, [...HTTP_DEVICES, ...MQTT_DEVICES], ALERTING);
const keyOf = new Map(clinic.devices.map((d) => [d.deviceId, d.apiKey]));
const patientOf = new Map(clinic.devices.map((d) => [d.deviceId, d.patientId]));

interface DeviceLoad {
  id: string;
  next: number;
  acked: Set<number>;
  /** Sends of an already sent packet (after a failure or a crash). */
  resends: number;
}
const loads = new Map<string, DeviceLoad>(
  [...HTTP_DEVICES, ...MQTT_DEVICES].map((id) => [
    id,
    { id, next: 0, acked: new Set(), resends: 0 },
  ]),
);
let running = true;
const spo2 = (id: string): number => (ALERTING.includes(id) ? 85 : 97);

async function httpDevice(load: DeviceLoad): Promise<void> {
  let attempt = 0;
  while (running) {
    const body = ecgPacket(load.id, load.next, startMs, spo2(load.id));
    try {
      const r = await fetch(`${server.base}/api/v1/vitals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keyOf.get(load.id) ?? '' },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await r.arrayBuffer();
      if (r.status >= 200 && r.status < 300) {
        load.acked.add(load.next);
        load.next++;
        attempt = 0;
        continue;
      }
      if (r.status < 500) throw new Error(`HTTP ${String(r.status)} for ${load.id}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('HTTP 4')) throw error;
    }
    attempt++;
    if (attempt > 1) load.resends++;
    await sleep(50);
  }
}

async function mqttDevice(load: DeviceLoad): Promise<void> {
  let client: mqtt.MqttClient | undefined;
  let closed: Promise<never> = new Promise(() => undefined);
  let attempt = 0;
  while (running) {
    try {
      if (client === undefined) {
        client = await mqtt.connectAsync(
          `mqtt://127.0.0.1:${String(mqttPort)}`,
          {
            username: load.id,
            password: keyOf.get(load.id) ?? '',
            clientId: `${load.id}-${String(Math.random()).slice(2, 8)}`,
            reconnectPeriod: 0,
            connectTimeout: 3000,
            clean: true,
            // false: a socket the dying server closes before its CONNACK rejects. With the
            // default, mqtt.js waits for a reconnect that reconnectPeriod 0 never makes, this device
            // stops for good and the run waits on it until its hard limit.
          },
          false,
        );
        const c = client;
        closed = new Promise((_, reject) =>
          c.once('close', () => {
            reject(new Error('closed'));
          }),
        );
        closed.catch(() => undefined);
      }
      const c = client;
      await Promise.race([
        c.publishAsync(
          `vigil/devices/${load.id}/vitals`,
          ecgPacket(load.id, load.next, startMs, spo2(load.id)),
          { qos: 1 },
        ),
        new Promise((_, reject) =>
          setTimeout(() => {
            reject(new Error('no PUBACK'));
          }, 5000),
        ),
        closed,
      ]);
      load.acked.add(load.next);
      load.next++;
      attempt = 0;
      continue;
    } catch {
      client?.end(true);
      client = undefined;
    }
    attempt++;
    if (attempt > 1) load.resends++;
    await sleep(50);
  }
  client?.end(true);
}

interface Stored {
  counts: Map<string, number>;
  integrity: string;
  alerts: Map<string, { total: number; open: number }>;
  predictionsAfter: (deviceId: string, fromSeq: number) => number;
}

async function readDatabase(): Promise<Stored> {
  const counts = new Map<string, number>();
  const alerts = new Map<string, { total: number; open: number }>();
  const predTs = new Map<string, number[]>();
  let integrity = 'n/a';
  const patientIds = ALERTING.map((d) => patientOf.get(d) ?? '');
  if (dialect === 'sqlite') {
    const db = new Database(path.join(dir, 'vigil.sqlite'));
    try {
      integrity = (db.pragma('integrity_check', { simple: true }) as string) || 'n/a';
      for (const r of db
        .prepare(
          'SELECT device_id, sequence, count(*) AS n FROM vitals GROUP BY device_id, sequence',
        )
        .all() as { device_id: string; sequence: number; n: number }[])
        counts.set(`${r.device_id}#${String(r.sequence)}`, r.n);
      for (const r of db
        .prepare(
          `SELECT patient_id, count(*) AS total, sum(CASE WHEN cleared_at IS NULL THEN 1 ELSE 0 END) AS open
           FROM alerts WHERE rule_kind = 'spo2_low' GROUP BY patient_id`,
        )
        .all() as { patient_id: string; total: number; open: number }[])
        alerts.set(r.patient_id, { total: r.total, open: r.open });
      for (const r of db.prepare('SELECT device_id, ts FROM predictions').all() as {
        device_id: string;
        ts: number;
      }[])
        predTs.set(r.device_id, [...(predTs.get(r.device_id) ?? []), r.ts]);
    } finally {
      db.close();
    }
  } else {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const v = await c.query<{ device_id: string; sequence: string; n: string }>(
        'SELECT device_id, sequence, count(*) AS n FROM vitals GROUP BY device_id, sequence',
      );
      for (const r of v.rows) counts.set(`${r.device_id}#${r.sequence}`, Number(r.n));
      const a = await c.query<{ patient_id: string; total: string; open: string }>(
        `SELECT patient_id, count(*) AS total, count(*) FILTER (WHERE cleared_at IS NULL) AS open
         FROM alerts WHERE rule_kind = 'spo2_low' AND patient_id = ANY($1) GROUP BY patient_id`,
        [patientIds],
      );
      for (const r of a.rows)
        alerts.set(r.patient_id, { total: Number(r.total), open: Number(r.open) });
      const p = await c.query<{ device_id: string; ts: string }>(
        'SELECT device_id, ts FROM predictions',
      );
      for (const r of p.rows)
        predTs.set(r.device_id, [...(predTs.get(r.device_id) ?? []), Number(r.ts)]);
    } finally {
      await c.end();
    }
  }
  return {
    counts,
    integrity,
    alerts,
    predictionsAfter: (deviceId, fromSeq) =>
      (predTs.get(deviceId) ?? []).filter((ts) => ts >= startMs + fromSeq * 1000).length,
  };
}

const failures: string[] = [];
let missingAlerts = 0;
let duplicatedAlerts = 0;
let kills = 0;
let startupKills = 0;
let analysisChecks = 0;
let analysisResumed = 0;
let lost = 0;
let duplicates = 0;
let stored = 0;

/** Reads the database with the server down and checks every promise; `firstSeq`: cycle start. */
async function verify(cycle: string, firstSeq: Map<string, number>): Promise<void> {
  const db = await readDatabase();
  if (dialect === 'sqlite' && db.integrity !== 'ok')
    failures.push(`cycle ${cycle}: integrity_check ${db.integrity}`);
  lost = 0;
  duplicates = 0;
  stored = 0;
  for (const [id, l] of loads) {
    for (const seq of l.acked)
      if ((db.counts.get(`${id}#${String(seq)}`) ?? 0) === 0) {
        lost++;
        if (failures.length < 20)
          failures.push(`cycle ${cycle}: ${id} #${String(seq)} acknowledged, not stored`);
      }
  }
  for (const [key, n] of db.counts) {
    stored += n;
    if (n > 1) {
      duplicates += n - 1;
      if (failures.length < 20) failures.push(`cycle ${cycle}: ${key} stored ${String(n)}×`);
    }
  }
  for (const id of ALERTING) {
    const l = loads.get(id) as DeviceLoad;
    const a = db.alerts.get(patientOf.get(id) ?? '') ?? { total: 0, open: 0 };
    if (a.total > 1 || a.open > 1) {
      duplicatedAlerts++;
      failures.push(
        `cycle ${cycle}: ${id}: ${String(a.total)} spo2_low alerts (${String(a.open)} open): duplicated`,
      );
    } else if (l.acked.size > 0 && a.open !== 1) {
      // A packet stored just before a kill, before the rules saw it, is acknowledged on the
      // device's retry: the rules must see it then.
      missingAlerts++;
      failures.push(`cycle ${cycle}: ${id}: acknowledged SpO2 85 % packets, no spo2_low alert`);
    }
  }
  for (const [id, l] of loads) {
    const from = firstSeq.get(id) ?? 0;
    if (l.next - from >= 5) {
      analysisChecks++;
      if (db.predictionsAfter(id, from) > 0) analysisResumed++;
      else failures.push(`cycle ${cycle}: ${id}: no prediction for packets ≥ #${String(from)}`);
    }
  }
}

const workers = [
  ...HTTP_DEVICES.map((id) => httpDevice(loads.get(id) as DeviceLoad)),
  ...MQTT_DEVICES.map((id) => mqttDevice(loads.get(id) as DeviceLoad)),
];
const workersDone = Promise.all(workers).catch((error: unknown) => {
  failures.push(`a device stopped: ${error instanceof Error ? error.message : String(error)}`);
});
/** The device loops end within one send timeout of `running = false`; a hung one fails the row. */
async function devicesStopped(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, 20_000);
  });
  const how = await Promise.race([workersDone, late]);
  clearTimeout(timer);
  if (how === 'late') failures.push('a device loop did not stop within 20 s of the end');
}

try {
  for (let cycle = 1; cycle <= KILLS; cycle++) {
    const firstSeq = new Map([...loads].map(([id, l]) => [id, l.next]));
    if (cycle % 5 === 0) {
      // During start-up: migrations check, broker start, the first packets.
      await sleep(Math.random() * 800);
      startupKills++;
    } else {
      const readyMs = await waitReady(server);
      log(`ready in ${readyMs.toFixed(0)} ms`);
      await sleep(600 + Math.random() * 1200);
    }
    await killHard(server);
    kills++;
    await verify(String(cycle), firstSeq);
    // Always printed: a CI log then shows how far a run that hits its hard limit got.
    process.stderr.write(
      `  kill ${String(cycle)}: acked ${String([...loads.values()].reduce((n, l) => n + l.acked.size, 0))}, lost ${String(lost)}, dup ${String(duplicates)}\n`,
    );
    server = startServer(env);
  }
  // The last run ends with SIGTERM (graceful stop): everything acknowledged is checked once more.
  const firstSeq = new Map([...loads].map(([id, l]) => [id, l.next]));
  await waitReady(server);
  await sleep(2500);
  running = false;
  await devicesStopped();
  await stopGracefully(server);
  await verify('final', firstSeq);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  running = false;
  await devicesStopped();
  await stopGracefully(server);
  if (databaseUrl !== undefined && adminUrl !== undefined) await dropPgDatabase(adminUrl, pgName);
  rmSync(dir, { recursive: true, force: true });
}

const acked = [...loads.values()].reduce((n, l) => n + l.acked.size, 0);
const ackedMqtt = MQTT_DEVICES.reduce((n, id) => n + (loads.get(id)?.acked.size ?? 0), 0);
const resends = [...loads.values()].reduce((n, l) => n + l.resends, 0);
finish({
  test: 'crash safety (SIGKILL under HTTP + MQTT load)',
  database: label,
  ok: failures.length === 0 && kills >= KILLS,
  figures: {
    kills: `${String(kills)} (${String(startupKills)} during start-up)`,
    acknowledged: `${String(acked)} (${String(ackedMqtt)} MQTT)`,
    stored,
    lost,
    duplicates,
    resent: resends,
    'analysis resumed': `${String(analysisResumed)}/${String(analysisChecks)}`,
    alerts: `missing after ${String(missingAlerts)} kills; duplicated after ${String(duplicatedAlerts)}`,
    ...(dialect === 'sqlite'
      ? {
          integrity_check: failures.some((f) => f.includes('integrity'))
            ? 'FAILED'
            : 'ok ×' + String(kills),
        }
      : {}),
  },
  seconds: (performance.now() - started) / 1000,
  notes: failures,
});
