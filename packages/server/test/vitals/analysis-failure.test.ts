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
import { post, syntheticPackets } from './packets.js';

interface PredictionItem {
  timestamp: number;
  heart_rate_bpm: number | null;
  heart_rate_source: string | null;
  analysable: boolean | null;
  reasons: { code: string }[];
}

describe('a failing ECG analysis', () => {
  let t: TestApp;
  let doctor: TestUser;
  let key: string;
  const deviceId = 'ESP32-BROKEN-ANALYSIS';
  let failures = 0;

  beforeAll(async () => {
    // An analyser that breaks on its third packet, as a bug on some unusual signal would.
    t = await createTestApp({
      vitals: {
        analysisFactories: {
          createEcgAnalyzer: () => {
            let packets = 0;
            return {
              push: () => {
                packets++;
                if (packets >= 3) {
                  failures++;
                  throw new Error('analyser bug');
                }
                return {
                  fs: 250,
                  samplesSeen: packets * 250,
                  beats: [],
                  heartRateBpm: null,
                  qrsDurationMs: null,
                  hrv: null,
                  quality: { analysable: false, score: 0, reasons: ['too-short'] },
                };
              },
            };
          },
        },
      },
    });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor);
    key = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId })).api_key;
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores every packet and scores it on its vitals, with the reason, and analyses the next one afresh', async () => {
    const start = t.clock.now() - 60_000;
    const packets = syntheticPackets(deviceId, 70, 4, start, 7, { heart_rate_bpm: 71 });
    for (const p of packets) expect((await post(t, key, p)).statusCode).toBe(201);

    const vitals = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vitals/${deviceId}?limit=10`,
      headers: doctor.headers,
    });
    expect(vitals.json<{ items: unknown[] }>().items.length).toBe(4);
    const ecg = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vitals/${deviceId}/ecg?from=${start}&to=${start + 4000}`,
      headers: doctor.headers,
    });
    expect(
      ecg.json<{ segments: { samples_mv: number[] }[] }>().segments[0]?.samples_mv.length,
    ).toBe(1000);

    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/predictions/${deviceId}?limit=10`,
      headers: doctor.headers,
    });
    const items = res
      .json<{ items: PredictionItem[] }>()
      .items.sort((a, b) => a.timestamp - b.timestamp);
    expect(items.map((p) => p.reasons.some((r) => r.code === 'ANALYSIS_FAILED'))).toEqual([
      false,
      false,
      true,
      false,
    ]);
    // The failed packet is scored on the device's own heart rate, with no verdict on the signal.
    expect(items[2]).toMatchObject({
      heart_rate_bpm: 71,
      heart_rate_source: 'device',
      analysable: null,
    });
    // The packet after it went to a new analyser (its first packet, so it did not throw).
    expect(failures).toBe(1);
  });
});
