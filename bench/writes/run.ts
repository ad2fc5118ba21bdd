/**
 * bench/writes: the database side of ingest alone. Replays the rows the ingest service writes per
 * packet (a `vitals` row with its 250-sample int16 ECG, its `predictions` row, the per-minute
 * rollup) through the real `VitalsRepository.writeUnits` — group commits of `--batch` packets
 * (default 16, about what `bench:ingest` sees at Vigil's maximum rate) from `--devices` devices
 * (default 32) — into two databases built the same way the server builds them (SQLite: WAL, the
 * durable dialect's fdatasync per commit, the checkpoint worker; or PostgreSQL schemas):
 *
 * - **baseline**: every migration plus the per-device `predictions_device_ts_idx` that migration
 *   006 dropped (reads find predictions through their packet), so the run shows what writing
 *   that index costs;
 * - **current**: every migration.
 *
 * (Both take the current schema: the repository writes today's columns, which an older schema
 * does not have.) `--baseline-page-size` compares SQLite page sizes alone instead: the baseline
 * gets the current schema without the extra index and that page size, the current one the
 * server's (`SQLITE_PAGE_SIZE`).
 *
 * Rounds alternate between the two so both see the same machine. Printed per packet: this
 * process's CPU time (all its threads: the commits on the main thread, the fdatasyncs on libuv's
 * pool, SQLite's checkpoint worker; PostgreSQL's own processes are not counted) and the wall
 * time, with the ratio current / baseline.
 *
 *   npm run bench:writes
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:writes
 *   npm run bench:writes -- --batch 4 --packets 20000 --rounds 6
 *   npm run bench:writes -- --baseline-page-size 4096
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTimeOrderedIdGenerator } from '../../packages/server/src/adapters/time-ordered-id.js';
import { createDatabase, type Database } from '../../packages/server/src/db/database.js';
import { migrateToLatest } from '../../packages/server/src/db/migrate.js';
import { migrations } from '../../packages/server/src/db/migrations/index.js';
import { encodeEcgInt16 } from '../../packages/server/src/repositories/ecg-codec.js';
import { createRepositories } from '../../packages/server/src/repositories/index.js';
import type { PacketWriteUnit } from '../../packages/server/src/repositories/vitals.repository.js';
import { benchPacketUnit } from '../common/packet-unit.js';

const { values } = parseArgs({
  options: {
    'baseline-page-size': { type: 'string' },
    batch: { type: 'string', default: '16' },
    devices: { type: 'string', default: '32' },
    packets: { type: 'string', default: '16000' },
    rounds: { type: 'string', default: '5' },
  },
});
const BATCH = Number(values.batch);
const DEVICES = Number(values.devices);
const PACKETS = Number(values.packets);
const ROUNDS = Number(values.rounds);
for (const [name, v] of Object.entries({ BATCH, DEVICES, PACKETS, ROUNDS }))
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name.toLowerCase()} must be an integer ≥ 1`);

const baselinePageSize =
  values['baseline-page-size'] === undefined ? undefined : Number(values['baseline-page-size']);
if (
  baselinePageSize !== undefined &&
  !(
    Number.isInteger(baselinePageSize) &&
    baselinePageSize >= 512 &&
    baselinePageSize <= 65536 &&
    (baselinePageSize & (baselinePageSize - 1)) === 0
  )
)
  throw new Error('--baseline-page-size: a power of two from 512 to 65536 (bytes)');

const databaseUrl = process.env.DATABASE_URL;
const dirs: string[] = [];

async function open(
  label: string,
  extraIndex: boolean,
  sqlitePageSize?: number,
): Promise<Database> {
  let database: Database;
  if (databaseUrl === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), `vigil-bench-writes-${label}-`));
    dirs.push(dir);
    database = await createDatabase({
      dataDir: dir,
      ...(sqlitePageSize === undefined ? {} : { sqlitePageSize }),
    });
  } else {
    database = await createDatabase({
      databaseUrl,
      pgSchema: `vigil_bench_writes_${label}_${randomBytes(4).toString('hex')}`,
      dropSchemaOnClose: true,
    });
  }
  await migrateToLatest(database.db as never, database.dialect, migrations);
  if (extraIndex)
    await database.db.schema
      .createIndex('predictions_device_ts_idx')
      .on('predictions')
      .columns(['device_id', 'ts'])
      .execute();
  const now = Date.now();
  await database.db
    .insertInto('users')
    .values({
      id: 'bench-patient',
      email: `${label}@bench.test`,
      name: 'Bench Patient',
      role: 'patient',
      password_hash: 'not-a-hash',
      doctor_id: null,
      health_profile: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (let d = 0; d < DEVICES; d++)
    await database.db
      .insertInto('devices')
      .values({
        id: `bench-device-${d}`,
        device_id: `ESP32-BENCH-${d}`,
        name: null,
        patient_id: 'bench-patient',
        owner_id: null,
        api_key_hash: `${label}-${d}`,
        api_key_prefix: 'bench',
        created_at: now,
        updated_at: now,
        last_seen_at: null,
      })
      .execute();
  return database;
}

// One second of a 72 bpm ECG-like wave at 250 Hz (its shape does not matter to the database, its
// size does), and prediction JSON of the size the risk model writes.
const ecg = encodeEcgInt16(
  Float64Array.from({ length: 250 }, (_, i) => Math.sin((2 * Math.PI * 1.2 * i) / 250) ** 15),
);
const arrhythmia = JSON.stringify({
  af_since: null,
  vt_run_beats: 0,
  longest_pause_ms: 880,
  veb_percent: 0,
  sveb_percent: 0.3,
  episodes: [],
  withheld: null,
});

function workload(startMs: number): PacketWriteUnit[][] {
  const newId = createTimeOrderedIdGenerator();
  const batches: PacketWriteUnit[][] = [];
  for (let k = 0; k < PACKETS; k += BATCH) {
    const units: PacketWriteUnit[] = [];
    for (let i = k; i < Math.min(k + BATCH, PACKETS); i++) {
      const deviceId = `ESP32-BENCH-${i % DEVICES}`;
      const ts = startMs + Math.floor(i / DEVICES) * 1000;
      const vitalsId = newId();
      units.push(
        benchPacketUnit({
          vitalsId,
          predictionId: newId(),
          deviceId,
          ts,
          sequence: Math.floor(i / DEVICES),
          ecg,
          arrhythmia,
        }),
      );
    }
    batches.push(units);
  }
  return batches;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const targets = [
  {
    label: 'baseline',
    database: await open('baseline', baselinePageSize === undefined, baselinePageSize),
    cpu: [] as number[],
    wall: [] as number[],
  },
  {
    label: 'current',
    database: await open('current', false),
    cpu: [] as number[],
    wall: [] as number[],
  },
];
const dataStart = Date.UTC(2026, 0, 1);
try {
  // Round 0 warms both up (statement caches, JIT) and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    const start = dataStart + round * Math.ceil(PACKETS / DEVICES) * 1000;
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const repo = createRepositories(t.database.db, t.database.dialect).vitals;
      const batches = workload(start);
      const c0 = cpuUs();
      const w0 = performance.now();
      for (const units of batches) await repo.writeUnits(units);
      if (round > 0) {
        t.cpu.push((cpuUs() - c0) / PACKETS);
        t.wall.push(((performance.now() - w0) * 1000) / PACKETS);
      }
    }
  }
} finally {
  for (const t of targets) await t.database.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const at = (i: number): number => s[i] ?? NaN;
  return s.length % 2 === 1 ? at(m) : (at(m - 1) + at(m)) / 2;
};
const [base, cur] = targets as [(typeof targets)[0], (typeof targets)[0]];
console.log(
  `bench/writes (${databaseUrl === undefined ? 'sqlite' : 'postgres'}): ${PACKETS} packets per round from ${DEVICES} devices, group commits of ${BATCH}, ${ROUNDS} rounds (medians; all rounds in brackets)`,
);
for (const t of targets)
  console.log(
    `${t.label.padEnd(9)} CPU ${median(t.cpu).toFixed(1).padStart(6)} µs/packet [${t.cpu.map((x) => x.toFixed(1)).join(' ')}]  wall ${median(t.wall).toFixed(1).padStart(6)} µs/packet [${t.wall.map((x) => x.toFixed(1)).join(' ')}]`,
  );
console.log(
  `current / baseline: CPU ${(median(cur.cpu) / median(base.cpu)).toFixed(2)}, wall ${(median(cur.wall) / median(base.wall)).toFixed(2)} (baseline = ${baselinePageSize === undefined ? 'the current schema plus predictions_device_ts_idx' : `the current schema on ${String(baselinePageSize)}-byte pages`})`,
);
