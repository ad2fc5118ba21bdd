/**
 * bench/reports: building a clinical report of 7 days of one packet a second
 * (604,800 packets, each with its prediction and, by default, a 1 s 250 Hz ECG chunk) for one
 * patient, among a second patient's packets of the same week. Measures, on the same data:
 *   - baseline: one plain `count(*)` of the patient's packets of the week (the cheapest query
 *     that touches every packet of the period);
 *   - the report's content (ReportsService.buildContent: every aggregate, trends, alerts,
 *     strips), and the whole `POST /api/v1/patients/{id}/reports` (content + insert + response);
 *   - the PDF of that report (`GET /api/v1/reports/{id}/pdf`);
 *   - the longest event-loop stall during the build (what an ingest request would wait) and the
 *     heap growth, sampled every 10 ms while building.
 * Target: build < 5 s with bounded memory.
 *
 *   npm run bench:reports                       # SQLite (temp file)
 *   npm run bench:reports -- --no-ecg           # packets without ECG (smaller table)
 *   npm run bench:reports -- --days 1           # one day only (quick look)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:reports
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { DB } from '../../packages/server/src/db/schema.js';
import { encodeEcgInt16 } from '../../packages/server/src/repositories/ecg-codec.js';
import { createBenchApp } from '../common/bench-app.js';

const daysArg = process.argv.indexOf('--days');
/** Days of data (default 7, the target; `--days 1` for a quick look). */
const DAYS = daysArg === -1 ? 7 : Number(process.argv[daysArg + 1]);
const PACKETS = DAYS * 86_400;
const BATCH = 1000;
/** Batches per commit: each commit is a durable (fsync'd) write on SQLite. */
const BATCHES_PER_COMMIT = 25;
const RUNS = 3;
const withEcg = !process.argv.includes('--no-ecg');

const bench = await createBenchApp('reports');
const { app, container } = bench;
const { services } = container;
const db = container.database.db;

