/**
 * bench/mqtt: how fast one Vigil instance (SQLite) ingests MQTT messages from an external broker
 * through one persistent session (MQTT_URL alone, the baseline) and through partition sessions
 * (MQTT_PARTITION_SESSIONS: 32 partitions × MQTT_SESSIONS_PER_PARTITION sessions), measured in
 * the same run on the same machine.
 *
 * A session takes its next message only once the previous one is stored (mqtt.js reads the next
 * PUBLISH after the PUBACK, which follows storage), so one session ingests one message per
 * ingest latency, however many devices publish. Each phase: a fresh server, `--devices` devices
 * registered, then every device publishes `--packets` 1 s ECG packets (QoS 1) at once, a backlog
 * as a fleet's reconnection or a slow moment leaves; timed from the first publish until every
 * message is stored (polled in the server's SQLite file), or until none more is stored for 10 s:
 * the broker drops what a session's queue cannot hold (Mosquitto's `max_queued_messages`, 1000
 * by default, counts per session), and those are reported as never stored.
 *
 *   npm run bench:mqtt [-- --devices 200 --packets 20 --sessions 4 --url mqtt://127.0.0.1:1883]
 *
 * Needs a broker that accepts anonymous clients at --url (the machine's Mosquitto).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import {
  ecgPacket,
  freePort,
  setUpClinic,
  sleep,
  startServer,
  stopGracefully,
  waitReady,
} from '../../packages/server/test/reliability/harness.js';
import { discardPartitionSessions } from '../../packages/server/src/transports/mqtt/partition-sessions.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '200' },
    packets: { type: 'string', default: '20' },
    sessions: { type: 'string', default: '4' },
    url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    'limit-s': { type: 'string', default: '300' },
  },
});
const DEVICES = Number(values.devices);
const PACKETS = Number(values.packets);
const SESSIONS = Number(values.sessions);
const URL = values.url;
const LIMIT_MS = Number(values['limit-s']) * 1000;
/** No message stored for this long: the rest never comes. */
const QUIET_MS = 10_000;
if (![DEVICES, PACKETS, SESSIONS].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--devices, --packets and --sessions must be positive integers');

interface Phase {
  name: string;
  messages: number;
  stored: number;
  seconds: number;
  perSecond: number;
  peakRssMb: number;
}

async function phase(name: string, env: Record<string, string>): Promise<Phase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-mqtt-'));
  const server = startServer({
    PORT: String(await freePort()),
    VIGIL_DATA_DIR: dir,
    MQTT_URL: URL,
    ...env,
  });
  try {
    await waitReady(server, 90_000);
    const run = randomBytes(3).toString('hex');
    const ids = Array.from({ length: DEVICES }, (_, i) => `BM-${run}-${String(i)}`);
    await setUpClinic(server.base, ids);
    // Registered devices are subscribed in their sessions on the registration's notice.
    await sleep(2000);
    const db = new Database(path.join(dir, 'vigil.sqlite'), { readonly: true });
    const stored = (): number =>
      (db.prepare('select count(*) as n from vitals').get() as { n: number }).n;
    const publisher = await mqtt.connectAsync(URL, { clientId: `bench-mqtt-${run}` });
    const startMs = Math.floor(Date.now() / 1000) * 1000 - PACKETS * 1000;
    const t0 = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let s = 0; s < PACKETS; s++)
      for (const id of ids)
        sends.push(
          publisher.publishAsync(`vigil/devices/${id}/vitals`, ecgPacket(id, s, startMs), {
            qos: 1,
          }),
        );
    await Promise.all(sends);
    const total = DEVICES * PACKETS;
    // Until every message is stored, or none more for QUIET_MS (a broker drops what a session's
    // queue cannot hold: Mosquitto's max_queued_messages, 1000 by default, per session).
    let n = 0;
    let lastGrowth = performance.now();
    while (
      n < total &&
      performance.now() - lastGrowth < QUIET_MS &&
      performance.now() - t0 < LIMIT_MS
    ) {
      await sleep(50);
      const now = stored();
      if (now > n) {
        n = now;
        lastGrowth = performance.now();
      }
    }
    const seconds = (lastGrowth - t0) / 1000;
    await publisher.endAsync();
    db.close();
    return {
      name,
      messages: total,
      stored: n,
      seconds,
      perSecond: n / seconds,
      peakRssMb: server.peakRssMb(),
    };
  } finally {
    await stopGracefully(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

const one = `bench-one-${randomBytes(3).toString('hex')}`;
const base = `bench-ps-${randomBytes(3).toString('hex')}`;
const results: Phase[] = [];
try {
  results.push(await phase('one session (MQTT_URL)', { MQTT_CLIENT_ID: one }));
  results.push(
    await phase(`partition sessions (32 × ${String(SESSIONS)})`, {
      MQTT_PARTITION_SESSIONS: base,
      MQTT_SESSIONS_PER_PARTITION: String(SESSIONS),
    }),
  );
} finally {
  // The sessions outlive the servers on the broker: a clean connection under each id discards them.
  const c = await mqtt
    .connectAsync(
      URL,
      { clientId: one, clean: true, reconnectPeriod: 0, connectTimeout: 2000 },
      false,
    )
    .catch(() => undefined);
  await c?.endAsync();
  await discardPartitionSessions(URL, base, SESSIONS);
}

process.stdout.write(
  `\nMQTT ingest through an external broker, one instance (SQLite), ${String(DEVICES)} devices × ${String(PACKETS)} packets published at once\n\n` +
    '| sessions | messages | stored | never stored | seconds to the last | stored per s | peak RSS MB |\n|---|---|---|---|---|---|---|\n' +
    results
      .map(
        (r) =>
          `| ${r.name} | ${String(r.messages)} | ${String(r.stored)} | ${String(r.messages - r.stored)} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(0)} | ${r.peakRssMb.toFixed(0)} |`,
      )
      .join('\n') +
    '\n',
);
const [a, b] = results;
if (a !== undefined && b !== undefined)
  process.stdout.write(
    `\nratio (partition sessions / one session): ${(b.perSecond / a.perSecond).toFixed(2)}×\n`,
  );
