import { resample } from '@vigil/signal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { FIRMWARE_COUNTS_PER_MV, firmwareCounts, firmwarePayload } from '@vigil/sim';
import { createFirmwareSource } from '@vigil/sim';
import { loadMitdb101, referenceHr } from '../fixtures/mitdb-101.js';

const { ecgMv: ecg250, beatsMs } = loadMitdb101();

interface UploadAnswer {
  id: string;
  device_id: string;
  timestamp: number;
  timestamp_unsynced: boolean;
  prediction: {
    risk_score: number;
    risk_label: string;
    confidence: number;
    heart_rate_bpm: number | null;
    heart_rate_source: string | null;
    analysable: boolean | null;
  } | null;
}

async function postRaw(t: TestApp, key: string, json: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    payload: json,
  });
}

describe('the cardiac-monitor ESP32 firmware payload (data_sender.cpp), replayed byte for byte', () => {
  let t: TestApp;
  let doctor: TestUser;
  let key: string;
  const deviceId = 'CardiacMon-A1B2';
  let startS: number;

  beforeAll(async () => {
    t = await createTestApp();
    ({ doctor, key } = await createMonitoredPatient(t, deviceId));
    startS = Math.floor(t.clock.now() / 1000) - 3600;
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([250, 100])(
    'answers 201 with the prediction the firmware reads, and the ECG heart rate within 2 bpm of the MIT-BIH 101 annotations, at %i Hz',
    async (fs) => {
      const ecg = fs === 250 ? ecg250 : resample(ecg250, 250, fs);
      const counts = firmwareCounts(ecg, fs);
      const perWindow = fs * 10;
      expect(counts.length).toBe(6 * perWindow);
      const t0 = startS + (fs === 250 ? 0 : 600);
      const errors: number[] = [];
      let lastRate: number | null = null;
      for (let k = 0; k < 6; k++) {
        const window = counts.slice(k * perWindow, (k + 1) * perWindow);
        expect(window.length).toBe(fs === 250 ? 2500 : 1000);
        const json = firmwarePayload({
          deviceId,
          timestampS: t0 + 10 * k,
          sampleRateHz: fs,
          heartRateBpm: 0,
          spo2Percent: 0,
          leadOff: false,
          ecgCounts: window,
          beatTimestampsMs: [],
        });
        if (k === 0)
          expect(json.slice(0, 130)).toBe(
            `{"device_id":"${deviceId}","timestamp":${String(t0)},"window_ms":10000,"sample_rate_hz":${String(fs)},"heart_rate_bpm":0,"spo2_percent":0,"ecg_lead_off":false,"ecg_samples":[`.slice(
              0,
              130,
            ),
          );
        const res = await postRaw(t, key, json);
        expect(res.statusCode).toBe(201);
        const body = res.json<UploadAnswer>();
        expect(body).toMatchObject({ device_id: deviceId, timestamp: (t0 + 10 * k) * 1000 });
        expect(body.timestamp_unsynced).toBe(false);
        const p = body.prediction;
        if (p === null) throw new Error(`window ${String(k)} has no prediction`);
        expect(typeof p.risk_score).toBe('number');
        expect(typeof p.confidence).toBe('number');
        expect(['normal', 'low', 'moderate', 'elevated', 'high']).toContain(p.risk_label);
        expect(p.heart_rate_source).toBe('ecg');
        const ref = referenceHr(beatsMs, k * 10_000, (k + 1) * 10_000);
        errors.push(Math.abs((p.heart_rate_bpm ?? 0) - ref));
        lastRate = p.heart_rate_bpm;
      }
      console.log(
        `firmware replay ${String(fs)} Hz: |HR - ref| per window`,
        errors.map((e) => e.toFixed(2)),
      );
      for (const e of errors) expect(e).toBeLessThanOrEqual(2);
      const latest = await t.app.inject({
        url: `/api/v1/vitals/${deviceId}/latest`,
        headers: doctor.headers,
      });
      // The firmware's 0 is "no rate" (stored null): the packet's heart rate is the one its
      // ECG analysis measured, as in every output (docs/api.md).
      expect(lastRate).not.toBeNull();
      expect(latest.json()).toMatchObject({
        ecg_sample_rate_hz: fs,
        ecg_n_samples: perWindow,
        heart_rate_bpm: lastRate,
        spo2_percent: null,
        lead_off: false,
        window_ms: 10000,
        beat_timestamps_ms: [],
        ecg_input: 'ad8232-esp32-12bit',
      });
    },
  );

  it('converts the counts to mV once, at the edge: the stored ECG is (count - 2048) / 1365 mV', async () => {
    const { api_key: k2 } = await registerDevice(t, doctor, {
      deviceId: 'CardiacMon-PRESET',
      ecgInput: { preset: 'ad8232-esp32-12bit' },
    });
    const counts = firmwareCounts(ecg250.subarray(0, 2500), 250);
    const ts = startS + 1200;
    const res = await postRaw(
      t,
      k2,
      firmwarePayload({
        deviceId: 'CardiacMon-PRESET',
        timestampS: ts,
        sampleRateHz: 250,
        heartRateBpm: 71.43,
        spo2Percent: 97,
        leadOff: false,
        ecgCounts: counts,
        beatTimestampsMs: [231, 1100, 1975],
      }),
    );
    expect(res.statusCode).toBe(201);
    const ecg = await t.app.inject({
      url: `/api/v1/vitals/CardiacMon-PRESET/ecg?from=${String(ts * 1000)}&to=${String(ts * 1000 + 10_000)}`,
      headers: doctor.headers,
    });
    const seg = ecg.json<{ segments: { samples_mv: number[] }[] }>().segments[0];
    expect(seg?.samples_mv.length).toBe(2500);
    let worst = 0;
    counts.forEach((c, i) => {
      worst = Math.max(
        worst,
        Math.abs((seg?.samples_mv[i] ?? NaN) - (c - 2048) / FIRMWARE_COUNTS_PER_MV),
      );
    });
    expect(worst).toBeLessThan(0.001);
    const latest = await t.app.inject({
      url: '/api/v1/vitals/CardiacMon-PRESET/latest',
      headers: doctor.headers,
    });
    expect(latest.json()).toMatchObject({
      heart_rate_bpm: 71.4,
      spo2_percent: 97,
      beat_timestamps_ms: [231, 1100, 1975],
      ecg_input: 'ad8232-esp32-12bit',
    });
  });

  it('a retried upload gets the prediction of its first delivery', async () => {
    const json = firmwarePayload({
      deviceId,
      timestampS: startS + 1800,
      sampleRateHz: 250,
      heartRateBpm: 0,
      spo2Percent: 0,
      leadOff: false,
      ecgCounts: firmwareCounts(ecg250.subarray(0, 2500), 250),
      beatTimestampsMs: [],
    });
    const first = await postRaw(t, key, json);
    const again = await postRaw(t, key, json);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(first.json<UploadAnswer>().prediction).not.toBeNull();
  });

  it('maps ecg_lead_off to lead-off: no heart rate from the ECG, not analysable', async () => {
    const ts = startS + 2400;
    const res = await postRaw(
      t,
      key,
      firmwarePayload({
        deviceId,
        timestampS: ts,
        sampleRateHz: 250,
        heartRateBpm: 0,
        spo2Percent: 0,
        leadOff: true,
        ecgCounts: Array.from({ length: 2500 }, () => 0),
        beatTimestampsMs: [],
      }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json<UploadAnswer>().prediction).toMatchObject({
      heart_rate_bpm: null,
      analysable: false,
    });
    const latest = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(latest.json()).toMatchObject({ timestamp: ts * 1000, lead_off: true });
  });

  it.each([
    ['seconds since boot (no NTP yet)', 42],
    ['a clock two days ahead', 'future'],
  ])(
    'stores a window stamped with %s at the receive time, flagged, instead of refusing it',
    async (_label, stamp) => {
      const sent =
        stamp === 'future' ? Math.floor(t.clock.now() / 1000) + 2 * 86_400 : (stamp as number);
      t.clock.advance(20_000);
      const now = t.clock.now();
      const json = firmwarePayload({
        deviceId,
        timestampS: sent,
        sampleRateHz: 250,
        heartRateBpm: 0,
        spo2Percent: 0,
        leadOff: false,
        ecgCounts: firmwareCounts(ecg250.subarray(2500, 5000), 250),
        beatTimestampsMs: [],
      });
      const res = await postRaw(t, key, json);
      expect(res.statusCode).toBe(201);
      expect(res.json<UploadAnswer>()).toMatchObject({ timestamp: now, timestamp_unsynced: true });
      expect(res.json<UploadAnswer>().prediction).not.toBeNull();
      const latest = await t.app.inject({
        url: `/api/v1/vitals/${deviceId}/latest`,
        headers: doctor.headers,
      });
      expect(latest.json()).toMatchObject({
        timestamp: now,
        timestamp_unsynced: true,
        device_timestamp: sent * 1000,
      });
      // The same bytes again are a new window (a device without a clock cannot be deduplicated).
      const again = await postRaw(t, key, json);
      expect(again.json<UploadAnswer>().timestamp).toBe(now + 1);
    },
  );

  it("accepts the simulator's --firmware device (what the demo clinic's DEMO-CM-005 posts)", async () => {
    const source = createFirmwareSource({
      deviceId,
      scenario: 'normal',
      fs: 250,
      startTimeMs: (startS + 4000) * 1000,
      seed: 4,
    });
    const hrs: (number | null)[] = [];
    for (let k = 0; k < 3; k++) {
      const packet = source.nextPacket();
      if (packet === null) throw new Error('no packet');
      const res = await postRaw(t, key, source.bodyOf?.(packet) ?? '');
      expect(res.statusCode).toBe(201);
      hrs.push(res.json<UploadAnswer>().prediction?.heart_rate_bpm ?? null);
      const truth = source.device.lastTruth.heartRateBpm ?? 0;
      expect(Math.abs((hrs[k] ?? 0) - truth)).toBeLessThanOrEqual(5);
    }
  });

  it('says a window whose R waves ride the ADC rail is saturated: not analysable, no heart rate', async () => {
    // Front-end gain too high for this patient: the top 4 % of the ECG (the R waves) is driven
    // into the 12-bit ADC's top rail, where ADC noise of a few counts breaks every run of equal
    // codes. Only the known rail (count 4095 through the ad8232 profile) marks them as clipped.
    const window = ecg250.subarray(7500, 10_000);
    const sorted = Float64Array.from(window).sort();
    const median = sorted[1250] ?? 0;
    const top = sorted[2400] ?? 0;
    const gain = 2047 / (top - median);
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 7;
    };
    const counts = Array.from(window, (mv) => {
      const c = Math.round(2048 + (mv - median) * gain);
      return c >= 4095 - 6 ? 4095 - noise() : Math.max(0, c);
    });
    expect(counts.filter((c) => c >= 4089).length / counts.length).toBeGreaterThan(0.03);
    const res = await postRaw(
      t,
      key,
      firmwarePayload({
        deviceId,
        timestampS: startS + 5000,
        sampleRateHz: 250,
        heartRateBpm: 0,
        spo2Percent: 0,
        leadOff: false,
        ecgCounts: counts,
        beatTimestampsMs: [],
      }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json<UploadAnswer>().prediction).toMatchObject({
      heart_rate_bpm: null,
      analysable: false,
    });
  });

  it('refuses counts a 12-bit ADC cannot produce, naming the sample', async () => {
    const res = await postRaw(
      t,
      key,
      firmwarePayload({
        deviceId,
        timestampS: startS + 3000,
        sampleRateHz: 250,
        heartRateBpm: 0,
        spo2Percent: 0,
        leadOff: false,
        ecgCounts: [2048, 2049, 5000],
        beatTimestampsMs: [],
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ecg_samples[2]' });
  });
});

describe('a device ECG input profile (registration and update)', () => {
  let t: TestApp;
  let doctor: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    ({ doctor } = await createMonitoredPatient(t, 'ESP32-PROFILE-0'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('is auto when none is given, takes a built-in preset or a custom ADC front end, and goes back to auto with null', async () => {
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/v1/devices/register',
      headers: doctor.headers,
      payload: { device_id: 'ESP32-PROFILE-1' },
    });
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toMatchObject({ ecg_input: { preset: 'auto', units: 'mV' } });
    const id = reg.json<{ id: string }>().id;
    const preset = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${id}`,
      headers: doctor.headers,
      payload: { ecg_input: { preset: 'ad8232-esp32-12bit' } },
    });
    expect(preset.json()).toMatchObject({
      ecg_input: {
        preset: 'ad8232-esp32-12bit',
        units: 'adc_counts',
        adc_bits: 12,
        zero_counts: 2048,
        counts_per_mv: 1365,
      },
    });
    const custom = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${id}`,
      headers: doctor.headers,
      payload: {
        ecg_input: { units: 'adc_counts', adc_bits: 16, zero_counts: 32768, counts_per_mv: 5000 },
      },
    });
    expect(custom.json()).toMatchObject({
      ecg_input: { preset: 'custom', adc_bits: 16, zero_counts: 32768, counts_per_mv: 5000 },
    });
    const bad = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${id}`,
      headers: doctor.headers,
      payload: {
        ecg_input: { units: 'adc_counts', adc_bits: 12, zero_counts: 2048, counts_per_mv: 0 },
      },
    });
    expect(bad.statusCode).toBe(400);
    const back = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${id}`,
      headers: doctor.headers,
      payload: { ecg_input: null },
    });
    expect(back.json()).toMatchObject({ ecg_input: { preset: 'auto' } });
  });

  it('converts a custom 16-bit front end with its own zero and gain', async () => {
    const { api_key: key } = await registerDevice(t, doctor, {
      deviceId: 'ESP32-PROFILE-16',
      ecgInput: { units: 'adc_counts', adc_bits: 16, zero_counts: 32768, counts_per_mv: 5000 },
    });
    const ts = t.clock.now() - 60_000;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': key },
      payload: {
        device_id: 'ESP32-PROFILE-16',
        timestamp: ts,
        ecg_samples: [32768, 37768, 27768, 65535],
      },
    });
    expect(res.statusCode).toBe(201);
    const ecg = await t.app.inject({
      url: `/api/v1/vitals/ESP32-PROFILE-16/ecg?from=${String(ts)}&to=${String(ts + 1000)}`,
      headers: doctor.headers,
    });
    const mv = ecg.json<{ segments: { samples_mv: number[] }[] }>().segments[0]?.samples_mv ?? [];
    expect(mv.map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 1, -1, 6.553]);
  });

  it('rejects counts a custom profile turns beyond ±50 mV naming the sample, and keeps unknown-unit extremes readable', async () => {
    // Found by fuzzing POST /api/v1/vitals with extreme samples per input profile: a custom gain
    // of 5e-324 stored Infinity mV and unknown units with subnormal samples stored NaN, after
    // which GET …/ecg and …/latest answered 500; unknown units at ±1e308 were stored as all 0.
    const { api_key: custom } = await registerDevice(t, doctor, {
      deviceId: 'ESP32-PROFILE-GAIN',
      ecgInput: { units: 'adc_counts', adc_bits: 12, zero_counts: 0, counts_per_mv: 5e-324 },
    });
    const startS = Math.floor(t.clock.now() / 1000) - 300;
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': custom },
      payload: { device_id: 'ESP32-PROFILE-GAIN', timestamp: startS, ecg_samples: [0, 4095] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ecg_samples[1]' });

    const { api_key: unknown } = await registerDevice(t, doctor, {
      deviceId: 'ESP32-PROFILE-EXTREME',
      ecgInput: { preset: 'unknown' },
    });
    for (const [k, samples] of [
      [0, [5e-324, 0, 5e-324, 0]],
      [1, [1e308, -1e308, 0, 1e308]],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': unknown },
        payload: {
          device_id: 'ESP32-PROFILE-EXTREME',
          timestamp: startS + k,
          ecg_samples: samples,
        },
      });
      expect(res.statusCode).toBe(201);
    }
    const ecg = await t.app.inject({
      url: `/api/v1/vitals/ESP32-PROFILE-EXTREME/ecg?from=${startS * 1000}&to=${startS * 1000 + 2000}`,
      headers: doctor.headers,
    });
    expect(ecg.statusCode).toBe(200);
    const mv = ecg
      .json<{ segments: { samples_mv: number[] }[] }>()
      .segments.flatMap((seg) => seg.samples_mv);
    // Each packet centred on its median and scaled so its 1st–99th percentile range is 2.
    expect(mv).toEqual([0, -2, 0, -2, 0, -2, -1, 0]);
  });

  it('with unknown units, analyses timing only: the heart rate comes from the ECG whatever its scale', async () => {
    const { api_key: key } = await registerDevice(t, doctor, {
      deviceId: 'ESP32-PROFILE-UNK',
      ecgInput: { preset: 'unknown' },
    });
    // The recording in µV (a gain no profile states): 1000 × the mV values.
    const startS = Math.floor(t.clock.now() / 1000) - 600;
    const answers: UploadAnswer[] = [];
    for (let k = 0; k < 3; k++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': key },
        payload: {
          device_id: 'ESP32-PROFILE-UNK',
          timestamp: startS + 10 * k,
          sample_rate_hz: 250,
          ecg_samples: Array.from(ecg250.subarray(k * 2500, (k + 1) * 2500), (v) =>
            Math.round(v * 1000),
          ),
        },
      });
      expect(res.statusCode).toBe(201);
      answers.push(res.json<UploadAnswer>());
    }
    for (const [k, a] of answers.entries()) {
      expect(a.prediction?.heart_rate_source).toBe('ecg');
      const ref = referenceHr(beatsMs, k * 10_000, (k + 1) * 10_000);
      expect(Math.abs((a.prediction?.heart_rate_bpm ?? 0) - ref)).toBeLessThanOrEqual(2);
    }
    const latest = await t.app.inject({
      url: '/api/v1/vitals/ESP32-PROFILE-UNK/latest',
      headers: doctor.headers,
    });
    expect(latest.json()).toMatchObject({ ecg_input: 'unknown' });
  });
});
