/**
 * bench/series: a 24-hour day of one device at 1 packet/s (86,400 packets), then the
 * `GET /api/v1/vitals/{id}/series` hourly (24 buckets) and minute (1,440 buckets) queries, and
 * `GET /api/v1/vitals/{id}/stats` over the day (a range that cuts a minute at both ends, so the
 * rollup and the raw edges are both exercised), through the real app (`inject`, so routing, auth,
 * validation and serialisation are included). Target: each series query < 50 ms. Baseline measured in the same run: `GET /health` through the same app
 * (the fixed cost of a request). The same day again from an ECG-only device (no `heart_rate_bpm`
 * in its packets, the rate in each packet's prediction, source `ecg`), measured in the same run
 * against the same baseline.
 *
 *   npx tsx --conditions=vigil-source bench/series/run.ts                 # SQLite (temp file)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx --conditions=vigil-source bench/series/run.ts
 *   npm run bench:series -- --days 30     # a month: stats and hourly series only (the minute
 *                                         # series is capped at 10,000 buckets per request)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../packages/server/src/adapters/clock.js';
import { createArgon2Hasher } from '../../packages/server/src/adapters/password-hasher.js';
import { buildApp } from '../../packages/server/src/app.js';
import { createContainer } from '../../packages/server/src/composition.js';
import { loadConfig } from '../../packages/server/src/config/env.js';
import type {
  PredictionsTable,
  VitalsTable,
} from '../../packages/server/src/db/pipeline-schema.js';

const daysArg = process.argv.indexOf('--days');
const DAYS = daysArg < 0 ? 1 : Number(process.argv[daysArg + 1]);
if (!Number.isInteger(DAYS) || DAYS < 1 || DAYS > 60) throw new Error('--days: 1 to 60');
const PACKETS = 86_400 * DAYS;
const RUNS = 30;

const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-series-'));
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: randomBytes(32).toString('hex'),
  MQTT_PORT: '0',
  VIGIL_DATA_DIR: dataDir,
  DATABASE_URL: process.env.DATABASE_URL,
});
const day = Date.UTC(2026, 0, 1);
const clock = new ManualClock(day + PACKETS * 1000);
const container = await createContainer(config, {
  clock,
  passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
  vitals: { silentSweepMs: 0 },
  ...(config.databaseUrl === undefined
    ? {}
    : {
        database: {
          pgSchema: `vigil_bench_${randomBytes(4).toString('hex')}`,
          dropSchemaOnClose: true,
        },
      }),
});
const app = await buildApp({ ...container, plugins: [] });
const { services } = container;

try {
  const email = `bench-${randomBytes(3).toString('hex')}@example.test`;
  await services.auth.bootstrapAdmin(email, 'bench-password-1');
  const admin = await services.auth.login(email, 'bench-password-1');
  const actor = { id: admin.user.id, role: admin.user.role, email };
  const device = await services.devices.register(actor, { device_id: 'BENCH-SERIES' });
  const ecgOnly = await services.devices.register(actor, { device_id: 'BENCH-SERIES-ECG' });
  const headers = { authorization: `Bearer ${admin.access_token}` };

  // Rows straight through the repository's group-commit writer (the query is what is measured;
  // bench/ingest measures the ingest path). HR/SpO2/temperature vary over the day; the ECG-only
  // device's packets carry no heart rate, each one's prediction carries it.
  const hrAt = (k: number) => 60 + 20 * Math.sin(k / 3600) + (k % 7);
  const t0 = performance.now();
  const batch = 2000;
  for (const [deviceId, ecg] of [
    [device.device_id, false],
    [ecgOnly.device_id, true],
  ] as const)
    for (let i = 0; i < PACKETS; i += batch) {
      const rows: VitalsTable[] = [];
      const predictions: PredictionsTable[] = [];
      for (let k = i; k < Math.min(PACKETS, i + batch); k++) {
        const id = `${ecg ? 'e' : ''}${k}`;
        const ts = day + k * 1000;
        if (ecg)
          predictions.push({
            id: `p${id}`,
            vitals_id: id,
            device_id: deviceId,
            patient_id: null,
            ts,
            created_at: ts,
            risk_score: 0,
            risk_label: 'normal',
            confidence: 1,
            model_version: 'bench',
            reasons: '[]',
            heart_rate_bpm: hrAt(k),
            heart_rate_source: 'ecg',
            qrs_duration_ms: null,
            analysable: 1,
            quality_score: null,
            hrv: null,
            arrhythmia: null,
          });
        rows.push({
          id,
          device_id: deviceId,
          patient_id: null,
          ts,
          sequence: k,
          received_at: ts,
          heart_rate_bpm: ecg ? null : hrAt(k),
          spo2_percent: 95 + (k % 5),
          temperature_c: 36.5 + 0.5 * Math.sin(k / 7200),
          respiratory_rate: null,
          battery_percent: 100 - k / 1000,
          lead_off: 0,
          ecg_sample_rate_hz: 250,
          ecg_n_samples: 0,
          ecg_scale_mv: null,
          ecg_samples: null,
          ecg_input: null,
          device_ts: null,
          window_ms: null,
          beat_timestamps_ms: null,
        });
      }
      await container.repositories.vitals.writeUnits([{ vitals: rows, predictions }]);
    }
  const insertMs = performance.now() - t0;

  const time = async (
    url: string,
  ): Promise<{ p50: number; p95: number; buckets: number | null }> => {
    const ms: number[] = [];
    let buckets: number | null = null;
    for (let r = 0; r < RUNS + 3; r++) {
      const s = performance.now();
      const res = await app.inject({ url, headers });
      const e = performance.now() - s;
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      if (r >= 3) ms.push(e); // 3 warm-up runs
      buckets = res.json<{ buckets?: unknown[] }>().buckets?.length ?? null;
    }
    ms.sort((a, b) => a - b);
    return {
      p50: ms[Math.floor(ms.length / 2)] ?? NaN,
      p95: ms[Math.floor(ms.length * 0.95)] ?? NaN,
      buckets,
    };
  };

  const range = `from=${day}&to=${day + PACKETS * 1000}`;
  // Starts 30.5 s into the first minute and ends 20.5 s before the last one ends.
  const cut = `from=${day + 30_500}&to=${day + PACKETS * 1000 - 20_500}`;
  const base = await time('/health');
  const queries = async (deviceId: string) => ({
    hourly: await time(`/api/v1/vitals/${deviceId}/series?interval=1h&${range}`),
    minute:
      DAYS <= 6 ? await time(`/api/v1/vitals/${deviceId}/series?interval=1m&${range}`) : undefined,
    stats: await time(`/api/v1/vitals/${deviceId}/stats?${cut}`),
  });
  const own = await queries(device.device_id);
  const measured = await queries(ecgOnly.device_id);
  const fmt = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `database: ${container.database.dialect}; ${2 * PACKETS} packets (2 devices) inserted in ${(insertMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `query (${RUNS} runs each)                    p50 ms   p95 ms  buckets  p50 / baseline`,
  );
  console.log(
    `baseline GET /health                       ${fmt(base.p50)}  ${fmt(base.p95)}        -        1.0`,
  );
  const span = DAYS === 1 ? '24 h' : `${DAYS} d`;
  for (const [who, r] of [
    ['device rate', own],
    ['ECG-only', measured],
  ] as const)
    for (const [name, q] of [
      [`series interval=1h (${span})`, r.hourly],
      [`series interval=1m (${span})`, r.minute],
      [`stats (${span}, minutes cut)`, r.stats],
    ] as const) {
      if (q === undefined) continue;
      console.log(
        `${`${who}: ${name}`.padEnd(41)}  ${fmt(q.p50)}  ${fmt(q.p95)}  ${String(q.buckets ?? '-').padStart(7)}  ${(q.p50 / base.p50).toFixed(1).padStart(9)}`,
      );
    }
  const worst = Math.max(...[own, measured].flatMap((r) => [r.hourly.p50, r.minute?.p50 ?? 0]));
  console.log(`target (series): < 50 ms -> ${worst < 50 ? 'met' : 'NOT met'} (p50)`);
} finally {
  await app.close();
  await container.close();
  rmSync(dataDir, { recursive: true, force: true });
}
