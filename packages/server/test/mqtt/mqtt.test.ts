import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
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
import { syntheticPackets, type Packet } from '../vitals/packets.js';
import { connectWs } from '../vitals/ws-client.js';
import {
  freePort,
  portAccepts,
  startMosquitto,
  type MosquittoFixture,
} from './mosquitto-fixture.js';

const topic = (deviceId: string) => `vigil/devices/${deviceId}/vitals`;

async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function storedCount(
  t: TestApp,
  user: TestUser,
  deviceId: string,
  from: number,
  to: number,
): Promise<number> {
  const res = await t.app.inject({
    url: `/api/v1/vitals/${deviceId}?from=${from}&to=${to}&limit=1000`,
    headers: user.headers,
  });
  return res.json<{ items: unknown[] }>().items.length;
}

interface World {
  t: TestApp;
  doctorA: TestUser;
  doctorB: TestUser;
  patient: TestUser;
}

async function world(env: Record<string, string>): Promise<World> {
  const t = await createTestApp({ env });
  const admin = await createAdmin(t);
  const doctorA = await createDoctor(t, admin, 'Dr A');
  const doctorB = await createDoctor(t, admin, 'Dr B');
  const patient = await createPatient(t, doctorA);
  return { t, doctorA, doctorB, patient };
}

async function connectDevice(
  url: string,
  username?: string,
  password?: string,
): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    ...(username === undefined ? {} : { username, password }),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

/**
 * The flow over MQTT: 45 s at 150 bpm open exactly one hr_high alert, seen on the
 * patient's doctor's WebSocket and not on another doctor's.
 */
async function tachycardiaFlow(w: World, client: MqttClient, deviceId: string): Promise<void> {
  const { t, doctorA, doctorB } = w;
  const wsA = await connectWs(t.app, `?token=${doctorA.token}`);
  const wsB = await connectWs(t.app, `?token=${doctorB.token}`);
  await wsA.next((m) => m.type === 'ready');
  await wsB.next((m) => m.type === 'ready');
  const start = t.clock.now() - 5 * 60_000;
  const packets = syntheticPackets(deviceId, 150, 45, start, 5);
  for (const p of packets)
    await client.publishAsync(topic(deviceId), JSON.stringify(p), { qos: 1 });
  await waitFor(
    async () =>
      (await storedCount(t, doctorA, deviceId, start, start + 60_000)) === packets.length
        ? true
        : undefined,
    'all MQTT packets stored',
  );
  const opened = await wsA.next(
    (m) => m.type === 'alert' && m.action === 'opened' && m.data?.rule_kind === 'hr_high',
  );
  expect(opened.data).toMatchObject({
    rule_kind: 'hr_high',
    patient_id: w.patient.user.id,
    device_id: deviceId,
  });
  await t.container.services.alerts.idle();
  const list = await t.app.inject({
    url: `/api/v1/alerts?patient_id=${w.patient.user.id}`,
    headers: doctorA.headers,
  });
  expect(
    list.json<{ items: { rule_kind: string }[] }>().items.filter((a) => a.rule_kind === 'hr_high'),
  ).toHaveLength(1);
  expect(wsB.messages.filter((m) => ['alert', 'vitals', 'prediction'].includes(m.type))).toEqual(
    [],
  );
  wsA.close();
  wsB.close();
}

const packetFor = (deviceId: string, ts: number): Packet => ({
  device_id: deviceId,
  timestamp: ts,
  ecg_samples: Array.from({ length: 250 }, (_, i) => Math.sin(i / 5) * 0.2),
  heart_rate_bpm: 70,
  spo2_percent: 98,
});

