/**
 * bench/storage: what the packet tables cost on disk and what a retention pass costs.
 *
 * 1. **Bytes per device-day**, ECG packed losslessly (ecg-codec.ts `packEcgCounts`, what the
 *    server stores) against raw int16 (the baseline, what it stored before packing), in the same
 *    run. `--devices` devices (default 4) each send `--hours` hours (default 1) of one packet a
 *    second, a 250 Hz, 1 s ECG chunk each, cut from real ECG: MIT-BIH records from
 *    `--mitdb` (default ../shared/data/mitdb; lead 0, resampled 360 → 250 Hz), a different record
 *    per device. Each packet's rows go through the real `VitalsRepository.writeUnits` (packet with
 *    its ECG, its prediction, the minute rollup) into a fresh database built as the server builds
 *    it; the database's growth (tables and indexes: SQLite `dbstat`, PostgreSQL
 *    `pg_total_relation_size` over the partitions) is scaled to a device-day. Also printed: the
 *    codec's CPU time per 1 s chunk.
 * 2. **A retention pass on a week of data**: `--retention-devices` devices (default 1,000), 8 days
 *    of packets every `--retention-interval-s` s (default 300; a packet has its ECG blob, its
 *    prediction and a rollup row), generated in SQL; then one `RetentionService` pass with a
 *    7-day retention, which expires the oldest day. On PostgreSQL, partitioned (migration 018:
 *    the day's partitions are dropped) against the schema before 018 (rows deleted in batches of
 *    1,000, the baseline) in the same run; on SQLite, rows deleted in batches.
 *
 *   npm run bench:storage
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:storage
 *   npm run bench:storage -- --hours 2 --retention-interval-s 60
 *   npm run bench:storage -- --skip-retention
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { resample } from '@vigil/signal';
import { readWfdbRecord } from '@vigil/signal/io';
import { ManualClock } from '../../packages/server/src/adapters/clock.js';
import { createTimeOrderedIdGenerator } from '../../packages/server/src/adapters/time-ordered-id.js';
import { createDatabase, type Database } from '../../packages/server/src/db/database.js';
import { migrateToLatest } from '../../packages/server/src/db/migrate.js';
import { migrations } from '../../packages/server/src/db/migrations/index.js';
import { DAY_MS, createDayPartitions } from '../../packages/server/src/db/partitions.js';
import {
  decodeEcgCounts,
  encodeEcgInt16,
  packEcgCounts,
} from '../../packages/server/src/repositories/ecg-codec.js';
import { createRepositories } from '../../packages/server/src/repositories/index.js';
import type { PacketWriteUnit } from '../../packages/server/src/repositories/vitals.repository.js';
import { MITDB_DS2 } from '../../packages/signal/src/tools/held-out-records.js';
import { benchHrv, benchPacketUnit, benchReasons } from '../common/packet-unit.js';
import { RetentionService } from '../../packages/server/src/services/retention.service.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '4' },
    hours: { type: 'string', default: '1' },
    mitdb: {
      type: 'string',
      default: path.resolve(import.meta.dirname, '../../../shared/data/mitdb'),
    },
    'retention-devices': { type: 'string', default: '1000' },
    'retention-interval-s': { type: 'string', default: '300' },
    'skip-retention': { type: 'boolean', default: false },
  },
});
const DEVICES = Number(values.devices);
const HOURS = Number(values.hours);
const R_DEVICES = Number(values['retention-devices']);
const R_INTERVAL_S = Number(values['retention-interval-s']);
for (const [name, v] of Object.entries({ DEVICES, HOURS, R_DEVICES, R_INTERVAL_S }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: an integer ≥ 1`);

const RECORDS = ['101', '106', '119', '208', '201', '203', '209', '215'].filter(
  (r) => !MITDB_DS2.has(r),
);

const databaseUrl = process.env.DATABASE_URL;
const dbName = databaseUrl === undefined ? 'sqlite' : 'postgres';
const dirs: string[] = [];

async function open(label: string, set = migrations): Promise<Database> {
  let database: Database;
  if (databaseUrl === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), `vigil-bench-storage-${label}-`));
    dirs.push(dir);
    database = await createDatabase({ dataDir: dir });
  } else {
    database = await createDatabase({
      databaseUrl,
      pgSchema: `vigil_bench_storage_${label}_${randomBytes(4).toString('hex')}`,
      dropSchemaOnClose: true,
    });
  }
  await migrateToLatest(database.db as never, database.dialect, set);
  return database;
}

async function addDevices(db: Kysely<unknown>, n: number): Promise<void> {
  await sql`insert into users (id, email, name, role, password_hash, created_at, updated_at)
    values ('bench-patient', 'p@bench.test', 'P', 'patient', 'h', 0, 0)`.execute(db);
  for (let k = 0; k < n; k += 500) {
    const rows = Array.from({ length: Math.min(500, n - k) }, (_, i) => k + i);
    await sql`insert into devices (id, device_id, name, api_key_hash, api_key_prefix, patient_id,
      owner_id, created_at, updated_at) values ${sql.join(
        rows.map(
          (d) =>
            sql`(${`bench-device-${d}`}, ${`ESP32-BENCH-${d}`}, null, ${`h-${d}`}, 'bench', 'bench-patient', null, 0, 0)`,
        ),
      )}`.execute(db);
  }
}

/** Bytes the packet tables and their indexes take (all partitions). */
async function packetBytes(database: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const db = database.db as unknown as Kysely<unknown>;
  for (const table of ['vitals', 'predictions', 'vitals_minute']) {
    if (database.dialect === 'sqlite') {
      // dbstat: every page of the table and of its indexes.
      const { rows } = await sql<{ bytes: number | string }>`
        select coalesce(sum(pgsize), 0) as bytes from dbstat
        where name in (select name from sqlite_master where tbl_name = ${table})`.execute(db);
      out[table] = Number(rows[0]?.bytes ?? 0);
    } else {
      const { rows } = await sql<{ bytes: number | string }>`
        select coalesce(sum(pg_total_relation_size(relid)), 0)::bigint as bytes
        from pg_partition_tree(${table}::regclass)`.execute(db);
      out[table] = Number(rows[0]?.bytes ?? 0);
    }
  }
  return out;
}

