import mqtt from 'mqtt';
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
import { freePort } from '../mqtt/mosquitto-fixture.js';

/** The second kind of signal on the ingest core: a pulse oximeter without ECG. */
describe('pulse oximetry (POST /api/v1/oximetry, vigil/devices/{id}/oximetry)', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  let key: string;
  const deviceId = 'OXI-1';
  let base: number;

  beforeAll(async () => {
    t = await createTestApp({ env: { MQTT_PORT: String(await freePort()) } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    key = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId })).api_key;
    base = t.clock.now() - 3_600_000;
  });
  afterAll(async () => {
    await t.close();
  });

  const reading = (offsetS: number, spo2: number, extra: object = {}) => ({
    device_id: deviceId,
    timestamp: base + offsetS * 1000,
    spo2_percent: spo2,
    pulse_rate_bpm: 74,
    perfusion_index: 2.5,
    ...extra,
  });
  const post = (payload: unknown, apiKey = key) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/oximetry',
      headers: { 'x-api-key': apiKey },
      payload: payload as object,
    });
  const stored = () =>
    t.container.database.db
      .selectFrom('oximetry_readings')
      .selectAll()
      .where('device_id', '=', deviceId)
      .orderBy('ts')
      .execute();

  it('stores a reading, answers 201 with its identity, and the same on a retry', async () => {
    const first = await post(reading(0, 97, { sequence: 7 }));
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ device_id: deviceId, timestamp: base, sequence: 7 });
    const again = await post(reading(0, 97, { sequence: 7 }));
    expect(again.json()).toEqual(first.json());
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      patient_id: patient.user.id,
      spo2_percent: 97,
      pulse_rate_bpm: 74,
      perfusion_index: 2.5,
      sequence: 7,
    });
  });

  it('names the field at fault, in a batch too, and stores nothing of a bad batch', async () => {
    const res = await post(reading(1, 101));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'spo2_percent' });
    const batch = await post([reading(2, 96), { ...reading(3, 96), pulse_rate_bpm: undefined }]);
    expect(batch.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: '[1].pulse_rate_bpm' });
    expect(await stored()).toHaveLength(1);
  });

  it('rejects a pulse rate too small for a 32-bit float naming pulse_rate_bpm, and stores nothing', async () => {
    // Found by fuzzing on PostgreSQL: 5e-324 passed `exclusiveMinimum: 0` and the insert into
    // the `real` column failed with a 500.
    const before = (await stored()).length;
    const res = await post(reading(4, 96, { pulse_rate_bpm: 5e-324 }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'pulse_rate_bpm' });
    const batch = await post([reading(5, 96), reading(6, 96, { perfusion_index: 1e-320 })]);
    expect(batch.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: '[1].perfusion_index' });
    expect(await stored()).toHaveLength(before);
  });

  it('opens a spo2_low alert when SpO2 stays at 88 % for 40 s, through the alert lifecycle', async () => {
    const batch = Array.from({ length: 41 }, (_, i) => reading(100 + i, 88));
    const res = await post(batch);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ count: number }>().count).toBe(41);
    await t.container.services.alerts.idle();
    const alerts = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patient.user.id}&state=active`,
      headers: doctor.headers,
    });
    const items = alerts.json<{
      items: { rule_kind: string; device_id: string; value: number }[];
    }>().items;
    expect(items.filter((a) => a.rule_kind === 'spo2_low')).toEqual([
      expect.objectContaining({ device_id: deviceId, value: 88 }),
    ]);
  });

  it('takes the same reading over MQTT on the oximetry topic', async () => {
    const port = t.container.mqttPort;
    if (port === null) throw new Error('the embedded broker is not running');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: deviceId,
      password: key,
      reconnectPeriod: 0,
    });
    try {
      await client.publishAsync(
        `vigil/devices/${deviceId}/oximetry`,
        JSON.stringify(reading(500, 95)),
        { qos: 1 },
      );
      const deadline = Date.now() + 10_000;
      while (!(await stored()).some((r) => r.ts === base + 500_000)) {
        if (Date.now() > deadline) throw new Error('the MQTT reading was not stored within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await stored()).find((r) => r.ts === base + 500_000)).toMatchObject({
        spo2_percent: 95,
      });
    } finally {
      await client.endAsync();
    }
  });
});
