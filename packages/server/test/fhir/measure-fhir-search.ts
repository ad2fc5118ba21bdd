/**
 * Measures Observation searches on one day of one-second packets of one patient (86,400 packets,
 * 5 Observations each: 432,000), written straight through the vitals repository:
 *   npx tsx --conditions=vigil-source packages/server/test/fhir/measure-fhir-search.ts
 * (DATABASE_URL=postgres://… for PostgreSQL). Prints the time of a first page, of the page after
 * following 20 next links, and of a one-hour date window, each with `_count=100`; and the first
 * page without its total (`_total=none`).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { VitalsTable } from '../../src/db/pipeline-schema.js';
import { encodeEcgInt16 } from '../../src/repositories/ecg-codec.js';
import { createDoctor, createPatient, createTestApp, registerDevice } from '../helpers/index.js';

const PACKETS = Number(process.env.FHIR_MEASURE_PACKETS ?? 86_400);
const t = await createTestApp();
try {
  const doctor = await createDoctor(t);
  const patient = await createPatient(t, doctor);
  const device = await registerDevice(t, doctor, { patientId: patient.user.id });
  const start = Math.floor(t.clock.now() / 86_400_000) * 86_400_000 - 86_400_000;
  const ecg = encodeEcgInt16(Array.from({ length: 250 }, (_, i) => Math.sin(i / 10)));
  for (let k = 0; k < PACKETS; k += 2000) {
    const rows: VitalsTable[] = [];
    for (let i = k; i < Math.min(PACKETS, k + 2000); i++)
      rows.push({
        id: randomUUID(),
        device_id: device.device_id,
        patient_id: patient.user.id,
        ts: start + i * 1000,
        sequence: i,
        received_at: start + i * 1000 + 50,
        heart_rate_bpm: 70,
        spo2_percent: 97,
        temperature_c: 36.6,
        respiratory_rate: 16,
        battery_percent: null,
        lead_off: 0,
        ecg_sample_rate_hz: 250,
        ecg_n_samples: 250,
        ecg_scale_mv: ecg.scaleMv,
        ecg_samples: ecg.bytes,
        ecg_input: null,
        device_ts: null,
        window_ms: null,
        beat_timestamps_ms: null,
      });
    await t.container.repositories.vitals.writeUnits([{ vitals: rows, predictions: [] }]);
  }
  // Planner statistics of the freshly loaded table, as autovacuum would gather them.
  if (process.env.DATABASE_URL !== undefined)
    await sql`analyze vitals`.execute(t.container.database.db);
  const timed = async (url: string) => {
    const t0 = performance.now();
    const res = await t.app.inject({ url, headers: doctor.headers });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    const body = res.json<{
      total: number;
      entry?: unknown[];
      link: { relation: string; url: string }[];
    }>();
    return { ms, body };
  };
  const base = `/fhir/R4/Observation?patient=${patient.user.id}&_count=100`;
  const first = await timed(base);
  let page = first;
  let nextMs = 0;
  for (let i = 0; i < 20; i++) {
    const next = page.body.link.find((l) => l.relation === 'next')?.url ?? '';
    const u = new URL(next);
    page = await timed(u.pathname + u.search);
    nextMs = page.ms;
  }
  const hour = new Date(start + 12 * 3_600_000).toISOString();
  const window = await timed(
    `${base}&code=8867-4&date=ge${hour}&date=lt${new Date(start + 13 * 3_600_000).toISOString()}`,
  );
  const uncounted = await timed(`${base}&_total=none`);
  const db = process.env.DATABASE_URL === undefined ? 'SQLite' : 'PostgreSQL';
  process.stdout.write(
    `| ${db} | ${PACKETS} packets (${first.body.total} Observations) | first page ${first.ms.toFixed(0)} ms (${uncounted.ms.toFixed(0)} ms with _total=none) | 21st page ${nextMs.toFixed(0)} ms | 1 h heart-rate window (total ${window.body.total}) ${window.ms.toFixed(0)} ms |\n`,
  );
} finally {
  await t.close();
}
