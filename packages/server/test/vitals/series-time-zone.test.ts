import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, type Packet } from './packets.js';

/**
 * Day buckets for a clinic's own day. Before: `/series` had no time zone, so a 1d bucket was a
 * UTC day and a Paris patient's 00:30 reading was counted on the day before (23:30 UTC).
 */
describe('vitals series in a time zone', () => {
  let t: TestApp;
  let doctor: TestUser;
  const deviceId = 'ESP32-TZ';
  // CET (+1) until 2026-03-29 01:00 UTC, then CEST (+2): the 29th is 23 hours long in Paris.
  const stamps = [
    ['2026-03-28T22:30:00Z', 60], // Paris 23:30 on the 28th
    ['2026-03-28T23:30:00Z', 70], // Paris 00:30 on the 29th
    ['2026-03-29T21:30:00Z', 90], // Paris 23:30 on the 29th
    ['2026-03-29T22:30:00Z', 100], // Paris 00:30 on the 30th
  ] as const;
  const from = Date.parse('2026-03-27T00:00:00Z');
  const to = Date.parse('2026-03-31T00:00:00Z');

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set(Date.parse('2026-04-01T00:00:00Z'));
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Paris');
    const patient = await createPatient(t, doctor);
    const key = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId })).api_key;
    const packets: Packet[] = stamps.map(([iso, hr], i) => ({
      device_id: deviceId,
      timestamp: Date.parse(iso),
      sequence: i,
      ecg_samples: Array.from({ length: 250 }, (_, j) => Math.round(Math.sin(j / 4) * 1e4) / 1e4),
      heart_rate_bpm: hr,
    }));
    const res = await post(t, key, packets);
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const series = (query: string) =>
    t.app.inject({
      url: `/api/v1/vitals/${deviceId}/series?interval=1d&from=${from}&to=${to}${query}`,
      headers: doctor.headers,
    });
  type Body = {
    tz?: string;
    buckets: { time: number; packets: number; heart_rate_bpm: { avg: number | null } }[];
  };

  it("buckets by the clinic's local days with tz, the DST day 23 hours long", async () => {
    const res = await series('&tz=Europe/Paris');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Body>();
    expect(body.tz).toBe('Europe/Paris');
    expect(
      body.buckets.map((b) => [new Date(b.time).toISOString(), b.packets, b.heart_rate_bpm.avg]),
    ).toEqual([
      ['2026-03-27T23:00:00.000Z', 1, 60],
      ['2026-03-28T23:00:00.000Z', 2, 80],
      ['2026-03-29T22:00:00.000Z', 1, 100],
    ]);
  });

  it('keeps UTC days without tz, as before', async () => {
    const res = await series('');
    expect(res.statusCode, res.body).toBe(200);
    expect(
      res.json<Body>().buckets.map((b) => [new Date(b.time).toISOString(), b.packets]),
    ).toEqual([
      ['2026-03-28T00:00:00.000Z', 2],
      ['2026-03-29T00:00:00.000Z', 2],
    ]);
  });

  it('refuses a time zone it does not know, naming tz', async () => {
    const res = await series('&tz=Europe/Atlantis');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'tz' });
  });
});