// ---------------------------------------------------------------- 1. bytes per device-day

async function loadEcg(): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const r of RECORDS.slice(0, DEVICES)) {
    const file = path.join(values.mitdb, r);
    if (!existsSync(`${file}.hea`)) throw new Error(`--mitdb: no ${file}.hea`);
    const rec = await readWfdbRecord(file);
    const lead = rec.signals[0]?.physical ?? new Float64Array();
    out.push(
      resample(
        lead.map((v) => (Number.isFinite(v) ? v : 0)),
        rec.fs,
        250,
      ),
    );
  }
  if (out.length < DEVICES) throw new Error(`--devices: at most ${String(RECORDS.length)}`);
  return out;
}

interface Chunk {
  scaleMv: number;
  raw: Uint8Array;
  packed: Uint8Array;
}

function chunksOf(ecg: Float64Array, seconds: number): Chunk[] {
  const out: Chunk[] = [];
  const perRecord = Math.floor(ecg.length / 250);
  for (let s = 0; s < seconds; s++) {
    const at = (s % perRecord) * 250;
    const enc = encodeEcgInt16(ecg.subarray(at, at + 250));
    out.push({ scaleMv: enc.scaleMv, raw: enc.bytes, packed: packEcgCounts(enc.bytes) });
  }
  return out;
}

