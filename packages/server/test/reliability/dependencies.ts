/**
 * `npm run test:reliability`, failing dependencies, one scenario per run:
 * - `pg-outage`: a real server on a PostgreSQL database of the test's own, under HTTP ingest
 *   load. Mid-load the database refuses connections (`ALTER DATABASE … ALLOW_CONNECTIONS false`)
 *   and its backends are terminated (`pg_terminate_backend`), what a restart or failover does,
 *   for OUTAGE_S seconds; then connections are allowed again. /ready must be 503 during the
 *   outage, ingest 503 (never 500), the process must stay up, /ready 200 and a packet accepted
 *   within 5 s of the database's return, and every acknowledged packet must be stored.
 * - `mqtt-broker`: the server subscribes to its own Mosquitto (`/usr/sbin/mosquitto` on a free
 *   port, persistence on); devices publish QoS 1 to it; Mosquitto is stopped and started again
 *   mid-load. The subscriber must reconnect and every packet Mosquitto acknowledged be stored.
 * - `disk-full`: SQLite in a 20 MB tmpfs; a filler file takes the free space mid-load. Ingest
 *   must answer 503/507 with a catalogue code (not 500), the database pass `integrity_check`,
 *   and ingest recover within 5 s of the filler's removal, with every acknowledged packet stored.
 *   Skipped with a message when tmpfs cannot be mounted (not root, or no mount permission).
 *
 *   tsx --conditions=vigil-source packages/server/test/reliability/dependencies.ts <scenario>
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import {
  createPgDatabase,
  dropPgDatabase,
  ecgPacket,
  finish,
  freePort,
  log,
  pgAdmin,
  pgAdminUrl,
  setUpClinic,
  sleep,
  startServer,
  stopGracefully,
  waitReady,
  type ServerProcess,
} from './harness.js';

const scenario = process.argv[2] ?? '';
const started = performance.now();
const failures: string[] = [];
const elapsed = (): number => (performance.now() - started) / 1000;

interface HttpLoad {
  acked: Map<string, Set<number>>;
  statuses: Map<number, number>;
  /** Answers after `mark()`: status → count. */
  since: (fromMs: number) => Map<number, number>;
  stop(): Promise<void>;
}

/** Devices sending closed loop, each packet again until acknowledged (as firmware does). */
function httpLoad(
  server: ServerProcess,
  devices: { deviceId: string; apiKey: string }[],
  startMs: number,
): HttpLoad {
  const acked = new Map(devices.map((d) => [d.deviceId, new Set<number>()]));
  const statuses = new Map<number, number>();
  const log: { at: number; status: number }[] = [];
  const state = { running: true };
  const loops = devices.map(async (d) => {
    let seq = 0;
    while (state.running) {
      let status = 0;
      try {
        const r = await fetch(`${server.base}/api/v1/vitals`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': d.apiKey },
          body: ecgPacket(d.deviceId, seq, startMs),
          signal: AbortSignal.timeout(10_000),
        });
        await r.arrayBuffer();
        status = r.status;
      } catch {
        status = 0;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      log.push({ at: performance.now(), status });
      if (status >= 200 && status < 300) {
        acked.get(d.deviceId)?.add(seq);
        seq++;
        await sleep(20);
      } else await sleep(200);
    }
  });
  return {
    acked,
    statuses,
    since(fromMs) {
      const m = new Map<number, number>();
      for (const e of log) if (e.at >= fromMs) m.set(e.status, (m.get(e.status) ?? 0) + 1);
      return m;
    },
    async stop() {
      state.running = false;
      await Promise.all(loops);
    },
  };
}

const fmt = (m: Map<number, number>): string =>
  [...m]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s === 0 ? 'no answer' : String(s)}: ${String(n)}`)
    .join(', ');

/** Acknowledged packets missing from the `vitals` rows read by `rows`. */
function missing(
  acked: Map<string, Set<number>>,
  rows: { device_id: string; sequence: number | string }[],
): number {
  const stored = new Set(rows.map((r) => `${r.device_id}#${String(r.sequence)}`));
  let lost = 0;
  for (const [id, seqs] of acked)
    for (const s of seqs) if (!stored.has(`${id}#${String(s)}`)) lost++;
  return lost;
}

