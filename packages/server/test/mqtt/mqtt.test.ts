import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttRejectionSchema, type MqttRejection } from '@vigil/protocol';
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
const errors = (deviceId: string) => `vigil/devices/${deviceId}/errors`;

/** Every message a client receives, parsed as a rejection, with a way to await the next. */
function inbox(client: MqttClient): {
  messages: { topic: string; body: MqttRejection }[];
  next(): Promise<MqttRejection>;
} {
  const messages: { topic: string; body: MqttRejection }[] = [];
  const waiting: ((m: MqttRejection) => void)[] = [];
  let read = 0;
  client.on('message', (t, payload) => {
    messages.push({ topic: t, body: JSON.parse(payload.toString()) as MqttRejection });
    const w = waiting.shift();
    const m = messages[read];
    if (w !== undefined && m !== undefined) {
      read++;
      w(m.body);
    }
  });
  return {
    messages,
    next: () =>
      new Promise<MqttRejection>((resolve, reject) => {
        const m = messages[read];
        if (m !== undefined) {
          read++;
          resolve(m.body);
          return;
        }
        const timer = setTimeout(() => {
          reject(new Error('no rejection message within 10 s'));
        }, 10_000);
        waiting.push((body) => {
          clearTimeout(timer);
          resolve(body);
        });
      }),
  };
}