try {
  const email = `bench-${randomBytes(3).toString('hex')}@example.test`;
  await services.auth.bootstrapAdmin(email, 'bench-password-1');
  const admin = await services.auth.login(email, 'bench-password-1');
  const adminActor = { id: admin.user.id, role: admin.user.role, email };
  const doctor = await services.users.create(adminActor, {
    email: `doc-${randomBytes(3).toString('hex')}@example.test`,
    name: 'Bench Doctor',
    password: 'bench-password-3',
    role: 'doctor',
  });
  const doctorActor = { id: doctor.id, role: 'doctor' as const, email: doctor.email };
  const patients = [];
  for (const name of ['Bench Patient', 'Other Patient'])
    patients.push(
      await services.users.create(doctorActor, {
        email: `pat-${randomBytes(3).toString('hex')}@example.test`,
        name,
        password: 'bench-password-2',
        role: 'patient',
      }),
    );
  const doctorLogin = await services.auth.login(doctor.email, 'bench-password-3');
  const headers = { authorization: `Bearer ${doctorLogin.access_token}` };

  const t0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - DAYS * 86_400_000;
  const ecg = encodeEcgInt16(
    Array.from({ length: 250 }, (_, k) => Math.sin((2 * Math.PI * 1.2 * k) / 250)),
  );
  const hrv = JSON.stringify({
    window_ms: 60_000,
    n_beats: 70,
    mean_nn_ms: 800,
    sdnn_ms: 45,
    rmssd_ms: 30,
    pnn50: 0.1,
  });
  const insertStart = performance.now();
  for (const [pi, patient] of patients.entries()) {
    const device = await services.devices.register(doctorActor, {
      device_id: `BENCH-${pi}-${randomBytes(3).toString('hex')}`,
      patient_id: patient.id,
    });
    for (let k = 0; k < PACKETS; k += BATCH * BATCHES_PER_COMMIT) {
      const vitals: Insertable<DB['vitals']>[] = [];
      const predictions: Insertable<DB['predictions']>[] = [];
      for (let i = k; i < Math.min(PACKETS, k + BATCH * BATCHES_PER_COMMIT); i++) {
        const ts = t0 + i * 1000;
        const id = `${pi}-${String(i).padStart(7, '0')}`;
        const hr = 60 + (i % 97);
        vitals.push({
          id,
          device_id: device.device_id,
          patient_id: patient.id,
          ts,
          sequence: i,
          received_at: ts,
          heart_rate_bpm: hr,
          spo2_percent: 90 + (i % 9),
          temperature_c: i % 60 === 0 ? 36.5 + (i % 30) / 10 : null,
          respiratory_rate: null,
          battery_percent: 80,
          lead_off: 0,
          ecg_sample_rate_hz: 250,
          ecg_n_samples: withEcg ? 250 : 0,
          ecg_scale_mv: withEcg ? ecg.scaleMv : null,
          ecg_samples: withEcg ? ecg.bytes : null,
          ecg_input: null,
          device_ts: null,
          window_ms: null,
          beat_timestamps_ms: null,
        });
        predictions.push({
          id: `p${id}`,
          vitals_id: id,
          device_id: device.device_id,
          patient_id: patient.id,
          ts,
          created_at: ts,
          risk_score: 0.1,
          risk_label: 'low',
          confidence: 0.9,
          model_version: 'bench',
          reasons: '[]',
          heart_rate_bpm: hr,
          heart_rate_source: 'ecg',
          qrs_duration_ms: 90,
          analysable: 1,
          quality_score: 0.9,
          hrv: i % 10 === 0 ? hrv : null,
          arrhythmia: JSON.stringify({
            af_since: i % 3600 < 300 ? ts - 1000 : null,
            vt_run_beats: 0,
            longest_pause_ms: 900 + (i % 500),
            veb_percent: 1,
            sveb_percent: 1,
            episodes: [],
            withheld: null,
          }),
        });
      }
      await db.transaction().execute(async (trx) => {
        for (let j = 0; j < vitals.length; j += BATCH) {
          await trx
            .insertInto('vitals')
            .values(vitals.slice(j, j + BATCH))
            .execute();
          await trx
            .insertInto('predictions')
            .values(predictions.slice(j, j + BATCH))
            .execute();
        }
      });
    }
  }
  // A few alerts with ECG around them (strips), like a week of a monitored patient.
  const [patient] = patients;
  if (patient === undefined) throw new Error('no patient');
  const deviceRow = await db
    .selectFrom('devices')
    .select('device_id')
    .where('patient_id', '=', patient.id)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('alerts')
    .values(
      Array.from({ length: 8 }, (_, j) => ({
        id: `bench-alert-${j}`,
        patient_id: patient.id,
        device_id: deviceRow.device_id,
        rule_kind: j % 2 === 0 ? 'hr_high' : 'af_onset',
        severity: 'warning',
        message: 'bench',
        value: null,
        opened_at: t0 + (j + 0.5) * 86_400_000,
        updated_at: t0 + (j + 0.5) * 86_400_000,
        cleared_at: t0 + (j + 0.5) * 86_400_000 + 60_000,
        cleared_by: 'rule',
        acknowledged_at: null,
        acknowledged_by: null,
        seen_by_patient_at: null,
      })),
    )
    .execute();
  if (container.database.dialect === 'sqlite') await sql`analyze`.execute(db);
  else await sql`analyze vitals; analyze predictions`.execute(db);
  console.log(
    `inserted ${2 * PACKETS} packets (2 patients × ${DAYS} days × 1/s, ECG ${withEcg ? 'on' : 'off'}) in ${((performance.now() - insertStart) / 1000).toFixed(1)} s on ${container.database.dialect}`,
  );

  const from = t0;
  const to = t0 + DAYS * 86_400_000;
  const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
    const s = performance.now();
    const r = await fn();
    return [performance.now() - s, r];
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

  const counts: number[] = [];
  const countCpus: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const cpu0 = process.cpuUsage();
    const [ms, n] = await time(() =>
      db
        .selectFrom('vitals')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('device_id', '=', deviceRow.device_id)
        .where('ts', '>=', from)
        .where('ts', '<', to)
        .where('patient_id', '=', patient.id)
        .executeTakeFirstOrThrow(),
    );
    if (Number(n.n) !== PACKETS) throw new Error(`count ${String(n.n)}`);
    counts.push(ms);
    const cpu = process.cpuUsage(cpu0);
    countCpus.push((cpu.user + cpu.system) / 1000);
  }

  const builds: number[] = [];
  const cpus: number[] = [];
  const posts: number[] = [];
  const stalls: number[] = [];
  const heaps: number[] = [];
  let reportId = '';
  for (let r = 0; r < RUNS; r++) {
    const heap0 = process.memoryUsage().heapUsed;
    let heapPeak = heap0;
    // A 10 ms tick: the longest gap between ticks is how long an ingest request would wait.
    let lastTick = performance.now();
    let stall = 0;
    const sampler = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - lastTick - 10);
      lastTick = now;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 10);
    const cpu0 = process.cpuUsage();
    const [ms, content] = await time(() => services.reports.buildContent(patient.id, from, to));
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    stall = Math.max(stall, performance.now() - lastTick - 10);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    if (content.packets !== PACKETS) throw new Error(`report saw ${content.packets} packets`);
    builds.push(ms);
    stalls.push(stall);
    cpus.push((cpu.user + cpu.system) / 1000);
    heaps.push((heapPeak - heap0) / 2 ** 20);
    const [postMs, res] = await time(() =>
      app.inject({
        method: 'POST',
        url: `/api/v1/patients/${patient.id}/reports`,
        headers,
        payload: { period_start: from, period_end: to },
      }),
    );
    if (res.statusCode !== 201) throw new Error(res.body);
    posts.push(postMs);
    reportId = res.json<{ id: string }>().id;
  }
  const pdfs: number[] = [];
  let pdfBytes = 0;
  for (let r = 0; r < RUNS; r++) {
    const [ms, res] = await time(() =>
      app.inject({ url: `/api/v1/reports/${reportId}/pdf`, headers }),
    );
    if (res.statusCode !== 200) throw new Error(res.body);
    pdfs.push(ms);
    pdfBytes = res.rawPayload.length;
  }
  const c = median(counts);
  const b = median(builds);
  console.log(`median of ${RUNS} runs, ${PACKETS} packets of the patient in the period:`);
  const cc = median(countCpus);
  const bc = median(cpus);
  console.log(
    `  baseline count(*) of the period        ${c.toFixed(0).padStart(6)} ms wall, ${cc.toFixed(0).padStart(6)} ms CPU`,
  );
  console.log(
    `  report content (buildContent)          ${b.toFixed(0).padStart(6)} ms wall, ${bc.toFixed(0).padStart(6)} ms CPU  (${(b / c).toFixed(1)}× the count's wall time, ${(bc / cc).toFixed(1)}× its CPU)`,
  );
  console.log(
    `  POST /patients/{id}/reports            ${median(posts).toFixed(0).padStart(6)} ms`,
  );
  console.log(
    `  GET /reports/{id}/pdf                  ${median(pdfs).toFixed(0).padStart(6)} ms  (${(pdfBytes / 1024).toFixed(0)} kB)`,
  );
  console.log(
    `  longest event-loop stall while building ${median(stalls).toFixed(0).padStart(5)} ms`,
  );
  console.log(
    `  heap growth while building              ${median(heaps).toFixed(1).padStart(5)} MB`,
  );
  console.log(
    `  target (${DAYS} days): build < 5000 ms → ${median(posts) < 5000 ? 'met' : 'NOT met'}`,
  );
} finally {
  await bench.close();
}