async function pgOutage(): Promise<never> {
  const test = 'PostgreSQL outage mid-load';
  const adminUrl = pgAdminUrl();
  if (adminUrl === undefined)
    finish({
      test,
      database: 'PostgreSQL',
      ok: true,
      figures: {},
      seconds: 0,
      notes: ['skipped: set RELIABILITY_PG_ADMIN_URL (or DATABASE_URL)'],
    });
  const name = `vigil_rel_outage_${String(process.pid)}`;
  const url = await createPgDatabase(adminUrl, name);
  const OUTAGE_S = 6;
  const server = startServer({ PORT: String(await freePort()), DATABASE_URL: url });
  const figures: Record<string, string | number> = {};
  try {
    await waitReady(server);
    const clinic = await setUpClinic(server.base, ['PG-1', 'PG-2', 'PG-3']);
    const load = httpLoad(server, clinic.devices, Date.now() - 3600_000);
    const ready: { at: number; status: number }[] = [];
    const state = { polling: true };
    const poller = (async () => {
      while (state.polling) {
        const r = await fetch(`${server.base}/ready`, { signal: AbortSignal.timeout(3000) }).catch(
          () => undefined,
        );
        ready.push({ at: performance.now(), status: r?.status ?? 0 });
        await sleep(200);
      }
    })();
    await sleep(3000);
    const downAt = performance.now();
    await pgAdmin(adminUrl, async (c) => {
      await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
    });
    await sleep(OUTAGE_S * 1000);
    const upAt = performance.now();
    await pgAdmin(adminUrl, (c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    // Recovery: the first /ready 200 and the first accepted packet after the return.
    let readyBackMs = Number.NaN;
    let ingestBackMs = Number.NaN;
    while (performance.now() - upAt < 10_000) {
      const r = ready.find((e) => e.at > upAt && e.status === 200);
      if (r !== undefined && Number.isNaN(readyBackMs)) readyBackMs = r.at - upAt;
      const accepted = [...load.since(upAt)].some(([s]) => s >= 200 && s < 300);
      if (accepted && Number.isNaN(ingestBackMs)) ingestBackMs = performance.now() - upAt;
      if (!Number.isNaN(readyBackMs) && !Number.isNaN(ingestBackMs)) break;
      await sleep(50);
    }
    await sleep(1000);
    const during = load.since(downAt);
    await load.stop();
    state.polling = false;
    await poller;
    const alive = server.child.exitCode === null && server.child.signalCode === null;
    const how = await stopGracefully(server);
    // During: from 1 s after the cut (requests already past the database may still finish) to
    // the return.
    const readyDuring = ready.filter((e) => e.at > downAt + 1000 && e.at < upAt);
    const readyDuring200 = readyDuring.filter((e) => e.status === 200).length;
    const rows = await pgAdmin(url, async (c) => {
      const r = await c.query<{ device_id: string; sequence: string }>(
        'SELECT device_id, sequence FROM vitals',
      );
      return r.rows;
    });
    const lost = missing(load.acked, rows);
    const acked = [...load.acked.values()].reduce((n, s) => n + s.size, 0);
    const fiveHundreds = [...during].filter(([s]) => s >= 500 && s !== 503).length;
    if (!alive) failures.push('the server process exited during the outage');
    if (readyDuring.length === 0 || readyDuring200 > 0)
      failures.push(`/ready answered 200 ${String(readyDuring200)} times during the outage`);
    if (fiveHundreds > 0) failures.push(`ingest answered a 5xx other than 503: ${fmt(during)}`);
    if (!(during.get(503) ?? 0)) failures.push('no 503 during the outage');
    if (!(readyBackMs <= 5000)) failures.push(`/ready not 200 within 5 s of the return`);
    if (!(ingestBackMs <= 5000)) failures.push(`ingest not accepting within 5 s of the return`);
    if (lost > 0) failures.push(`${String(lost)} acknowledged packets lost`);
    if (how !== '0') failures.push(`SIGTERM afterwards: exit ${how}`);
    Object.assign(figures, {
      outage: `${String(OUTAGE_S)} s`,
      'ingest answers from the cut': fmt(during),
      '/ready during': `503 ×${String(readyDuring.length - readyDuring200)}, 200 ×${String(readyDuring200)}`,
      'ready again': `${(readyBackMs / 1000).toFixed(1)} s`,
      'ingest again': `${(ingestBackMs / 1000).toFixed(1)} s`,
      acknowledged: acked,
      lost,
      'process restarted': 'no',
    });
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
    await stopGracefully(server);
  } finally {
    await dropPgDatabase(adminUrl, name);
  }
  finish({
    test,
    database: 'PostgreSQL',
    ok: failures.length === 0,
    figures,
    seconds: elapsed(),
    notes: failures,
  });
}

function startMosquitto(port: number, dir: string): ChildProcess {
  // Writable by the user Mosquitto drops to when started as root (its persistence file).
  chmodSync(dir, 0o777);
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${String(port)} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 100000',
      '',
    ].join('\n'),
  );
  return spawn('/usr/sbin/mosquitto', ['-c', conf], {
    stdio: process.env.RELIABILITY_VERBOSE === '1' ? 'inherit' : 'ignore',
  });
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((resolve) => p.once('exit', resolve));
  p.kill('SIGTERM');
  await exited;
}

