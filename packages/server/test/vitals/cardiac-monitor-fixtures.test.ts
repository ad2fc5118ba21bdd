import { readFileSync } from 'node:fs';
import { resample } from '@vigil/signal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { firmwarePayload } from '@vigil/sim';

/** The cardiac-monitor backend's own test fixtures (MIT; see fixtures/cardiac-monitor/NOTICE). */
const dir = new URL('../fixtures/cardiac-monitor/', import.meta.url);
const garbage = JSON.parse(readFileSync(new URL('device_garbage.json', dir), 'utf8')) as {
  windows: { ecg_samples: number[]; sample_rate_hz: number }[];
};
const ptbxl = JSON.parse(readFileSync(new URL('ptbxl_lead2_1617.json', dir), 'utf8')) as {
  samples_250hz: number[];
};

interface Answer {
  prediction: {
    heart_rate_bpm: number | null;
    heart_rate_source: string | null;
    analysable: boolean | null;
    risk_label: string;
    reasons: { code: string }[];
  } | null;
}

async function upload(t: TestApp, key: string, json: string): Promise<Answer> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    payload: json,
  });
  expect(res.statusCode).toBe(201);
  return res.json<Answer>();
}

describe("the cardiac-monitor backend's fixtures through Vigil", () => {
  let t: TestApp;
  let doctor: TestUser;
  let key: string;
  let ptbKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ doctor, key } = await createMonitoredPatient(t, 'CardiacMon-GARBAGE'));
    ({ key: ptbKey } = await createMonitoredPatient(t, 'CardiacMon-PTBXL'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('device_garbage.json (8 windows of an ESP32 with no electrodes): no heart rate, not analysable, no clinical alert, for every window', async () => {
    expect(garbage.windows).toHaveLength(8);
    // The windows were recorded at different times: each is its own stream (a minute apart, so
    // the analysis starts afresh), as the cardiac-monitor backend judges each window alone.
    const startS = Math.floor(t.clock.now() / 1000) - 1200;
    const seen: Answer[] = [];
    for (const [i, w] of garbage.windows.entries()) {
      seen.push(
        await upload(
          t,
          key,
          firmwarePayload({
            deviceId: 'CardiacMon-GARBAGE',
            timestampS: startS + 60 * i,
            sampleRateHz: w.sample_rate_hz,
            heartRateBpm: 0,
            spo2Percent: 0,
            leadOff: false,
            ecgCounts: w.ecg_samples,
            beatTimestampsMs: [],
          }),
        ),
      );
    }
    for (const [i, a] of seen.entries()) {
      expect(a.prediction, `window ${String(i)}`).toMatchObject({
        heart_rate_bpm: null,
        analysable: false,
      });
    }
    const alerts = await t.app.inject({ url: '/api/v1/alerts', headers: doctor.headers });
    // The only alert is the technical one that says so (poor_signal, info), none clinical.
    const kinds = alerts.json<{ items: { rule_kind: string; severity: string }[] }>().items;
    expect(kinds.map((a) => [a.rule_kind, a.severity])).toEqual([['poor_signal', 'info']]);
  });

  it.each([250, 100])(
    'the PTB-XL lead II record 1617 (NORM) gives its heart rate from the ECG at %i Hz',
    async (fs) => {
      // Reference: 10 R peaks (samples above 2200 counts that are local maxima) 231 to 254
      // samples apart at 250 Hz: 60 / (mean RR 245.2 samples / 250 Hz) = 61.2 bpm.
      const x = Float64Array.from(ptbxl.samples_250hz);
      const peaks: number[] = [];
      for (let i = 1; i < x.length - 1; i++)
        if ((x[i] ?? 0) > 2200 && (x[i] ?? 0) >= (x[i - 1] ?? 0) && (x[i] ?? 0) > (x[i + 1] ?? 0))
          peaks.push(i);
      const ref = (60 * 250 * (peaks.length - 1)) / ((peaks.at(-1) ?? 0) - (peaks[0] ?? 0));
      expect(peaks).toHaveLength(10);
      const counts = fs === 250 ? x : resample(x, 250, fs);
      const a = await upload(
        t,
        ptbKey,
        firmwarePayload({
          deviceId: 'CardiacMon-PTBXL',
          timestampS: Math.floor(t.clock.now() / 1000) - (fs === 250 ? 300 : 100),
          sampleRateHz: fs,
          heartRateBpm: 0,
          spo2Percent: 0,
          leadOff: false,
          ecgCounts: Array.from(counts, (v) => Math.min(4095, Math.max(0, Math.round(v)))),
          beatTimestampsMs: [],
        }),
      );
      console.log(
        `PTB-XL 1617 at ${String(fs)} Hz: HR ${String(a.prediction?.heart_rate_bpm)} vs reference ${ref.toFixed(1)}`,
      );
      expect(a.prediction?.analysable).toBe(true);
      expect(a.prediction?.heart_rate_source).toBe('ecg');
      expect(Math.abs((a.prediction?.heart_rate_bpm ?? 0) - ref)).toBeLessThanOrEqual(2);
    },
  );
});
