import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceWithKey } from '../../src/services/devices.service.js';
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
import { syntheticPackets } from '../vitals/packets.js';

/** MQTT uploads are audited like HTTP ones: one event per device per flush window. */
let t: TestApp;
let patient: TestUser;
let device: DeviceWithKey;
/** MQTT messages handled so far (accepted or refused): the trail has recorded each by then. */
let outcomes = 0;

describe('audit trail of MQTT uploads', () => {
  beforeAll(async () => {
    t = await createTestApp({
      env: { MQTT_PORT: String(await freePort()) },
      audit: { flushMs: 3_600_000 },
      vitals: {
        onMqttOutcome: () => {
          outcomes++;
        },
      },
    });
    const admin = await createAdmin(t);
    const doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    device = await registerDevice(t, patient);
  });
  afterAll(async () => {
    await t.close();
  });

  it('records five accepted packets as one event and a refused one apart', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(t.container.mqttPort)}`, {
      username: device.device_id,
      password: device.api_key,
      reconnectPeriod: 0,
    });
    try {
      const packets = syntheticPackets(device.device_id, 70, 5, t.clock.now() - 10_000);
      for (const p of packets)
        await client.publishAsync(`vigil/devices/${device.device_id}/vitals`, JSON.stringify(p), {
          qos: 1,
        });
      await client.publishAsync(
        `vigil/devices/${device.device_id}/vitals`,
        JSON.stringify({ ...packets[0], timestamp: t.clock.now() - 1000, spo2_percent: 150 }),
        { qos: 1 },
      );
      // The broker acknowledges before Vigil has handled them: wait for all six, then write the
      // trail once (a write between them would rightly split the five into two events).
      for (let i = 0; i < 100 && outcomes < 6; i++) await new Promise((r) => setTimeout(r, 100));
      expect(outcomes).toBe(6);
      await t.container.services.audit.flush();
    } finally {
      await client.endAsync();
    }
    const events = await t.container.repositories.audit.list({ actorId: device.device_id }, 10);
    const common = {
      actor_id: device.device_id,
      actor_kind: 'device',
      patient_id: patient.user.id,
      user_agent: 'mqtt',
    };
    expect(events.filter((e) => e.outcome === 'success')).toEqual([
      expect.objectContaining({ ...common, action: 'vitals.ingest', status: 200, count: 5 }),
    ]);
    // Refused before any channel's ingest (validation): on record as the device's too.
    expect(events.filter((e) => e.outcome !== 'success')).toEqual([
      expect.objectContaining({
        ...common,
        action: 'mqtt.ingest',
        outcome: 'failed',
        status: 400,
        count: 1,
      }),
    ]);
  });
});
