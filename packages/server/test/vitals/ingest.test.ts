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
import { post, syntheticPackets, type Packet } from './packets.js';

describe('POST /api/v1/vitals', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  let key: string;
  let otherKey: string;
  const deviceId = 'ESP32-INGEST';
  let base: number;

  beforeAll(async () => {
    t = await createTestApp({ sqliteFile: true });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    key = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId })).api_key;
    otherKey = (
      await registerDevice(t, doctor, { patientId: patient.user.id, deviceId: 'ESP32-OTHER' })
    ).api_key;
    base = t.clock.now() - 3_600_000;
  });
  afterAll(async () => {
    await t.close();
  });

  const packet = (offsetS: number, extra: Partial<Packet> = {}): Packet => ({
    device_id: deviceId,
    timestamp: base + offsetS * 1000,
    ecg_samples: Array.from({ length: 250 }, (_, i) => Math.sin(i / 10) * 0.1),
    heart_rate_bpm: 72,
    spo2_percent: 97,
    ...extra,
  });

  it('stores a seed-000 packet and answers 201 with its identity', async () => {
    const res = await post(
      t,
      key,
      packet(0, { sequence: 1, temperature_c: 36.9, battery_percent: 80 }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json<{ id: string; device_id: string; timestamp: number; sequence: number }>();
    expect(body).toMatchObject({ device_id: deviceId, timestamp: base, sequence: 1 });
    const latest = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(latest.statusCode).toBe(200);
    expect(latest.json()).toMatchObject({
      id: body.id,
      timestamp: base,
      heart_rate_bpm: 72,
      spo2_percent: 97,
      temperature_c: 36.9,
      battery_percent: 80,
      ecg_sample_rate_hz: 250,
      ecg_n_samples: 250,
    });
  });

  it("uses the device's HR while the ECG stream is too short to judge, without a poor-signal reason", async () => {
    const res = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      timestamp: base,
      heart_rate_bpm: 72,
      heart_rate_source: 'device',
      analysable: false,
      risk_label: 'normal',
      reasons: [],
    });
  });

  it('reads timestamps below 1e11 as seconds and larger ones as milliseconds', async () => {
    const seconds = Math.floor(base / 1000) + 100;
    const a = await post(t, key, { ...packet(0), timestamp: seconds });
    expect(a.json<{ timestamp: number }>().timestamp).toBe(seconds * 1000);
    const b = await post(t, key, { ...packet(0), timestamp: seconds * 1000 + 500 });
    expect(b.json<{ timestamp: number }>().timestamp).toBe(seconds * 1000 + 500);
  });

  it.each([
    ['heart_rate_bpm', { heart_rate_bpm: '72' }],
    ['heart_rate_bpm', { heart_rate_bpm: -1 }],
    ['heart_rate_bpm', { heart_rate_bpm: 301 }],
    ['spo2_percent', { spo2_percent: 100.5 }],
    ['ecg_samples', { ecg_samples: Array.from({ length: 10_001 }, () => 0) }],
    ['ecg_samples[3]', { ecg_samples: [0, 0, 0, 'NaN'] }],
    ['timestamp', { timestamp: 'yesterday' }],
    ['device_id', { device_id: undefined }],
  ])('rejects a bad %s with 400 naming the field', async (field, patch) => {
    const res = await post(t, key, { ...packet(500), ...patch });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });

  it('rejects a reading too small for a 32-bit float naming its field, and stores nothing', async () => {
    // Found by fuzzing POST /api/v1/vitals on PostgreSQL: spo2_percent 1e-320 passed every check
    // and the insert into the `real` column failed (a 500); SQLite stored it.
    for (const [field, value] of [
      ['spo2_percent', 1e-320],
      ['heart_rate_bpm', 1e-46],
      ['respiratory_rate', 5e-324],
      ['battery_percent', 1e-39],
    ] as const) {
      const res = await post(t, key, { ...packet(550), [field]: value });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    const rows = await t.container.database.db
      .selectFrom('vitals')
      .select('id')
      .where('device_id', '=', deviceId)
      .where('ts', '=', base + 550_000)
      .execute();
    expect(rows).toEqual([]);
    const tiny = await post(t, key, { ...packet(551), respiratory_rate: 1.2e-38 });
    expect(tiny.statusCode).toBe(201);
  });

  it('rejects a sample that JSON turns into Infinity', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload: JSON.stringify(packet(600)).replace('"ecg_samples":[0', '"ecg_samples":[1e999'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'ecg_samples[0]' });
  });

  it("rejects a packet from another device's key with 403 and stores nothing", async () => {
    const res = await post(t, otherKey, packet(700));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'DEVICE_MISMATCH', field: 'device_id' });
    const page = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}?from=${base + 700_000}`,
      headers: doctor.headers,
    });
    expect(page.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('stores nothing of a batch with one bad packet, and names it', async () => {
    const batch = [packet(800), packet(801), packet(802, { spo2_percent: 101 })];
    const res = await post(t, key, batch);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: '[2].spo2_percent' });
    const page = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}?from=${base + 800_000}&to=${base + 803_000}`,
      headers: doctor.headers,
    });
    expect(page.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('stores a batch in time order and answers one result per packet, in request order', async () => {
    const batch = [packet(902), packet(900), packet(901)];
    const res = await post(t, key, batch);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ count: number; items: { timestamp: number }[] }>();
    expect(body.count).toBe(3);
    expect(body.items.map((i) => i.timestamp - base)).toEqual([902_000, 900_000, 901_000]);
  });

  it('answers a packet sent three times concurrently identically and stores it once', async () => {
    const packets = syntheticPackets(deviceId, 70, 5, base + 1_000_000, 3, {}, 100);
    const responses = await Promise.all(
      packets.flatMap((p) => [post(t, key, p), post(t, key, p), post(t, key, p)]),
    );
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    for (let i = 0; i < packets.length; i++) {
      const [a, b, c] = responses.slice(i * 3, i * 3 + 3).map((r) => r.body);
      expect(b).toBe(a);
      expect(c).toBe(a);
    }
    const page = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}?from=${base + 1_000_000}&to=${base + 1_005_000}`,
      headers: doctor.headers,
    });
    expect(page.json<{ items: unknown[] }>().items).toHaveLength(5);
    const preds = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}?from=${base + 1_000_000}&to=${base + 1_005_000}`,
      headers: doctor.headers,
    });
    expect(preds.json<{ items: unknown[] }>().items).toHaveLength(5);
  });

  it('groups concurrent packets of many devices into few commits', async () => {
    const keys: { id: string; key: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const d = await registerDevice(t, doctor, {
        patientId: patient.user.id,
        deviceId: `GC-${i}`,
      });
      keys.push({ id: d.device_id, key: d.api_key });
    }
    const before = t.container.services.ingest.commits;
    const res = await Promise.all(
      keys.map((k) => post(t, k.key, { ...packet(0), device_id: k.id })),
    );
    expect(res.every((r) => r.statusCode === 201)).toBe(true);
    expect(t.container.services.ingest.commits - before).toBeLessThan(20);
  });
});