async function bytesPerDeviceDay(): Promise<void> {
  const ecgs = await loadEcg();
  const seconds = HOURS * 3600;
  const perDevice = ecgs.map((e) => chunksOf(e, seconds));

  // Codec CPU time (this process, user + system) per chunk, over every chunk of the run: wall
  // time on a shared machine would count other processes' turns.
  const all = perDevice.flat();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t0 = cpu();
  for (const c of all) packEcgCounts(c.raw);
  const packUs = ((cpu() - t0) * 1000) / all.length;
  t0 = cpu();
  for (const c of all) decodeEcgCounts(c.packed);
  const unpackUs = ((cpu() - t0) * 1000) / all.length;
  // Baselines in the same run: quantising a chunk to int16, reading raw int16 back.
  const mv = Float64Array.from({ length: 250 }, (_, i) => Math.sin(i / 7));
  t0 = cpu();
  for (let i = 0; i < all.length; i++) encodeEcgInt16(mv);
  const quantUs = ((cpu() - t0) * 1000) / all.length;
  t0 = cpu();
  for (const c of all) decodeEcgCounts(c.raw);
  const rawReadUs = ((cpu() - t0) * 1000) / all.length;
  const rawBytes = all.reduce((n, c) => n + c.raw.byteLength, 0);
  const packedBytes = all.reduce((n, c) => n + c.packed.byteLength, 0);
  console.log(
    `ECG blobs: ${String(all.length)} chunks of 250 samples from MIT-BIH ${RECORDS.slice(0, DEVICES).join(', ')} (lead 0, 250 Hz): raw ${(rawBytes / all.length).toFixed(1)} B, packed ${(packedBytes / all.length).toFixed(1)} B a chunk (${((packedBytes * 8) / all.length / 250).toFixed(2)} bits a sample), packed / raw ${(packedBytes / rawBytes).toFixed(3)}`,
  );
  console.log(
    `  CPU a chunk: pack ${packUs.toFixed(1)} µs (quantising to int16, the step before: ${quantUs.toFixed(1)} µs), unpack ${unpackUs.toFixed(1)} µs (reading raw int16: ${rawReadUs.toFixed(1)} µs)`,
  );

  const results: { label: string; bytes: Record<string, number> }[] = [];
  for (const label of ['raw', 'packed'] as const) {
    const database = await open(label);
    try {
      await addDevices(database.db as unknown as Kysely<unknown>, DEVICES);
      const empty = await packetBytes(database);
      const repo = createRepositories(database.db, database.dialect).vitals;
      const newId = createTimeOrderedIdGenerator();
      const start = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      // Group commits of one second of every device, as ingest writes them.
      for (let s = 0; s < seconds; s += 4) {
        const units: PacketWriteUnit[] = [];
        for (let k = s; k < Math.min(seconds, s + 4); k++)
          for (let d = 0; d < DEVICES; d++) {
            const c = perDevice[d]?.[k];
            if (c === undefined) continue;
            const id = newId();
            const ts = start + k * 1000;
            const deviceId = `ESP32-BENCH-${String(d)}`;
            units.push(
              benchPacketUnit({
                vitalsId: id,
                predictionId: newId(),
                deviceId,
                ts,
                sequence: k,
                ecg: { bytes: label === 'raw' ? c.raw : c.packed, scaleMv: c.scaleMv },
                arrhythmia: null,
              }),
            );
          }
        await repo.writeUnits(units);
      }
      if (database.dialect === 'postgres')
        await sql`vacuum analyze`
          .execute(database.db as unknown as Kysely<unknown>)
          .catch(() => undefined);
      const full = await packetBytes(database);
      const scale = 24 / HOURS / DEVICES;
      const bytes = Object.fromEntries(
        Object.entries(full).map(([t, b]) => [t, (b - (empty[t] ?? 0)) * scale]),
      );
      results.push({ label, bytes });
    } finally {
      await database.close();
    }
  }
  const mb = (b: number): string => (b / 1e6).toFixed(1).padStart(7);
  console.log(
    `bytes per device-day (${dbName}; ${String(DEVICES)} devices × ${String(HOURS)} h at 1 packet/s, scaled × ${String(24 / HOURS)}; tables with their indexes, MB):`,
  );
  for (const r of results) {
    const total = Object.values(r.bytes).reduce((a, b) => a + b, 0);
    console.log(
      `  ${r.label.padEnd(7)} vitals ${mb(r.bytes.vitals ?? 0)}  predictions ${mb(r.bytes.predictions ?? 0)}  vitals_minute ${mb(r.bytes.vitals_minute ?? 0)}  total ${mb(total)}`,
    );
  }
  const [raw, packed] = results.map((r) => Object.values(r.bytes).reduce((a, b) => a + b, 0));
  const [rawV, packedV] = results.map((r) => r.bytes.vitals ?? 0);
  console.log(
    `  packed / raw: vitals ${((packedV ?? 0) / (rawV ?? 1)).toFixed(3)}, all packet tables ${((packed ?? 0) / (raw ?? 1)).toFixed(3)}`,
  );
}