async function mqttBroker(): Promise<never> {
  const test = 'external MQTT broker restart';
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-broker-'));
  const brokerDir = mkdtempSync(path.join(tmpdir(), 'vigil-mosquitto-'));
  const brokerPort = await freePort();
  let broker = startMosquitto(brokerPort, brokerDir);
  await sleep(500);
  const server = startServer({
    PORT: String(await freePort()),
    VIGIL_DATA_DIR: dir,
    MQTT_URL: `mqtt://127.0.0.1:${String(brokerPort)}`,
  });
  const figures: Record<string, string | number> = {};
  const acked = new Map<string, Set<number>>();
  try {
    await waitReady(server);
    const clinic = await setUpClinic(server.base, ['BRK-1', 'BRK-2']);
    const startMs = Date.now() - 3600_000;
    const state = { running: true };
    let publishFailures = 0;
    const loops = clinic.devices.map(async (d) => {
      const mine = new Set<number>();
      acked.set(d.deviceId, mine);
      let client: mqtt.MqttClient | undefined;
      let seq = 0;
      while (state.running) {
        try {
          client ??= await mqtt.connectAsync(
            `mqtt://127.0.0.1:${String(brokerPort)}`,
            {
              clientId: `${d.deviceId}-dev`,
              reconnectPeriod: 0,
              connectTimeout: 2000,
            },
            false,
          );
          const c = client;
          await Promise.race([
            c.publishAsync(
              `vigil/devices/${d.deviceId}/vitals`,
              ecgPacket(d.deviceId, seq, startMs),
              {
                qos: 1,
              },
            ),
            new Promise((_, reject) =>
              setTimeout(() => {
                reject(new Error('no PUBACK'));
              }, 3000),
            ),
          ]);
          mine.add(seq);
          seq++;
          await sleep(50);
        } catch {
          publishFailures++;
          client?.end(true);
          client = undefined;
          await sleep(200);
        }
      }
      client?.end(true);
    });
    await sleep(4000);
    await stopProcess(broker);
    const downAt = performance.now();
    await sleep(2000);
    broker = startMosquitto(brokerPort, brokerDir);
    const downS = (performance.now() - downAt) / 1000;
    await sleep(6000);
    state.running = false;
    await Promise.all(loops);
    const total = [...acked.values()].reduce((n, s) => n + s.size, 0);
    // Drain: what the broker acknowledged reaches Vigil within 15 s.
    const countStored = async (): Promise<number> => {
      const r = await fetch(`${server.base}/metrics`);
      const line = (await r.text())
        .split('\n')
        .find(
          (l) => l.startsWith('vigil_ingest_readings_total{') && l.includes('outcome="stored"'),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const drainStart = performance.now();
    while (performance.now() - drainStart < 15_000 && (await countStored()) < total)
      await sleep(250);
    const how = await stopGracefully(server);
    const db = new Database(path.join(dir, 'vigil.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT device_id, sequence FROM vitals').all() as {
      device_id: string;
      sequence: number;
    }[];
    db.close();
    const lost = missing(acked, rows);
    if (lost > 0) failures.push(`${String(lost)} packets acknowledged by the broker not stored`);
    if (how !== '0') failures.push(`SIGTERM afterwards: exit ${how}`);
    Object.assign(figures, {
      'broker down': `${downS.toFixed(1)} s (SIGTERM, restart)`,
      'acknowledged by the broker': total,
      stored: rows.length,
      lost,
      'publish retries': publishFailures,
    });
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
    await stopGracefully(server);
  } finally {
    await stopProcess(broker);
    rmSync(dir, { recursive: true, force: true });
    rmSync(brokerDir, { recursive: true, force: true });
  }
  finish({
    test,
    database: 'SQLite',
    ok: failures.length === 0,
    figures,
    seconds: elapsed(),
    notes: failures,
  });
}

async function diskFull(): Promise<never> {
  const test = 'SQLite disk full (20 MB tmpfs)';
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    finish({
      test,
      database: 'SQLite',
      ok: true,
      figures: {},
      seconds: elapsed(),
      notes: ['skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)'],
    });
  }
  const server = startServer({ PORT: String(await freePort()), VIGIL_DATA_DIR: dir });
  const figures: Record<string, string | number> = {};
  const filler = path.join(dir, 'filler');
  try {
    await waitReady(server);
    const clinic = await setUpClinic(server.base, ['DISK-1', 'DISK-2']);
    const load = httpLoad(server, clinic.devices, Date.now() - 3600_000);
    await sleep(2000);
    // Take every free byte.
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, block);
    } catch {
      // ENOSPC: full.
    }
    try {
      for (;;) writeSync(fd, block.subarray(0, 512));
    } catch {
      // Down to the last sector.
    }
    closeSync(fd);
    const fullAt = performance.now();
    await sleep(4000);
    const during = load.since(fullAt + 1000);
    rmSync(filler);
    const freedAt = performance.now();
    let backMs = Number.NaN;
    while (performance.now() - freedAt < 10_000) {
      if ([...load.since(freedAt)].some(([s]) => s >= 200 && s < 300)) {
        backMs = performance.now() - freedAt;
        break;
      }
      await sleep(50);
    }
    await sleep(1000);
    await load.stop();
    const alive = server.child.exitCode === null && server.child.signalCode === null;
    const how = await stopGracefully(server);
    const db = new Database(path.join(dir, 'vigil.sqlite'));
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const rows = db.prepare('SELECT device_id, sequence FROM vitals').all() as {
      device_id: string;
      sequence: number;
    }[];
    db.close();
    const lost = missing(load.acked, rows);
    const bad = [...during].filter(([s]) => s >= 500 && s !== 503 && s !== 507);
    if (!alive) failures.push('the server process exited when the disk filled');
    if (bad.length > 0 || during.size === 0)
      failures.push(`while full, ingest answered ${fmt(during)} (expected 503/507)`);
    if (integrity !== 'ok') failures.push(`integrity_check: ${integrity}`);
    if (!(backMs <= 5000)) failures.push('ingest not accepting within 5 s of freeing space');
    if (lost > 0) failures.push(`${String(lost)} acknowledged packets lost`);
    if (how !== '0') failures.push(`SIGTERM afterwards: exit ${how}`);
    if (failures.length > 0) log(server.output());
    Object.assign(figures, {
      'answers while full': fmt(during),
      integrity_check: integrity,
      'accepting again': `${(backMs / 1000).toFixed(1)} s after freeing`,
      acknowledged: [...load.acked.values()].reduce((n, s) => n + s.size, 0),
      lost,
    });
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
    await stopGracefully(server);
  } finally {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // Already unmounted.
    }
    rmSync(dir, { recursive: true, force: true });
  }
  finish({
    test,
    database: 'SQLite',
    ok: failures.length === 0,
    figures,
    seconds: elapsed(),
    notes: failures,
  });
}

log(`scenario ${scenario}`);
if (scenario === 'pg-outage') await pgOutage();
else if (scenario === 'mqtt-broker') await mqttBroker();
else if (scenario === 'disk-full') await diskFull();
else {
  process.stderr.write('usage: dependencies.ts pg-outage|mqtt-broker|disk-full\n');
  process.exit(2);
}
