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

describe('vitals queries and role scoping', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctorA: TestUser;
  let doctorB: TestUser;
  let patient: TestUser;
  let otherPatient: TestUser;
  let key: string;
  const deviceId = 'ESP32-Q';
  // A round hour, so 1-minute and 1-hour buckets are predictable.
  let t0: number;

  const packet = (second: number, hr: number, extra: Partial<Packet> = {}): Packet => ({
    device_id: deviceId,
    timestamp: t0 + second * 1000,
    ecg_samples: Array.from(
      { length: 250 },
      (_, i) => Math.round(Math.sin((2 * Math.PI * i) / 25) * 1e4) / 1e4,
    ),
    heart_rate_bpm: hr,
    spo2_percent: 95 + (second % 3),
    temperature_c: 36.5,
    sequence: second,
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    doctorA = await createDoctor(t, admin, 'Dr A');
    doctorB = await createDoctor(t, admin, 'Dr B');
    patient = await createPatient(t, doctorA);
    otherPatient = await createPatient(t, doctorB);
    key = (await registerDevice(t, doctorA, { patientId: patient.user.id, deviceId })).api_key;
    t0 = Math.floor((t.clock.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000;
    // 3 minutes at 1 packet/s: HR 60 in minute 0, 90 in minute 1, 120 in minute 2; then a
    // packet after a 10 s gap for the ECG window.
    const batch: Packet[] = [];
    for (let s = 0; s < 180; s++) batch.push(packet(s, 60 + 30 * Math.floor(s / 60)));
    const res = await post(t, key, batch);
    expect(res.statusCode).toBe(200);
    expect((await post(t, key, packet(190, 70))).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('pages through the history newest first with a cursor, without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${cursor}`;
      const res = await t.app.inject({
        url: `/api/v1/vitals/${deviceId}?limit=70${q}`,
        headers: doctorA.headers,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: { timestamp: number }[]; next_cursor: string | null }>();
      seen.push(...body.items.map((i) => (i.timestamp - t0) / 1000));
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(181);
    expect(seen[0]).toBe(190);
    expect(seen.slice(1)).toEqual(Array.from({ length: 180 }, (_, i) => 179 - i));
  });

  it('rejects a limit above 1000 and a cursor it did not issue', async () => {
    const a = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}?limit=1001`,
      headers: doctorA.headers,
    });
    expect(a.statusCode).toBe(400);
    expect(a.json()).toMatchObject({ field: 'limit' });
    const b = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}?cursor=bm9wZQ`,
      headers: doctorA.headers,
    });
    expect(b.statusCode).toBe(400);
    expect(b.json()).toMatchObject({ field: 'cursor' });
  });

  it('buckets HR, SpO2 and temperature by minute with min/avg/max/count', async () => {
    const res = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/series?interval=1m&from=${t0}&to=${t0 + 180_000}`,
      headers: doctorA.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      buckets: { time: number; packets: number; heart_rate_bpm: object; spo2_percent: object }[];
    }>();
    expect(body.buckets.map((b) => b.time - t0)).toEqual([0, 60_000, 120_000]);
    expect(body.buckets.map((b) => b.heart_rate_bpm)).toEqual([
      { min: 60, avg: 60, max: 60, count: 60 },
      { min: 90, avg: 90, max: 90, count: 60 },
      { min: 120, avg: 120, max: 120, count: 60 },
    ]);
    expect(body.buckets[0]?.spo2_percent).toEqual({ min: 95, avg: 96, max: 97, count: 60 });
    const hourly = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/series?interval=1h&from=${t0}&to=${t0 + 3_600_000}`,
      headers: doctorA.headers,
    });
    expect(
      hourly.json<{ buckets: { packets: number; heart_rate_bpm: object }[] }>().buckets,
    ).toMatchObject([{ packets: 181, heart_rate_bpm: { min: 60, max: 120, count: 181 } }]);
  });

  it('summarises a device in stats', async () => {
    const res = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/stats`,
      headers: patient.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      total_packets: 181,
      first_timestamp: t0,
      last_timestamp: t0 + 190_000,
      heart_rate_bpm: { min: 60, max: 120, count: 181 },
      temperature_c: { min: 36.5, avg: 36.5, max: 36.5, count: 181 },
      latest: { timestamp: t0 + 190_000, heart_rate_bpm: 70 },
    });
  });

  it('decodes the ECG window into contiguous segments, split at gaps', async () => {
    const res = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/ecg?from=${t0 + 178_500}&to=${t0 + 191_000}`,
      headers: doctorA.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ segments: { start: number; fs: number; samples_mv: number[] }[] }>();
    expect(body.segments.map((s) => [s.start - t0, s.fs, s.samples_mv.length])).toEqual([
      [178_500, 250, 375],
      [190_000, 250, 250],
    ]);
    const expected = Math.sin((2 * Math.PI * 125) / 25); // sample 125 of a packet (0 here)
    expect(body.segments[0]?.samples_mv[0]).toBeCloseTo(expected, 3);
    expect(body.segments[1]?.samples_mv[5]).toBeCloseTo(Math.sin((2 * Math.PI * 5) / 25), 3);
    const tooLong = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/ecg?from=${t0}&to=${t0 + 601_000}`,
      headers: doctorA.headers,
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ field: 'to' });
  });

  const endpoints = [
    `/api/v1/vitals/${deviceId}`,
    `/api/v1/vitals/${deviceId}/latest`,
    `/api/v1/vitals/${deviceId}/series?interval=1h`,
    `/api/v1/vitals/${deviceId}/stats`,
    `/api/v1/vitals/${deviceId}/ecg?from=0&to=1000`,
    `/api/v1/predictions/${deviceId}`,
    `/api/v1/predictions/${deviceId}/latest`,
  ];

  it.each(endpoints)(
    'scopes %s by role: admin, own doctor and own patient yes; others 404; anonymous 401',
    async (url) => {
      const status = async (headers?: { authorization: string }) =>
        (await t.app.inject({ url, ...(headers === undefined ? {} : { headers }) })).statusCode;
      expect(await status(admin.headers)).toBe(200);
      expect(await status(doctorA.headers)).toBe(200);
      expect(await status(patient.headers)).toBe(200);
      expect(await status(doctorB.headers)).toBe(404);
      expect(await status(otherPatient.headers)).toBe(404);
      expect(await status()).toBe(401);
    },
  );

  it('lists alerts by role and filters them', async () => {
    const asPatient = await t.app.inject({ url: '/api/v1/alerts', headers: otherPatient.headers });
    expect(asPatient.statusCode).toBe(200);
    expect(asPatient.json<{ items: unknown[] }>().items).toEqual([]);
    const bad = await t.app.inject({ url: '/api/v1/alerts?state=open', headers: doctorA.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'state' });
    expect((await t.app.inject({ url: '/api/v1/alerts' })).statusCode).toBe(401);
  });
});

describe('alert rules per patient', () => {
  let t: TestApp;
  let doctorA: TestUser;
  let doctorB: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctorA = await createDoctor(t, admin);
    doctorB = await createDoctor(t, admin);
    patient = await createPatient(t, doctorA);
  });
  afterAll(async () => {
    await t.close();
  });

  const url = () => `/api/v1/patients/${patient.user.id}/alert-rules`;

  it('shows the defaults, lets the doctor override one kind, and keeps the others', async () => {
    const before = await t.app.inject({ url: url(), headers: patient.headers });
    expect(before.statusCode).toBe(200);
    const rules = before.json<{
      rules: { kind: string; threshold: number | null; source: string }[];
    }>().rules;
    expect(rules.find((r) => r.kind === 'hr_high')).toMatchObject({
      threshold: 130,
      source: 'default',
    });
    const put = await t.app.inject({
      method: 'PUT',
      url: url(),
      headers: doctorA.headers,
      payload: {
        rules: [
          { kind: 'hr_high', enabled: true, threshold: 110, duration_s: 10, severity: 'critical' },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const after = put.json<{
      rules: { kind: string; threshold: number | null; source: string }[];
    }>().rules;
    expect(after.find((r) => r.kind === 'hr_high')).toMatchObject({
      threshold: 110,
      source: 'patient',
    });
    expect(after.find((r) => r.kind === 'spo2_low')).toMatchObject({
      threshold: 91,
      source: 'default',
    });
    expect(await t.container.services.alertRules.effectiveFor(patient.user.id)).toContainEqual({
      kind: 'hr_high',
      enabled: true,
      threshold: 110,
      durationS: 10,
      severity: 'critical',
    });
  });

  it('refuses patients (403), other doctors (404) and implausible thresholds (400)', async () => {
    const body = {
      rules: [{ kind: 'hr_low', enabled: true, threshold: 35, duration_s: 0, severity: 'warning' }],
    };
    expect(
      (await t.app.inject({ method: 'PUT', url: url(), headers: patient.headers, payload: body }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ method: 'PUT', url: url(), headers: doctorB.headers, payload: body }))
        .statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: url(), headers: doctorB.headers })).statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'PUT',
      url: url(),
      headers: doctorA.headers,
      payload: {
        rules: [
          { kind: 'spo2_low', enabled: true, threshold: 120, duration_s: 0, severity: 'critical' },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'rules[0].threshold' });
  });
});
