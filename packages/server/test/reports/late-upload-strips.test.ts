import type { Alert, Report } from '@vigil/protocol';
import { ecgsyn } from '@vigil/signal';
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
import { post, toPackets } from '../vitals/packets.js';

/**
 * A device that uploads late (an ESP32 that buffered an hour offline, a back-filled batch): the
 * alert opens when the server analyses the data, an hour after the data's own time. The
 * report's ECG strip must be cut where the event is in the ECG (the alert's onset_at, the
 * analyser's time of the samples), not at the wall-clock time the alert opened, where no ECG
 * was stored. Runs on SQLite, and on PostgreSQL with DATABASE_URL.
 */
describe('an ECG event uploaded an hour late', () => {
  const FS = 250;
  const H = 3_600_000;
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  let deviceId: string;
  let start: number;
  let ecgMv: Float64Array;
  let alert: Alert;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    const dev = await registerDevice(t, doctor, { patientId: patient.user.id });
    deviceId = dev.device_id;
    // 60 s of synthetic AF (McSharry et al. 2003), the device's timestamps an hour behind the
    // server's clock, which does not move while it is uploaded.
    start = t.clock.now() - H;
    ecgMv = Float64Array.from(
      ecgsyn({ fs: FS, durationS: 60, heartRateBpm: 90, rhythm: 'af', seed: 3 }).ecgMv,
    );
    for (const p of toPackets(deviceId, ecgMv, FS, start))
      expect((await post(t, dev.api_key, p)).statusCode).toBe(201);
    await t.container.services.alerts.idle();
    const res = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patient.user.id}`,
      headers: doctor.headers,
    });
    const af = res.json<{ items: Alert[] }>().items.filter((a) => a.rule_kind === 'af_onset');
    expect(af).toHaveLength(1);
    alert = af[0] as Alert;
  });
  afterAll(async () => {
    await t.close();
  });

  async function report(from: number, to: number): Promise<Report> {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${patient.user.id}/reports`,
      headers: doctor.headers,
      payload: { period_start: from, period_end: to },
    });
    expect(res.statusCode).toBe(201);
    return res.json<Report>();
  }

  it('gives the alert the data time of the AF onset the analyser reported, beside its wall-clock opening', async () => {
    expect(alert.opened_at).toBe(t.clock.now());
    const preds = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}?limit=100`,
      headers: doctor.headers,
    });
    const afSince = preds
      .json<{ items: { arrhythmia: { af_since: number | null } | null }[] }>()
      .items.map((p) => p.arrhythmia?.af_since ?? null)
      .filter((x): x is number => x !== null);
    // The AF episode's start as the analyser reports it (one episode: one start).
    expect(new Set(afSince).size).toBe(1);
    expect(alert.onset_at).toBe(afSince[0]);
    expect(alert.onset_at).toBeGreaterThanOrEqual(start);
    expect(alert.onset_at).toBeLessThan(start + 60_000);
  });

  it('cuts the 10 s strip around the onset from the uploaded ECG', async () => {
    const r = await report(start - 10 * 60_000, t.clock.now() + 60_000);
    expect(r.content.no_data[`ecg_strip.${alert.id}`]).toBeUndefined();
    const strip = r.content.ecg_strips.find((s) => s.alert_id === alert.id);
    const onset = alert.onset_at ?? NaN;
    expect(strip?.start).toBe(onset - 5_000);
    expect(strip?.fs_hz).toBe(FS);
    const samples = strip?.samples_mv ?? [];
    expect(samples).toHaveLength(10 * FS);
    // Every slot holds the sample uploaded for that instant; slots before the upload's first
    // sample (an onset in the first 5 s) are empty. The 5 s from the onset are all there.
    const first = ((onset - 5_000 - start) * FS) / 1000;
    expect(Number.isInteger(first)).toBe(true);
    let filled = 0;
    samples.forEach((v, i) => {
      const k = first + i;
      if (k < 0 || k >= ecgMv.length) expect(v).toBeNull();
      else {
        expect(v).toBeCloseTo(ecgMv[k] ?? NaN, 2);
        filled++;
      }
    });
    expect(filled).toBeGreaterThanOrEqual(5 * FS);
  });

  it('lists the alert in a report over the hour of the data, not the hour it was uploaded in', async () => {
    const ofData = await report(start - 10 * 60_000, start + 10 * 60_000);
    expect(ofData.content.alerts.items.map((a) => a.id)).toContain(alert.id);
    expect(ofData.content.alerts.items.find((a) => a.id === alert.id)?.onset_at).toBe(
      alert.onset_at,
    );
    expect(ofData.content.ecg_strips.map((s) => s.alert_id)).toContain(alert.id);
    const ofUpload = await report(t.clock.now() - 10 * 60_000, t.clock.now() + 60_000);
    expect(ofUpload.content.alerts.items.map((a) => a.id)).not.toContain(alert.id);
  });
});
