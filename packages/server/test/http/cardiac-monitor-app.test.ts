import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/index.js';
import { firmwareCounts, firmwarePayload } from '@vigil/sim';
import { ecgsyn } from '@vigil/signal';

/**
 * The calls of the cardiac-monitor Flutter app (seed 000; github.com/Sanuka23/cardiac-monitor,
 * MIT), `app/cardiac_monitor/lib/services/api_service.dart`, each made as the app makes it (Dio:
 * JSON bodies, `Authorization: Bearer`, a `Dart/…` User-Agent) and read with the fields of its
 * models (`lib/models/*.dart` fromJson). The parsers below fail where Dart would throw: a
 * `DateTime.tryParse` of a non-string, a `List<String>.from` of a non-list, a cast that cannot
 * hold.
 */
const DART_UA = 'Dart/3.5 (dart:io)';

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new Error(`${name}: ${JSON.stringify(v)} is not a String`);
  return v;
}
function parseDate(v: unknown, name: string): Date {
  const d = new Date(str(v, name));
  if (Number.isNaN(d.getTime())) throw new Error(`${name}: not ISO-8601`);
  return d;
}
function stringList(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new Error(`${name} is not a List<String>`);
  return v;
}
const numOr0 = (v: unknown): number => (typeof v === 'number' ? v : 0);
/** Dart `int` field read as `json[k] ?? 0`: a double would not fit. */
function intOr0(v: unknown, name: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${name} is not an int`);
  return v;
}

/** TokenResponse.fromJson */
const tokenResponse = (j: Record<string, unknown>) => ({
  accessToken: str(j.access_token, 'access_token'),
  tokenType: (j.token_type as string | undefined) ?? 'bearer',
});
/** User.fromJson (with HealthProfile.fromJson) */
const user = (j: Record<string, unknown>) => {
  const hp = (j.health_profile ?? j.profile) as Record<string, unknown> | null | undefined;
  return {
    id: str(j.id ?? j._id ?? '', 'id'),
    email: str(j.email ?? '', 'email'),
    name: str(j.name ?? '', 'name'),
    deviceIds: stringList(j.device_ids ?? [], 'device_ids'),
    healthProfile:
      hp === null || hp === undefined
        ? null
        : {
            age: hp.age,
            sex: hp.sex,
            heightCm: hp.height_cm,
            weightKg: hp.weight_kg,
            diabetic: hp.diabetic ?? false,
            hypertensive: hp.hypertensive ?? false,
            smoker: hp.smoker ?? false,
            familyHistory: hp.family_history ?? false,
            knownConditions: stringList(hp.known_conditions ?? [], 'known_conditions'),
            medications: stringList(hp.medications ?? [], 'medications'),
          },
  };
};
/** Device.fromJson */
const device = (j: Record<string, unknown>) => ({
  deviceId: str(j.device_id ?? '', 'device_id'),
  label: j.label as string | null,
  registeredAt: j.registered_at == null ? null : parseDate(j.registered_at, 'registered_at'),
});
/** Vitals.fromJson */
const vitals = (j: Record<string, unknown>) => ({
  id: j.id ?? j._id,
  deviceId: str(j.device_id ?? '', 'device_id'),
  heartRate: numOr0(j.heart_rate_bpm),
  spo2: intOr0(j.spo2_percent, 'spo2_percent'),
  ecgLeadOff: (j.ecg_lead_off as boolean | undefined) ?? false,
  ecgSampleCount: intOr0(j.sample_count ?? j.ecg_sample_count, 'sample_count'),
  beatCount: intOr0(j.beat_count, 'beat_count'),
  timestamp: parseDate(j.timestamp ?? '', 'timestamp'),
  ecgSamples: (j.ecg_samples as unknown[] | undefined)?.map((v, i) =>
    intOr0(v, `ecg_samples[${i}]`),
  ),
  sampleRateHz: j.sample_rate_hz == null ? null : intOr0(j.sample_rate_hz, 'sample_rate_hz'),
});
/** Prediction.fromJson */
const prediction = (j: Record<string, unknown>) => ({
  id: j.id ?? j._id,
  deviceId: str(j.device_id ?? '', 'device_id'),
  riskScore: numOr0(j.risk_score),
  riskLabel: (j.risk_label as string | undefined) ?? 'unknown',
  confidence: numOr0(j.confidence),
  timestamp: parseDate(j.created_at ?? j.timestamp ?? '', 'created_at'),
});

describe('the cardiac-monitor app (api_service.dart) against Vigil', () => {
  let t: TestApp;
  let token: string | undefined;
  let deviceKey: string;
  const deviceId = 'CardiacMon-APP1';
  const email = 'app.user@example.com';
  const password = 'heart-rate-72';
  let firstWindowS: number;

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: {
        'user-agent': DART_UA,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      ...(payload === undefined ? {} : { payload }),
    });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('register(email, password, name) → TokenResponse', async () => {
    const res = await call('POST', '/api/v1/auth/register', { email, password, name: 'Ada' });
    expect(res.statusCode).toBe(201);
    const tr = tokenResponse(res.json());
    expect(tr.tokenType).toBe('bearer');
    expect(tr.accessToken.length).toBeGreaterThan(20);
  });

  it('login(email, password) → TokenResponse (JSON body, as Dio posts it)', async () => {
    const res = await call('POST', '/api/v1/auth/login', { email, password });
    expect(res.statusCode).toBe(200);
    token = tokenResponse(res.json()).accessToken;
  });

  it('registerDevice(deviceId) → Device, and getDevices() → List<Device>', async () => {
    const res = await call('POST', '/api/v1/devices/register', { device_id: deviceId });
    expect(res.statusCode).toBe(201);
    deviceKey = res.json<{ api_key: string }>().api_key;
    const d = device(res.json());
    expect(d.deviceId).toBe(deviceId);
    expect(d.registeredAt?.getTime()).toBe(t.clock.now());
    const list = await call('GET', '/api/v1/devices');
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json<Record<string, unknown>[]>()
        .map(device)
        .map((x) => x.deviceId),
    ).toEqual([deviceId]);
  });

  it('getMe() → User with device_ids', async () => {
    const res = await call('GET', '/api/v1/auth/me');
    expect(res.statusCode).toBe(200);
    expect(user(res.json())).toMatchObject({ email, name: 'Ada', deviceIds: [deviceId] });
  });

  it("updateProfile(profileData) stores the app's health_profile fields and returns the User", async () => {
    const profile = {
      age: 54,
      sex: 'female',
      height_cm: 168.0,
      weight_kg: 71.5,
      diabetic: true,
      hypertensive: false,
      smoker: true,
      family_history: true,
      known_conditions: ['asthma'],
      medications: ['metformin'],
    };
    const res = await call('PUT', '/api/v1/auth/profile', { health_profile: profile });
    expect(res.statusCode).toBe(200);
    const u = user(res.json());
    expect(u.healthProfile).toEqual({
      age: 54,
      sex: 'female',
      heightCm: 168,
      weightKg: 71.5,
      diabetic: true,
      hypertensive: false,
      smoker: true,
      familyHistory: true,
      knownConditions: ['asthma'],
      medications: ['metformin'],
    });
    expect(u.deviceIds).toEqual([deviceId]);
    const again = user((await call('GET', '/api/v1/auth/me')).json());
    expect(again.healthProfile?.familyHistory).toBe(true);
  });

  it('getLatestVitals / getLatestVitalsWithEcg → Vitals with an ISO-8601 timestamp and the ADC counts', async () => {
    const missing = await call('GET', `/api/v1/vitals/${deviceId}/latest`);
    expect(missing.statusCode).toBe(404); // the app maps 404 to null
    const { ecgMv } = ecgsyn({ fs: 250, durationS: 30, heartRateBpm: 66, seed: 5 });
    firstWindowS = Math.floor(t.clock.now() / 1000) - 60;
    for (let k = 0; k < 3; k++) {
      const counts = firmwareCounts(ecgMv.subarray(k * 2500, (k + 1) * 2500), 250);
      const up = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': deviceKey, 'content-type': 'application/json' },
        payload: firmwarePayload({
          deviceId,
          timestampS: firstWindowS + 10 * k,
          sampleRateHz: 250,
          heartRateBpm: 66.04,
          spo2Percent: 97,
          leadOff: false,
          ecgCounts: counts,
          beatTimestampsMs: [120, 1030],
        }),
      });
      expect(up.statusCode).toBe(201);
    }
    const res = await call('GET', `/api/v1/vitals/${deviceId}/latest`);
    expect(res.statusCode).toBe(200);
    const v = vitals(res.json());
    expect(v).toMatchObject({
      deviceId,
      heartRate: 66,
      spo2: 97,
      ecgLeadOff: false,
      ecgSampleCount: 2500,
      beatCount: 2,
      sampleRateHz: 250,
    });
    expect(v.timestamp.getTime()).toBe((firstWindowS + 20) * 1000);
    const withEcg = await call('GET', `/api/v1/vitals/${deviceId}/latest?include_ecg=true`);
    const ve = vitals(withEcg.json());
    expect(ve.ecgSamples).toEqual(firmwareCounts(ecgMv.subarray(5000, 7500), 250));
  });

  it('getVitalsHistory(limit, offset) → {vitals: [...]}, paged by offset', async () => {
    const page1 = await call('GET', `/api/v1/vitals/${deviceId}?limit=2&offset=0`);
    expect(page1.statusCode).toBe(200);
    const p1 = page1.json<{ vitals: Record<string, unknown>[]; total: number }>();
    expect(p1.total).toBe(3);
    const page2 = (await call('GET', `/api/v1/vitals/${deviceId}?limit=2&offset=2`)).json<{
      vitals: Record<string, unknown>[];
    }>();
    const times = [...p1.vitals, ...page2.vitals].map((j) => vitals(j).timestamp.getTime() / 1000);
    expect(times).toEqual([firstWindowS + 20, firstWindowS + 10, firstWindowS]);
    const skip = (await call('GET', `/api/v1/vitals/${deviceId}?limit=2&skip=2`)).json<{
      vitals: unknown[];
    }>();
    expect(skip.vitals).toHaveLength(1);
  });

  it('getLatestPrediction / getPredictionHistory → Prediction with ISO-8601 created_at', async () => {
    const res = await call('GET', `/api/v1/predictions/${deviceId}/latest`);
    expect(res.statusCode).toBe(200);
    const p = prediction(res.json());
    expect(p.deviceId).toBe(deviceId);
    expect(['normal', 'low', 'moderate', 'elevated', 'high']).toContain(p.riskLabel);
    expect(p.timestamp.getTime()).toBe(t.clock.now());
    const hist = await call('GET', `/api/v1/predictions/${deviceId}?limit=10&offset=0`);
    const list = hist.json<{ predictions: Record<string, unknown>[]; total: number }>();
    expect(list.total).toBe(3);
    expect(list.predictions.map(prediction)).toHaveLength(3);
  });

  it('getMyVitalsHistory / getMyPredictionHistory and the /me/latest paths', async () => {
    const v = (await call('GET', '/api/v1/vitals/me/history?limit=200&offset=0')).json<{
      vitals: Record<string, unknown>[];
    }>();
    expect(v.vitals.map(vitals).map((x) => x.deviceId)).toEqual([deviceId, deviceId, deviceId]);
    const p = (await call('GET', '/api/v1/predictions/me/history?limit=200&offset=1')).json<{
      predictions: Record<string, unknown>[];
      total: number;
    }>();
    expect(p.total).toBe(3);
    expect(p.predictions.map(prediction)).toHaveLength(2);
    const lv = vitals((await call('GET', '/api/v1/vitals/me/latest')).json());
    expect(lv.timestamp.getTime()).toBe((firstWindowS + 20) * 1000);
    const lp = prediction((await call('GET', '/api/v1/predictions/me/latest')).json());
    expect(lp.deviceId).toBe(deviceId);
  });

  it("keeps Vigil's own shapes for Vigil's clients (no offset/skip, no dart:io User-Agent)", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const page = await t.app.inject({ url: `/api/v1/vitals/${deviceId}?limit=2`, headers });
    const body = page.json<{ items: { timestamp: number }[]; next_cursor: string | null }>();
    expect(body.items.map((i) => i.timestamp)).toEqual([
      (firstWindowS + 20) * 1000,
      (firstWindowS + 10) * 1000,
    ]);
    expect(typeof body.next_cursor).toBe('string');
    const latest = await t.app.inject({ url: `/api/v1/vitals/${deviceId}/latest`, headers });
    expect(typeof latest.json<{ timestamp: unknown }>().timestamp).toBe('number');
    const pl = await t.app.inject({ url: `/api/v1/predictions/${deviceId}/latest`, headers });
    expect(typeof pl.json<{ created_at: unknown }>().created_at).toBe('number');
  });

  it("reads a device that sends mV and a fractional SpO2 as the app's ints (List<int> ECG, int spo2)", async () => {
    // Vitals.fromJson: `spo2` is an int and `ecgSamples` a `List<int>` (`.cast<int>()`, which
    // ecg_chart.dart reads sample by sample): a chest strap sending mV and 97.6 % crashed the
    // dashboard's ECG card and every read of its vitals.
    const strapId = 'CHEST-STRAP-MV';
    const reg = await call('POST', '/api/v1/devices/register', { device_id: strapId });
    expect(reg.statusCode).toBe(201);
    const strapKey = reg.json<{ api_key: string }>().api_key;
    const { ecgMv } = ecgsyn({ fs: 250, durationS: 1, heartRateBpm: 70, seed: 3 });
    const ts = (firstWindowS - 100) * 1000;
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': strapKey },
      payload: {
        device_id: strapId,
        timestamp: ts,
        ecg_samples: Array.from(ecgMv),
        ecg_sample_rate_hz: 250,
        heart_rate_bpm: 70.4,
        spo2_percent: 97.6,
      },
    });
    expect(up.statusCode).toBe(201);
    const res = await call('GET', `/api/v1/vitals/${strapId}/latest?include_ecg=true`);
    expect(res.statusCode).toBe(200);
    const v = vitals(res.json());
    expect(v).toMatchObject({ deviceId: strapId, heartRate: 70.4, spo2: 98, sampleRateHz: 250 });
    // On the firmware's scale (AD8232 into a 12-bit ADC: 2048 + 1365 counts per mV).
    expect(v.ecgSamples).toHaveLength(250);
    expect(v.ecgSamples?.[0]).toBe(Math.round(2048 + 1365 * (ecgMv[0] ?? 0)));
    const maxAt = ecgMv.indexOf(Math.max(...ecgMv));
    expect(
      Math.abs((v.ecgSamples?.[maxAt] ?? 0) - (2048 + 1365 * (ecgMv[maxAt] ?? 0))),
    ).toBeLessThanOrEqual(1);
    const page = await call('GET', `/api/v1/vitals/${strapId}?limit=10&offset=0`);
    expect(page.json<{ vitals: Record<string, unknown>[] }>().vitals.map(vitals)[0]?.spo2).toBe(98);
  });
});
