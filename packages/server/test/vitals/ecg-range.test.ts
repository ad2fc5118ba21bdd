import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post } from './packets.js';

describe('ECG samples outside the physical range', () => {
  let t: TestApp;
  let doctor: TestUser;
  let key: string;
  const deviceId = 'ESP32-RANGE';
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

  const wave = () =>
    Array.from({ length: 250 }, (_, i) => Math.round(Math.sin(i / 10) * 1e4) / 1e4);

  it.each([
    [-1e308, 'a huge negative'],
    [51, 'just above 50 mV'],
    [-50.001, 'just below -50 mV'],
  ])(
    'refuses a packet with one sample of %s mV (%s) with 400 naming ecg_samples[i]',
    async (bad) => {
      const samples = wave();
      samples[17] = bad;
      const res = await post(t, key, {
        device_id: deviceId,
        timestamp: start,
        ecg_samples: samples,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ecg_samples[17]' });
      expect(res.json<{ message: string }>().message).toMatch(/50 mV/);
      const batch = await post(t, key, [
        { device_id: deviceId, timestamp: start, ecg_samples: wave() },
        { device_id: deviceId, timestamp: start + 1000, ecg_samples: samples },
      ]);
      expect(batch.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: '[1].ecg_samples[17]',
      });
    },
  );

  it('stores a packet at the limit with its other samples intact', async () => {
    const samples = wave();
    samples[17] = -50;
    const res = await post(t, key, {
      device_id: deviceId,
      timestamp: start + 5000,
      ecg_samples: samples,
    });
    expect(res.statusCode).toBe(201);
    const from = start + 5000;
    const ecg = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/ecg?from=${String(from)}&to=${String(from + 1000)}`,
      headers: doctor.headers,
    });
    expect(ecg.statusCode).toBe(200);
    const stored =
      ecg.json<{ segments: { samples_mv: number[] }[] }>().segments[0]?.samples_mv ?? [];
    expect(stored).toHaveLength(250);
    expect(stored[17]).toBeCloseTo(-50, 2);
    // 50 mV over int16 leaves a resolution of about 1.5 µV: the small samples survive.
    for (let i = 0; i < samples.length; i++)
      if (i !== 17) expect(Math.abs((stored[i] ?? 0) - (samples[i] ?? 0))).toBeLessThan(2e-3);
  });
});