/** The value of one Prometheus counter sample in GET /metrics (0 when absent). */
async function counter(t: TestApp, sample: string): Promise<number> {
  const res = await t.app.inject({ url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/**
 * A device subscribed to its errors topic publishes SpO2 150 (alone, then at index 1 of a
 * batch): it receives the error body HTTP would answer, naming spo2_percent, with the packet's
 * sequence and timestamp; `spy` (another device, trying to read it) receives nothing.
 */
async function rejectionFlow(
  w: World,
  device: { device_id: string; api_key: string },
  client: MqttClient,
  spy: MqttClient,
): Promise<void> {
  const box = inbox(client);
  const spied = inbox(spy);
  const ts = w.t.clock.now() - 2 * 3_600_000;
  const bad = { ...packetFor(device.device_id, ts), spo2_percent: 150, sequence: 42 };
  const rejectedBefore = await counter(
    w.t,
    'vigil_mqtt_rejections_total{code="VALIDATION_FAILED"}',
  );
  await client.publishAsync(topic(device.device_id), JSON.stringify(bad), { qos: 1 });
  const single = await box.next();
  expect(Value.Check(MqttRejectionSchema, single)).toBe(true);
  // The HTTP answer to the same packet, plus the packet's identity.
  const http = await w.t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': device.api_key },
    payload: bad,
  });
  expect(http.statusCode).toBe(400);
  expect(single).toEqual({ ...http.json<object>(), sequence: 42, timestamp: ts });
  expect(single).toMatchObject({ code: 'VALIDATION_FAILED', field: 'spo2_percent' });
  expect(single.message).toContain('spo2_percent');

  const good = { ...packetFor(device.device_id, ts + 1000), sequence: 43 };
  const batch = [good, { ...bad, timestamp: ts + 2000, sequence: 44 }];
  await client.publishAsync(topic(device.device_id), JSON.stringify(batch), { qos: 1 });
  expect(await box.next()).toMatchObject({
    code: 'VALIDATION_FAILED',
    field: '[1].spo2_percent',
    statusCode: 400,
    sequence: 44,
    timestamp: ts + 2000,
  });
  // Nothing of the refused batch was stored (all-or-nothing), and only the device was told.
  expect(await storedCount(w.t, w.doctorA, device.device_id, ts, ts + 3000)).toBe(0);
  expect(box.messages.map((m) => m.topic)).toEqual([
    errors(device.device_id),
    errors(device.device_id),
  ]);
  await new Promise((r) => setTimeout(r, 300));
  expect(spied.messages).toEqual([]);
  expect(await counter(w.t, 'vigil_mqtt_rejections_total{code="VALIDATION_FAILED"}')).toBe(
    rejectedBefore + 2,
  );
}

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
    expect(w.t.container.mqttPort).toBe(port);
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

  it("follows a device's reassignment and key rotation on a connection opened before them", async () => {
    const { t, doctorA, patient } = w;
    const second = await createPatient(t, doctorA);
    const moved = await registerDevice(t, doctorA, { patientId: patient.user.id });
    const ts = t.clock.now() - 30 * 60_000;
    const heartRates = async (patientId: string) =>
      (
        await t.app.inject({
          url: `/api/v1/patients/${patientId}/heart-rate?from=${ts - 1}&to=${ts + 10_000}`,
          headers: doctorA.headers,
        })
      )
        .json<{ observations: { bpm: number }[] }>()
        .observations.map((o) => o.bpm);
    const c = await connectDevice(url, moved.device_id, moved.api_key);
    const publish = (offsetMs: number, bpm: number) =>
      c.publishAsync(
        topic(moved.device_id),
        JSON.stringify({ ...packetFor(moved.device_id, ts + offsetMs), heart_rate_bpm: bpm }),
        { qos: 1 },
      );
    await publish(0, 61);
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${moved.id}`,
      headers: doctorA.headers,
      payload: { patient_id: second.user.id },
    });
    expect(put.statusCode).toBe(200);
    // Published on the same connection after the hand-over: the second patient's reading.
    await publish(1000, 122);
    expect(await heartRates(patient.user.id)).toEqual([61]);
    expect(await heartRates(second.user.id)).toEqual([122]);

    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${moved.id}/rotate-key`,
      headers: doctorA.headers,
    });
    expect(rotated.statusCode).toBe(200);
    // The old key stops working at once: the connection it opened is dropped, nothing stored.
    const closed = new Promise<void>((r) =>
      c.once('close', () => {
        r();
      }),
    );
    void publish(2000, 133).catch(() => undefined);
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => {
          reject(new Error('connection with the old key not closed'));
        }, 5000),
      ),
    ]);
    await c.endAsync(true);
    expect(await heartRates(second.user.id)).toEqual([122]);
    await expect(connectDevice(url, moved.device_id, moved.api_key)).rejects.toThrow(
      /[Nn]ot authorized/,
    );
  });

  it("drops a retired device's open connection at its next publish and refuses its key", async () => {
    const { t, doctorA, patient } = w;
    const device = await registerDevice(t, doctorA, { patientId: patient.user.id });
    const ts = t.clock.now() - 40 * 60_000;
    const c = await connectDevice(url, device.device_id, device.api_key);
    await c.publishAsync(topic(device.device_id), JSON.stringify(packetFor(device.device_id, ts)), {
      qos: 1,
    });
    const retired = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${device.id}`,
      headers: doctorA.headers,
    });
    expect(retired.statusCode).toBe(204);
    const closed = new Promise<void>((r) =>
      c.once('close', () => {
        r();
      }),
    );
    void c
      .publishAsync(
        topic(device.device_id),
        JSON.stringify(packetFor(device.device_id, ts + 1000)),
        { qos: 1 },
      )
      .catch(() => undefined);
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => {
          reject(new Error("a retired device's connection was not closed"));
        }, 5000),
      ),
    ]);
    await c.endAsync(true);
    // The packet sent before retirement is kept; the one after it was never stored.
    expect(await storedCount(t, doctorA, device.device_id, ts, ts + 2000)).toBe(1);
    await expect(connectDevice(url, device.device_id, device.api_key)).rejects.toThrow(
      /[Nn]ot authorized/,
    );
  });

  it('runs the tachycardia alert flow over MQTT', async () => {
    const c = await connectDevice(url, dev.device_id, dev.api_key);
    await tachycardiaFlow(w, c, dev.device_id);
    await c.endAsync();
  });

  it("publishes a refused packet's error to its device only, and counts it in /metrics", async () => {
    const c = await connectDevice(url, dev.device_id, dev.api_key);
    const spy = await connectDevice(url, other.device_id, other.api_key);
    expect(await c.subscribeAsync(errors(dev.device_id), { qos: 1 })).toMatchObject([
      { topic: errors(dev.device_id), qos: 1 },
    ]);
    // Another device's errors, a wildcard, and the vitals topics are all denied (SUBACK 0x80).
    // (mqtt.js rejects a SUBACK failure as "Subscribe error").
    for (const denied of [errors(dev.device_id), 'vigil/devices/+/errors', 'vigil/#'])
      await expect(spy.subscribeAsync(denied, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect(c.subscribeAsync(topic(dev.device_id), { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    await rejectionFlow(w, dev, c, spy);
    await c.endAsync();
    await spy.endAsync();
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
    const box = inbox(a);
    await a.subscribeAsync(errors(devA.device_id), { qos: 1 });
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
    // The device learns why its packet naming another device was refused (and the message is
    // consumed here, so it cannot reach the next test's subscription late).
    expect(await box.next()).toMatchObject({ code: 'DEVICE_MISMATCH', timestamp: ts + 1000 });
    await a.endAsync();
  });

  it("publishes a refused packet's error where only its device may read it (ACL)", async () => {
    const a = await connectDevice(brokerUrl(), devA.device_id, devA.api_key);
    const b = await connectDevice(brokerUrl(), devB.device_id, devB.api_key);
    expect(await a.subscribeAsync(errors(devA.device_id), { qos: 1 })).toMatchObject([
      { topic: errors(devA.device_id), qos: 1 },
    ]);
    // Mosquitto 2.0 grants the subscription and applies the ACL to each delivery: B must
    // receive nothing of A's errors.
    await b.subscribeAsync(errors(devA.device_id), { qos: 1 });
    await b.subscribeAsync('vigil/devices/+/errors', { qos: 1 });
    await rejectionFlow(w, devA, a, b);
    await a.endAsync();
    await b.endAsync();
  });

  it('runs the tachycardia alert flow through Mosquitto', async () => {
    const a = await connectDevice(brokerUrl(), devA.device_id, devA.api_key);
    await tachycardiaFlow(w, a, devA.device_id);
    await a.endAsync();
  });
});

describe('MQTT partition sessions on a single instance (a private Mosquitto)', () => {
  let w: World;
  let broker: MosquittoFixture;
  const base = `vigil-single-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const vigil = { username: 'vigil', password: randomBytes(12).toString('hex') };
    broker = await startMosquitto({ vigil, devices: [] });
    w = await world({
      MQTT_URL: broker.url(vigil),
      MQTT_PARTITION_SESSIONS: base,
      MQTT_SESSIONS_PER_PARTITION: '2',
    });
  });
  afterAll(async () => {
    await w.t.close();
    await broker.stop();
  });

  it('subscribes a device registered after start in its session and runs the tachycardia alert flow over it', async () => {
    const dev = await registerDevice(w.t, w.doctorA, { patientId: w.patient.user.id });
    await broker.addUser({ username: dev.device_id, password: dev.api_key });
    const url = `mqtt://127.0.0.1:${String(broker.port)}`;
    const c = await connectDevice(url, dev.device_id, dev.api_key);
    // The registration's notice subscribes the device in its session: a packet published
    // before that reaches no subscriber, so one is sent again until it is stored.
    const probe = w.t.clock.now() - 3_600_000;
    await waitFor(async () => {
      await c.publishAsync(topic(dev.device_id), JSON.stringify(packetFor(dev.device_id, probe)), {
        qos: 1,
      });
      await new Promise((r) => setTimeout(r, 100));
      return (await storedCount(w.t, w.doctorA, dev.device_id, probe, probe + 1)) === 1
        ? true
        : undefined;
    }, 'the new device subscribed');
    await tachycardiaFlow(w, c, dev.device_id);
    await c.endAsync();
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