describe('MQTT through the embedded broker (aedes)', () => {
  let w: World;
  let url: string;
  let dev: { device_id: string; api_key: string };
  let other: { device_id: string; api_key: string };

  beforeAll(async () => {
    const port = await freePort();
    w = await world({ MQTT_PORT: String(port) });
    expect(w.t.container.pipeline.mqttPort).toBe(port);
    url = `mqtt://127.0.0.1:${port}`;
    dev = await registerDevice(w.t, w.doctorA, { patientId: w.patient.user.id });
    other = await registerDevice(w.t, w.doctorA, { patientId: w.patient.user.id });
  });
  afterAll(async () => {
    await w.t.close();
  });

  it('refuses a connection whose key does not belong to the device named as username', async () => {
    await expect(connectDevice(url, dev.device_id, other.api_key)).rejects.toThrow(
      /[Nn]ot authorized/,
    );
    await expect(connectDevice(url, dev.device_id, 'vgl_wrong')).rejects.toThrow(
      /[Nn]ot authorized/,
    );
  });

  it("does not store what a device publishes on another device's topic, nor a payload naming another device", async () => {
    const ts = w.t.clock.now() - 3_600_000;
    const c = await connectDevice(url, dev.device_id, dev.api_key);
    // Own topic, payload naming the other device: reaches Vigil, rejected as DEVICE_MISMATCH.
    await c.publishAsync(topic(dev.device_id), JSON.stringify(packetFor(other.device_id, ts)), {
      qos: 1,
    });
    // Someone else's topic: refused by the broker, which drops the connection (QoS 0: nothing
    // to wait for but the close).
    const closed = new Promise<void>((r) =>
      c.once('close', () => {
        r();
      }),
    );
    await c.publishAsync(
      topic(other.device_id),
      JSON.stringify(packetFor(other.device_id, ts + 1000)),
      { qos: 0 },
    );
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
    await c.endAsync(true);
    // A valid packet afterwards proves the pipeline drained.
    const c2 = await connectDevice(url, dev.device_id, dev.api_key);
    await c2.publishAsync(
      topic(dev.device_id),
      JSON.stringify(packetFor(dev.device_id, ts + 2000)),
      { qos: 1 },
    );
    await waitFor(
      async () =>
        (await storedCount(w.t, w.doctorA, dev.device_id, ts, ts + 3000)) === 1 ? true : undefined,
      'valid packet',
    );
    await c2.endAsync();
    expect(await storedCount(w.t, w.doctorA, other.device_id, ts, ts + 3000)).toBe(0);
  });

  it('runs the tachycardia alert flow over MQTT', async () => {
    const c = await connectDevice(url, dev.device_id, dev.api_key);
    await tachycardiaFlow(w, c, dev.device_id);
    await c.endAsync();
  });
});

describe('MQTT through a private Mosquitto with a password file and an ACL', () => {
  let w: World;
  let broker: MosquittoFixture;
  let devA: { device_id: string; api_key: string };
  let devB: { device_id: string; api_key: string };

  beforeAll(async () => {
    // As an operator would: the broker knows Vigil's subscriber user; each device registered in
    // Vigil then gets a broker user named by its device_id, with its API key as password.
    const vigil = { username: 'vigil', password: randomBytes(12).toString('hex') };
    broker = await startMosquitto({ vigil, devices: [] });
    w = await world({ MQTT_URL: broker.url(vigil) });
    devA = await registerDevice(w.t, w.doctorA, { patientId: w.patient.user.id });
    devB = await registerDevice(w.t, w.doctorA, { patientId: w.patient.user.id });
    await broker.addUser({ username: devA.device_id, password: devA.api_key });
    await broker.addUser({ username: devB.device_id, password: devB.api_key });
  });
  afterAll(async () => {
    await w.t.close();
    await broker.stop();
  });

  const brokerUrl = () => `mqtt://127.0.0.1:${broker.port}`;

  it('refuses anonymous devices and wrong keys', async () => {
    await expect(connectDevice(brokerUrl())).rejects.toThrow();
    await expect(connectDevice(brokerUrl(), devA.device_id, devB.api_key)).rejects.toThrow();
  });

  it("drops a publish on another device's topic (ACL) and Vigil rejects a payload naming another device", async () => {
    const ts = w.t.clock.now() - 3_600_000;
    const a = await connectDevice(brokerUrl(), devA.device_id, devA.api_key);
    await a.publishAsync(topic(devB.device_id), JSON.stringify(packetFor(devB.device_id, ts)), {
      qos: 1,
    });
    await a.publishAsync(
      topic(devA.device_id),
      JSON.stringify(packetFor(devB.device_id, ts + 1000)),
      { qos: 1 },
    );
    await a.publishAsync(
      topic(devA.device_id),
      JSON.stringify(packetFor(devA.device_id, ts + 2000)),
      { qos: 1 },
    );
    await waitFor(
      async () =>
        (await storedCount(w.t, w.doctorA, devA.device_id, ts, ts + 3000)) === 1 ? true : undefined,
      'valid packet',
    );
    expect(await storedCount(w.t, w.doctorA, devB.device_id, ts, ts + 3000)).toBe(0);
    await a.endAsync();
  });

  it('runs the tachycardia alert flow through Mosquitto', async () => {
    const a = await connectDevice(brokerUrl(), devA.device_id, devA.api_key);
    await tachycardiaFlow(w, a, devA.device_id);
    await a.endAsync();
  });
});

const systemBroker = await portAccepts(1883);

describe.skipIf(!systemBroker)(
  'MQTT through the Mosquitto already running at 127.0.0.1:1883 (anonymous)',
  () => {
    let w: World;
    let dev: { device_id: string; api_key: string };

    beforeAll(async () => {
      w = await world({ MQTT_URL: 'mqtt://127.0.0.1:1883' });
      // A unique id: other Vigil instances on this broker ignore devices they do not know.
      dev = await registerDevice(w.t, w.doctorA, {
        patientId: w.patient.user.id,
        deviceId: `SYS-${randomBytes(4).toString('hex')}`,
      });
    });
    afterAll(async () => {
      await w.t.close();
    });

    it('runs the tachycardia alert flow', async () => {
      const c = await connectDevice('mqtt://127.0.0.1:1883');
      await tachycardiaFlow(w, c, dev.device_id);
      await c.endAsync();
    });
  },
);
