import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureEcg12 } from '@vigil/signal';
import type { Alert, Prediction } from '@vigil/protocol';
import { createEcg12Source } from '@vigil/sim';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { loadRecord, type Record12 } from './ecg12-stream.js';

/**
 * End to end (SQLite; PostgreSQL with DATABASE_URL): two simulated 12-lead devices (@vigil/sim's
 * createEcg12Source, 1 s packets in seed 004's batch shape) stream a record each, twice over
 * (20 s). The MI-labelled record — PTB-XL ecg_id 177, ASMI likelihood 100 — raises exactly one MI
 * alert with its criteria within 20 s of stream; the NORM-labelled one (CinC 2021 HR06006 =
 * PTB-XL ecg_id 6006, NORM 100) none. Honest note: 177 was chosen among the MI-labelled records
 * on which our interpretation finds MI (8 of the 24 with an MI label of likelihood 100 in PTB-XL
 * ecg_id 1–500; see packages/signal/src/io/fixtures/ptbxl/NOTICE), so this shows the live path,
 * not the detector's sensitivity. /api/mongo/vitals gives each stream's heart rate within 2 bpm
 * of the reference beats (the 12-lead beat fiducials of measureEcg12, a detector independent of
 * the single-lead one behind the alias).
 */
describe.each([
  // The interpretation on the main thread (ANALYSIS_WORKERS=0, the tests' default), and in the
  // device's analysis worker (off the event loop, as a server with workers runs it): same result.
  { workers: 0, where: 'main thread' },
  { workers: 1, where: 'analysis worker' },
])('real-time MI on 12-lead streams (interpretation on the $where)', ({ workers }) => {
  let t: TestApp;
  let doctor: TestUser;
  let miPatient: TestUser;
  let normPatient: TestUser;
  const mi = loadRecord('PTBXL00177');
  const norm = loadRecord('HR06006');
  const miDevice = { deviceId: 'ECG12-MI', key: '' };
  const normDevice = { deviceId: 'ECG12-NORM', key: '' };
  let startMs = 0;

  /** `seconds` packets of a simulated 12-lead sensor replaying `record` from `startMs`. */
  async function simulate(
    device: { deviceId: string; key: string },
    record: Record12,
    seconds: number,
  ): Promise<number[]> {
    const source = createEcg12Source({
      deviceId: device.deviceId,
      records: [record],
      startTimeMs: startMs,
    });
    const statuses: number[] = [];
    for (let i = 0; i < seconds; i++) {
      const packet = source.nextPacket();
      if (packet === null) throw new Error('the simulated sensor stopped');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': device.key },
        payload: packet,
      });
      statuses.push(res.statusCode);
    }
    return statuses;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { ANALYSIS_WORKERS: String(workers) } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    miPatient = await createPatient(t, doctor, 'MI patient');
    normPatient = await createPatient(t, doctor, 'Normal patient');
    miDevice.key = (
      await registerDevice(t, doctor, { deviceId: miDevice.deviceId, patientId: miPatient.user.id })
    ).api_key;
    normDevice.key = (
      await registerDevice(t, doctor, {
        deviceId: normDevice.deviceId,
        patientId: normPatient.user.id,
      })
    ).api_key;
    startMs = t.clock.now() - 120_000;
    // Each record twice in a row: 20 s of stream, two interpretations per device.
    const s1 = await simulate(miDevice, mi, 20);
    const s2 = await simulate(normDevice, norm, 20);
    expect([...s1, ...s2].every((s) => s === 201)).toBe(true);
    await t.container.services.alerts.idle();
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const alertsOf = async (patient: TestUser) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/alerts?patient_id=${patient.user.id}`,
        headers: doctor.headers,
      })
    ).json<{ items: Alert[] }>().items;

  it('the MI stream raises exactly one MI alert, with its criteria, within 20 s of stream', async () => {
    const mis = (await alertsOf(miPatient)).filter((a) => a.rule_kind === 'mi_12lead');
    expect(mis).toHaveLength(1);
    expect(mis[0]?.severity).toBe('critical');
    expect(mis[0]?.message).toMatch(/^MI: pathological Q\/QS in V2 \(\d+ ms\), V3 \(\d+ ms\)/);
    // The alias shows it too, as the seed's document.
    const seed = await t.app.inject({
      method: 'GET',
      url: `/api/alerts/patient/${miPatient.user.id}`,
      headers: doctor.headers,
    });
    expect(seed.json<{ type: string; message: string }[]>()).toContainEqual(
      expect.objectContaining({ type: 'mi_12lead', message: mis[0]?.message }),
    );
    // Opened by the first window (10 s of stream), and the second window updated, not duplicated.
    const predictions = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/predictions/${miDevice.deviceId}?limit=100`,
        headers: doctor.headers,
      })
    ).json<{ items: Prediction[] }>().items;
    const withMi = predictions
      .filter((p) => p.reasons.some((r) => r.code === 'MI_12LEAD'))
      .map((p) => p.timestamp - startMs)
      .sort((a, b) => a - b);
    expect(withMi).toEqual([9000, 19_000]);
  });

  it('the normal stream raises no MI alert and its windows say so', async () => {
    expect((await alertsOf(normPatient)).filter((a) => a.rule_kind === 'mi_12lead')).toEqual([]);
    const predictions = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/predictions/${normDevice.deviceId}?limit=100`,
        headers: doctor.headers,
      })
    ).json<{ items: Prediction[] }>().items;
    const said = predictions.flatMap((p) => p.reasons).filter((r) => r.code === 'ECG12_NO_MI');
    expect(said).toHaveLength(2);
    expect(said[0]?.text).toMatch(/no MI criteria \(top class NORM/);
  });

  it.each([
    ['MI', () => miPatient, mi],
    ['normal', () => normPatient, norm],
  ] as const)(
    '/api/mongo/vitals gives the %s stream heart rate within 2 bpm of the reference beats',
    async (label, patient, record) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/mongo/vitals?window=10&start=0&patient_id=${patient().user.id}`,
        headers: doctor.headers,
      });
      expect(res.statusCode).toBe(200);
      const v = res.json<{ heartRate: number; rrDistances: number[] }>();
      const beats = measureEcg12(record.leadsMv, {
        samplingRateHz: record.samplingRateHz,
      }).beatSamples;
      const first = beats[0] ?? 0;
      const last = beats[beats.length - 1] ?? 0;
      const referenceBpm = (60 * (beats.length - 1) * record.samplingRateHz) / (last - first);
      expect(Math.abs(v.heartRate - referenceBpm)).toBeLessThan(2);
      console.log(
        `${label} (${record.name}) /api/mongo/vitals ${v.heartRate} bpm, reference ${referenceBpm.toFixed(2)} bpm (${beats.length} beats)`,
      );
    },
  );

  it('a 3-lead stream is analysed for rhythm and says MI is not assessable from 3 leads', async () => {
    const three = { deviceId: 'ECG3', key: '' };
    three.key = (
      await registerDevice(t, doctor, { deviceId: three.deviceId, patientId: normPatient.user.id })
    ).api_key;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': three.key },
      payload: {
        device_id: three.deviceId,
        timestamp: startMs + 30_000,
        ecg_sample_rate_hz: 500,
        leads: {
          I: Array.from(norm.leadsMv[0]?.subarray(0, 1000) ?? []),
          II: Array.from(norm.leadsMv[1]?.subarray(0, 1000) ?? []),
          V5: Array.from(norm.leadsMv[10]?.subarray(0, 1000) ?? []),
        },
      },
    });
    expect(res.statusCode).toBe(201);
    const latest = await t.app.inject({
      method: 'GET',
      url: `/api/v1/predictions/${three.deviceId}/latest`,
      headers: doctor.headers,
    });
    const p = latest.json<Prediction>();
    expect(p.reasons).toContainEqual(
      expect.objectContaining({
        code: 'MI_NOT_ASSESSABLE',
        text: 'MI not assessable from 3 leads (12 needed)',
      }),
    );
  });
});
