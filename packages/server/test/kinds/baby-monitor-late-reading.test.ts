import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
import { multipartForm as form } from '../helpers/multipart-form.js';
import { freePort } from '../mqtt/mosquitto-fixture.js';

const CRY_WAV = readFileSync(
  fileURLToPath(
    new URL('../../../signal/src/audio/fixtures/cry-donateacry-4s.wav', import.meta.url),
  ),
);

interface AlertItem {
  rule_kind: string;
  status: string;
  cleared_by: string | null;
  value: number | null;
}

/**
 * A nursery monitor that was offline flushes the readings it buffered, each with its own
 * `timestamp`, after a sick alert has opened on a live reading. Before: the first buffered
 * reading (an hour older, no fever) cleared the live infant_sick and infant_fever alerts
 * (`cleared_by: "rule"`) ten seconds after they opened.
 */
describe('a baby monitor reading older than the alert it follows', () => {
  let t: TestApp;
  let doctor: TestUser;
  let baby: TestUser;
  let monitor: { device_id: string; api_key: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { MQTT_PORT: String(await freePort()) } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Night');
    baby = await createPatient(t, doctor, 'Baby Late');
    monitor = await registerDevice(t, doctor, {
      patientId: baby.user.id,
      deviceId: `NURSERY-${randomBytes(3).toString('hex')}`,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const alerts = async (): Promise<AlertItem[]> => {
    await t.container.services.alerts.idle();
    const res = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${baby.user.id}`,
      headers: doctor.headers,
    });
    expect(res.statusCode).toBe(200);
    return res
      .json<{ items: AlertItem[] }>()
      .items.sort((a, b) => a.rule_kind.localeCompare(b.rule_kind));
  };

  it('is stored and listed but leaves the live sick alert open; the next live reading clears it', async () => {
    const { payload, headers } = form(
      { temperature: '38.9', humidity: '50' },
      { bytes: CRY_WAV, name: 'cry.wav', type: 'audio/wav' },
    );
    const live = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { ...headers, 'x-api-key': monitor.api_key },
      payload,
    });
    expect(live.statusCode).toBe(201);
    expect(live.json()).toMatchObject({ cry_detected: true, sick_detected: true });
    expect((await alerts()).map((a) => [a.rule_kind, a.status, a.value])).toEqual([
      ['infant_fever', 'active_unack', 38.9],
      ['infant_sick', 'active_unack', 38.9],
    ]);

    const port = t.container.mqttPort;
    if (port === null) throw new Error('the embedded broker is not running');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: monitor.device_id,
      password: monitor.api_key,
      reconnectPeriod: 0,
    });
    const hourAgo = Date.now() - 3_600_000;
    try {
      // The buffered readings: calm at 36.6 °C an hour ago, then crying at 39.4 °C.
      const topic = `vigil/devices/${monitor.device_id}/readings`;
      await client.publishAsync(
        topic,
        JSON.stringify({
          timestamp: hourAgo,
          FinalResult: 'SNORING',
          InfantCry: 4,
          Snoring: 96,
          Temperature: 36.6,
          Humidity: 50,
        }),
        { qos: 1 },
      );
      await client.publishAsync(
        topic,
        JSON.stringify({
          timestamp: hourAgo + 60_000,
          FinalResult: 'InfantCry',
          InfantCry: 90,
          Snoring: 10,
          Temperature: 39.4,
          Humidity: 50,
        }),
        { qos: 1 },
      );
      const deadline = Date.now() + 10_000;
      const buffered = () =>
        t.app.inject({
          url: `/api/v1/readings?patient_id=${baby.user.id}&end_date=${new Date(hourAgo + 60_000).toISOString()}`,
          headers: doctor.headers,
        });
      while ((await buffered()).json<unknown[]>().length < 2) {
        if (Date.now() > deadline) throw new Error('the MQTT readings were not stored within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const stored = (await buffered()).json<{ temperature: number; created_at: string }[]>();
      expect(stored.map((r) => [r.temperature, r.created_at])).toEqual([
        [39.4, new Date(hourAgo + 60_000).toISOString()],
        [36.6, new Date(hourAgo).toISOString()],
      ]);
    } finally {
      await client.endAsync();
    }
    // Neither cleared (before: both 'cleared_unack', cleared_by 'rule') nor took the old 39.4.
    expect((await alerts()).map((a) => [a.rule_kind, a.status, a.cleared_by, a.value])).toEqual([
      ['infant_fever', 'active_unack', null, 38.9],
      ['infant_sick', 'active_unack', null, 38.9],
    ]);

    const calm = form({ temperature: '37.1', humidity: '50' });
    const next = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { ...calm.headers, 'x-api-key': monitor.api_key },
      payload: calm.payload,
    });
    expect(next.statusCode).toBe(201);
    expect((await alerts()).map((a) => [a.rule_kind, a.status, a.cleared_by])).toEqual([
      ['infant_fever', 'cleared_unack', 'rule'],
      ['infant_sick', 'cleared_unack', 'rule'],
    ]);
  });
});
