import type { BabyReading } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BabyReadingsTable } from '../../src/db/pipeline-schema.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

const MINUTE_MS = 60_000;
/** One monitor every 5 s: 1,100 readings are 92 minutes, more than the dashboard's old 1,000. */
const BUSY_READINGS = 1100;
const BUSY_PERIOD_MS = 5000;

/**
 * `GET /api/v1/readings/latest`: each visible baby's newest reading, however old. The dashboard's
 * patient list used to take the newest 1,000 readings of everyone, so a baby whose monitor last
 * reported 2 h ago, among babies whose monitors kept sending, showed no reading at all.
 */
describe('the latest baby monitor reading of each patient', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;
  let otherDoctor: TestUser;
  let quiet: TestUser;
  let busy: TestUser;
  let otherBaby: TestUser;
  let quietReading: BabyReading;
  let busyReading: BabyReading;
  let otherReading: BabyReading;

  const upload = async (by: TestUser, patient: TestUser, temperature: number) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: by.headers,
      payload: { patient_id: patient.user.id, temperature, humidity: 48 },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<BabyReading>();
  };
  const latest = (by: TestUser, query = '') =>
    t.app.inject({ url: `/api/v1/readings/latest${query}`, headers: by.headers });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Nursery');
    otherDoctor = await createDoctor(t, admin, 'Dr Elsewhere');
    quiet = await createPatient(t, doctor, 'Quiet Baby');
    busy = await createPatient(t, doctor, 'Busy Baby');
    otherBaby = await createPatient(t, otherDoctor, 'Other Baby');
    await createPatient(t, doctor, 'Baby Without Monitor');

    const now = t.clock.now();
    t.clock.set(now - 2 * 60 * MINUTE_MS);
    quietReading = await upload(doctor, quiet, 38.9);
    t.clock.set(now - 30 * MINUTE_MS);
    otherReading = await upload(otherDoctor, otherBaby, 36.6);
    // The busy monitor's history, written directly: 1,100 uploads through HTTP only make the
    // test slower, and the read under test does not care how a row arrived.
    const rows: BabyReadingsTable[] = Array.from({ length: BUSY_READINGS }, (_, i) => ({
      id: `busy-${String(i).padStart(5, '0')}`,
      patient_id: busy.user.id,
      device_id: null,
      uploaded_by: doctor.user.id,
      ts: now - (BUSY_READINGS - i) * BUSY_PERIOD_MS,
      temperature_c: 36.5,
      humidity_percent: 50,
      notes: null,
      cry_detected: 0,
      cry_probability: null,
      cry_source: null,
      sick_detected: 0,
      audio: null,
      audio_content_type: null,
      upload_key: null,
      device_cry_detected: null,
      device_cry_probability: null,
      audio_cry_probability: null,
      mqtt_payload_sha256: null,
      mqtt_received_at: null,
    }));
    for (let i = 0; i < rows.length; i += 100)
      await t.container.database.db
        .insertInto('baby_readings')
        .values(rows.slice(i, i + 100))
        .execute();
    t.clock.set(now);
    busyReading = await upload(doctor, busy, 37.1);
  });

  afterAll(async () => {
    await t.close();
  });

  it("finds a quiet baby's 2-hour-old reading that the newest 1,000 readings of the clinic miss", async () => {
    const newest = await t.app.inject({
      url: '/api/v1/readings?limit=1000',
      headers: doctor.headers,
    });
    expect(newest.json<BabyReading[]>().some((r) => r.patient_id === quiet.user.id)).toBe(false);

    const res = await latest(doctor);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<BabyReading[]>();
    expect(body.map((r) => [r.patient_id, r.id, r.temperature, r.created_at])).toEqual([
      [busy.user.id, busyReading.id, 37.1, busyReading.created_at],
      [quiet.user.id, quietReading.id, 38.9, quietReading.created_at],
    ]);
    expect(body[1]).toEqual(quietReading);
  });

  it("does not show a doctor another doctor's patient, and a patient only themself", async () => {
    const other = await latest(otherDoctor);
    expect(other.statusCode, other.body).toBe(200);
    expect(other.json<BabyReading[]>().map((r) => r.id)).toEqual([otherReading.id]);

    const self = await latest(quiet);
    expect(self.json<BabyReading[]>().map((r) => r.id)).toEqual([quietReading.id]);
  });

  it('shows an admin every baby, newest first, and at most `limit` of them', async () => {
    const all = await latest(admin);
    expect(all.json<BabyReading[]>().map((r) => r.id)).toEqual([
      busyReading.id,
      otherReading.id,
      quietReading.id,
    ]);
    const two = await latest(admin, '?limit=2');
    expect(two.json<BabyReading[]>().map((r) => r.id)).toEqual([busyReading.id, otherReading.id]);
  });

  it('refuses a limit outside 1–1000, naming it, and a caller without a token', async () => {
    for (const q of ['?limit=0', '?limit=1001', '?limit=many']) {
      const res = await latest(admin, q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json(), q).toMatchObject({ field: 'limit' });
    }
    const anonymous = await t.app.inject({ url: '/api/v1/readings/latest' });
    expect(anonymous.statusCode).toBe(401);
  });
});
