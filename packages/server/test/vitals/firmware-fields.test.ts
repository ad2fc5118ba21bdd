import { ecgsyn } from '@vigil/signal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, toPackets } from './packets.js';

interface PredictionItem {
  timestamp: number;
  heart_rate_bpm: number | null;
  heart_rate_source: string | null;
  reasons: { code: string }[];
}

/** What the ESP32 firmware of seed 000 sends: `sample_rate_hz`, and 0 for an idle oximeter. */
describe('ESP32 firmware fields (seed 000)', () => {
  let t: TestApp;
  let doctor: TestUser;
  let key: string;
  const deviceId = 'ESP32-FW100';
  let start: number;

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, deviceId);
    ({ doctor, key } = clinic);
    start = t.clock.now() - 10 * 60_000;
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads sample_rate_hz as the ECG rate: a 60 bpm stream at 100 Hz gives 60 bpm from the ECG', async () => {
    const fs = 100;
    const { ecgMv } = ecgsyn({ fs, durationS: 30, heartRateBpm: 60, heartRateStdBpm: 1, seed: 3 });
    const packets = toPackets(deviceId, ecgMv, fs, start).map(
      ({ ecg_sample_rate_hz: _omitted, ...p }) => ({ ...p, sample_rate_hz: fs }),
    );
    for (const p of packets) expect((await post(t, key, p)).statusCode).toBe(201);
    const page = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}?limit=100&from=${start}`,
      headers: doctor.headers,
    });
    const preds = page.json<{ items: PredictionItem[] }>().items;
    const fromEcg = preds.filter((p) => p.timestamp - start >= 15_000);
    expect(fromEcg.length).toBeGreaterThanOrEqual(10);
    for (const p of fromEcg) {
      expect(p.heart_rate_source).toBe('ecg');
      expect(Math.abs((p.heart_rate_bpm ?? 0) - 60)).toBeLessThanOrEqual(3);
      expect(p.reasons.map((r) => r.code)).not.toContain('HR_HIGH');
    }
    const vitals = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(vitals.json()).toMatchObject({ ecg_sample_rate_hz: 100 });
  });

  it('refuses sample_rate_hz that contradicts ecg_sample_rate_hz, naming the field', async () => {
    const res = await post(t, key, {
      device_id: deviceId,
      timestamp: start + 100_000,
      ecg_samples: [0.1, 0.2],
      ecg_sample_rate_hz: 250,
      sample_rate_hz: 100,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'sample_rate_hz' });
    const same = await post(t, key, {
      device_id: deviceId,
      timestamp: start + 101_000,
      ecg_samples: [0.1, 0.2],
      ecg_sample_rate_hz: 100,
      sample_rate_hz: 100,
    });
    expect(same.statusCode).toBe(201);
  });

  it('stores heart_rate_bpm 0 and spo2_percent 0 (oximeter off) as no reading', async () => {
    const ts = start + 200_000;
    const res = await post(t, key, {
      device_id: deviceId,
      timestamp: ts,
      ecg_samples: [0.1, 0.2, 0.1],
      sample_rate_hz: 100,
      heart_rate_bpm: 0,
      spo2_percent: 0,
    });
    expect(res.statusCode).toBe(201);
    const vitals = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(vitals.json()).toMatchObject({
      timestamp: ts,
      heart_rate_bpm: null,
      spo2_percent: null,
    });
  });
});
