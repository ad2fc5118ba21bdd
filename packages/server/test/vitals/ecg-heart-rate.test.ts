import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from './packets.js';

interface Agg {
  min: number | null;
  avg: number | null;
  max: number | null;
  count: number;
}
interface UploadItem {
  timestamp: number;
  prediction: { heart_rate_bpm: number | null; heart_rate_source: string | null } | null;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const round2 = (x: number) => Math.round(x * 100) / 100;

// The heart rate of an ECG packet is the device's heart_rate_bpm when it sent one, else the rate
// the ECG analysis measured for it. An ECG-only device (no pulse sensor) had heart rate only in
// its predictions, the report and FHIR: /series and /stats counted none (usertest4).
describe('the heart rate of an ECG packet, one rule in every output', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  let sendsRate: TestUser;
  const base = Date.UTC(2026, 11, 6, 23, 59, 30);
  const end = base + 40_000;
  /** The analysis's rate of each packet of the ECG-only device, by timestamp. */
  const rates = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, 'ECGONLY-HR');
    doctor = clinic.doctor;
    patient = clinic.patient;
    const res = await post(t, clinic.key, syntheticPackets('ECGONLY-HR', 72, 40, base));
    expect(res.statusCode).toBe(200);
    for (const item of res.json<{ items: UploadItem[] }>().items)
      if (item.prediction?.heart_rate_source === 'ecg' && item.prediction.heart_rate_bpm !== null)
        rates.set(item.timestamp, item.prediction.heart_rate_bpm);
    // The same ECG from a device that sends its own rate (61 bpm): its figures stay its own.
    sendsRate = await createPatient(t, doctor);
    const { api_key } = await registerDevice(t, doctor, {
      patientId: sendsRate.user.id,
      deviceId: 'SENDS-HR',
    });
    const own = syntheticPackets('SENDS-HR', 72, 40, base).map((p, i) => ({
      ...p,
      heart_rate_bpm: 61 + (i % 3),
    }));
    expect((await post(t, api_key, own)).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async <T>(url: string): Promise<T> => {
    const res = await t.app.inject({ url, headers: doctor.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };

  it('gives /series and /stats the rate measured from the ECG of each packet', async () => {
    const measured = [...rates.values()];
    expect(measured.length).toBeGreaterThan(20);
    const series = await get<{ buckets: { time: number; heart_rate_bpm: Agg }[] }>(
      `/api/v1/vitals/ECGONLY-HR/series?interval=1m&from=${base}&to=${end}`,
    );
    expect(series.buckets).toHaveLength(2); // midnight UTC cuts the 40 s
    for (const b of series.buckets) {
      const inBucket = [...rates].filter(([ts]) => ts >= b.time && ts < b.time + 60_000);
      const xs = inBucket.map(([, r]) => r);
      expect(b.heart_rate_bpm.count).toBe(xs.length);
      expect(b.heart_rate_bpm.min).toBe(Math.min(...xs));
      expect(b.heart_rate_bpm.max).toBe(Math.max(...xs));
      expect(b.heart_rate_bpm.avg).toBeCloseTo(round2(mean(xs)), 1);
    }
    // Cut inside a minute at both ends: the rollup's minutes and the raw edges.
    const stats = await get<{
      heart_rate_bpm: Agg;
      latest: { timestamp: number; heart_rate_bpm: number | null };
    }>(`/api/v1/vitals/ECGONLY-HR/stats?from=${base}&to=${end}`);
    expect(stats.heart_rate_bpm.count).toBe(measured.length);
    expect(stats.heart_rate_bpm.min).toBe(Math.min(...measured));
    expect(stats.heart_rate_bpm.max).toBe(Math.max(...measured));
    expect(stats.heart_rate_bpm.avg).toBeCloseTo(round2(mean(measured)), 1);
    expect(Math.abs((stats.heart_rate_bpm.avg ?? 0) - 72)).toBeLessThan(3);
    // The latest reading shows the same rate as its prediction.
    const latest = await get<{ timestamp: number; heart_rate_bpm: number | null }>(
      '/api/v1/vitals/ECGONLY-HR/latest',
    );
    expect(latest.heart_rate_bpm).toBe(rates.get(latest.timestamp) ?? null);
    expect(stats.latest.heart_rate_bpm).toBe(latest.heart_rate_bpm);
    // The patient's heart-rate history (devices and camera) lists the same packets' rates.
    const history = await get<{ observations: { ts: number; bpm: number; source: string }[] }>(
      `/api/v1/patients/${patient.user.id}/heart-rate?from=${base}&to=${end}`,
    );
    expect(history.observations).toHaveLength(measured.length);
    for (const o of history.observations) {
      expect(o.source).toBe('device');
      expect(o.bpm).toBe(rates.get(o.ts));
    }
  });

  it('gives the report and FHIR the same rates for the same packets', async () => {
    const measured = [...rates.values()];
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${patient.user.id}/reports`,
      headers: doctor.headers,
      payload: { period_start: base, period_end: end },
    });
    expect(res.statusCode, res.body).toBe(201);
    const hr = res.json<{ content: { heart_rate: { count: number; min: number; max: number } } }>()
      .content.heart_rate;
    expect(hr.count).toBe(measured.length);
    expect(hr.min).toBe(Math.min(...measured));
    expect(hr.max).toBe(Math.max(...measured));
    const bundle = await get<{
      total: number;
      entry: { resource: { effectiveDateTime: string; valueQuantity: { value: number } } }[];
    }>(`/fhir/R4/Observation?patient=${patient.user.id}&code=8867-4&_count=100`);
    expect(bundle.total).toBe(measured.length);
    for (const e of bundle.entry)
      expect(e.resource.valueQuantity.value).toBe(
        rates.get(Date.parse(e.resource.effectiveDateTime)),
      );
  });

  it('keeps the rate a device sends, where its ECG analysis measured another', async () => {
    const series = await get<{ buckets: { heart_rate_bpm: Agg }[] }>(
      `/api/v1/vitals/SENDS-HR/series?interval=1m&from=${base}&to=${end}`,
    );
    expect(series.buckets.map((b) => b.heart_rate_bpm)).toEqual([
      { min: 61, avg: 62, max: 63, count: 30 },
      { min: 61, avg: 61.9, max: 63, count: 10 },
    ]);
    const stats = await get<{ heart_rate_bpm: Agg; latest: { heart_rate_bpm: number } }>(
      `/api/v1/vitals/SENDS-HR/stats?from=${base}&to=${end}`,
    );
    expect(stats.heart_rate_bpm).toEqual({ min: 61, avg: 61.98, max: 63, count: 40 });
    expect(stats.latest.heart_rate_bpm).toBe(61 + (39 % 3));
    // The report too (it showed the ECG's 72 first): the device's figure is the one its
    // clinicians configured, and what seed 000 clients send and read back.
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${sendsRate.user.id}/reports`,
      headers: doctor.headers,
      payload: { period_start: base, period_end: end },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(
      res.json<{ content: { heart_rate: { count: number; min: number; max: number } } }>().content
        .heart_rate,
    ).toMatchObject({ count: 40, min: 61, max: 63 });
  });
});