// ---------------------------------------------------------------- 2. a retention pass

/**
 * Runs a statement, again after a pause when the database answers busy (SQLite: the checkpoint
 * worker's TRUNCATE checkpoint holds writers while it resets a WAL the bulk inserts grew).
 */
async function retrying(run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return;
    } catch (error) {
      if (attempt >= 20 || (error as { code?: string }).code !== 'DATABASE_UNAVAILABLE')
        throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** 8 days of packets, predictions and rollup rows for R_DEVICES devices, generated in SQL. */
async function fillWeek(database: Database, day0: number, blob: Uint8Array): Promise<number> {
  const db = database.db as unknown as Kysely<unknown>;
  const perDay = Math.floor(86_400 / R_INTERVAL_S);
  const n = 8 * perDay;
  const series = (name: string, last: number) =>
    database.dialect === 'postgres'
      ? sql`generate_series(0, ${sql.lit(last)}) as ${sql.ref(name)}(v)`
      : sql`(with recursive s(v) as (select 0 union all select v + 1 from s where v < ${sql.lit(last)}) select v from s) as ${sql.ref(name)}`;
  // One device at a time keeps each statement's memory small.
  for (let d = 0; d < R_DEVICES; d++) {
    const dev = `ESP32-BENCH-${String(d)}`;
    await retrying(() =>
      sql`insert into vitals (id, device_id, patient_id, ts, sequence, received_at,
        heart_rate_bpm, spo2_percent, temperature_c, ecg_sample_rate_hz, ecg_n_samples,
        ecg_scale_mv, ecg_samples)
      select ${`v${String(d)}-`} || k.v, ${dev}, 'bench-patient', ${sql.lit(day0)} + k.v * ${sql.lit(R_INTERVAL_S * 1000)},
        k.v, ${sql.lit(day0)} + k.v * ${sql.lit(R_INTERVAL_S * 1000)} + 40, 72, 97, 36.8, 250, 250, 0.0001, ${blob}
      from ${series('k', n - 1)}`.execute(db),
    );
    await retrying(() =>
      sql`insert into predictions (id, vitals_id, device_id, patient_id, ts, created_at,
        risk_score, risk_label, confidence, model_version, reasons, hrv)
      select ${`p${String(d)}-`} || k.v, ${`v${String(d)}-`} || k.v, ${dev}, 'bench-patient',
        ${sql.lit(day0)} + k.v * ${sql.lit(R_INTERVAL_S * 1000)}, ${sql.lit(day0)} + k.v * ${sql.lit(R_INTERVAL_S * 1000)} + 40,
        0.05, 'normal', 0.9, 'news2-ecg-1', ${benchReasons}, ${benchHrv}
      from ${series('k', n - 1)}`.execute(db),
    );
    await retrying(() =>
      sql`insert into vitals_minute (device_id, minute, packets, hr_n, hr_sum, spo2_n,
        spo2_sum, temp_n, temp_sum)
      select ${dev}, (${sql.lit(day0)} + k.v * ${sql.lit(R_INTERVAL_S * 1000)}) / 60000 * 60000, 1, 1, 72, 1, 97, 1, 36.8
      from ${series('k', n - 1)} where true
      on conflict do nothing`.execute(db),
    );
  }
  if (database.dialect === 'postgres') await sql`analyze`.execute(db);
  return n * R_DEVICES;
}

async function retentionPass(): Promise<void> {
  const ecg = (await loadEcg())[0] ?? new Float64Array(250);
  const blob = packEcgCounts(encodeEcgInt16(ecg.subarray(250, 500)).bytes);
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const day0 = today - 8 * DAY_MS;
  const before018 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '018'));
  const targets =
    databaseUrl === undefined
      ? [{ label: 'rows deleted (SQLite)', set: migrations, partitioned: false }]
      : [
          { label: 'rows deleted (before 018)', set: before018, partitioned: false },
          { label: 'day partitions dropped (018)', set: migrations, partitioned: true },
        ];
  console.log(
    `retention pass (${dbName}): ${String(R_DEVICES)} devices, 8 days of a packet every ${String(R_INTERVAL_S)} s (${String(Math.floor(86_400 / R_INTERVAL_S))} a device-day, each with its ECG blob of ${String(blob.byteLength)} B, prediction and rollup row), 7-day retention: the pass expires the oldest day`,
  );
  const times: number[] = [];
  for (const t of targets) {
    const database = await open(t.partitioned ? 'part' : 'rows', t.set);
    try {
      const db = database.db as unknown as Kysely<unknown>;
      await addDevices(db, R_DEVICES);
      if (t.partitioned)
        for (let d = 0; d < 8; d++) await createDayPartitions(db, day0 + d * DAY_MS);
      const f0 = performance.now();
      const rows = await fillWeek(database, day0, blob);
      const fillS = (performance.now() - f0) / 1000;
      // SQLite: the fill's WAL copied into the database first, so the pass does not meet the
      // checkpoint worker's TRUNCATE checkpoint of a WAL a pass never makes.
      if (database.dialect === 'sqlite')
        for (let i = 0; i < 300; i++) {
          const { rows: ck } = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`
            .execute(db)
            .catch(() => ({ rows: [{ busy: 1 }] }));
          if (ck[0]?.busy === 0) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
      const clock = new ManualClock(today);
      const service = new RetentionService(
        { retention: createRepositories(database.db, database.dialect).retention, clock },
        { days: 7 },
      );
      const p0 = performance.now();
      // A pass that meets a busy database (SQLite: the checkpoint worker resetting the WAL the
      // deletes grew) fails and is run again, as the hourly job would; the next pass carries on.
      let busy = 0;
      let report = await service.purge().catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'DATABASE_UNAVAILABLE') throw error;
        return undefined;
      });
      const deleted = { vitals: 0, predictions: 0, vitals_minute: 0 };
      while (report === undefined || !report.complete) {
        if (report !== undefined)
          for (const k of Object.keys(deleted) as (keyof typeof deleted)[])
            deleted[k] += report.deleted[k];
        busy++;
        if (busy > 100) throw new Error('retention pass: database busy 100 times');
        await new Promise((r) => setTimeout(r, 1000));
        report = await service.purge().catch((error: unknown) => {
          if ((error as { code?: string }).code !== 'DATABASE_UNAVAILABLE') throw error;
          return undefined;
        });
      }
      for (const k of Object.keys(deleted) as (keyof typeof deleted)[])
        report.deleted[k] += deleted[k];
      const passS = (performance.now() - p0) / 1000;
      times.push(passS);
      const { rows: left } = await sql<{ n: number }>`select count(*) as n from vitals`.execute(db);
      console.log(
        `  ${t.label.padEnd(30)} pass ${passS.toFixed(2).padStart(7)} s  (rows deleted: vitals ${String(report.deleted.vitals)}, predictions ${String(report.deleted.predictions)}, rollup ${String(report.deleted.vitals_minute)}; partitions dropped ${String(report.partitions)}; busy retries ${String(busy)}, 1 s each; packets ${String(rows)} → ${String(Number(left[0]?.n))}; filled in ${fillS.toFixed(0)} s)`,
      );
    } finally {
      await database.close();
    }
  }
  if (times.length === 2)
    console.log(
      `  partitioned / row deletes: ${((times[1] ?? 0) / (times[0] ?? 1)).toFixed(4)} of the pass time`,
    );
}

try {
  await bytesPerDeviceDay();
  if (!values['skip-retention']) await retentionPass();
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
