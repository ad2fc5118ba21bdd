import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
import { connectWs } from '../vitals/ws-client.js';
import { freePort, portAccepts } from './mosquitto-fixture.js';

/**
 * The seed-002 nursery ESP32 (`thenamvn/backend-ntex`, app/services/mqtt_service.py)
 * publishes `{"FinalResult", "InfantCry", "Snoring", "Temperature", "Humidity"}` with `"Err"` for
 * a failed sensor. These are its exact messages, published with a real MQTT client (mqtt.js) on
 * the device's topic, through the embedded broker and through the Mosquitto at 127.0.0.1:1883.
 */
const ESP32 = {
  snoring:
    '{"FinalResult": "SNORING", "InfantCry": 5.52, "Snoring": 94.48, "Temperature": 25.8, "Humidity": 72}',
  cryTemperatureErr:
    '{"FinalResult": "InfantCry", "InfantCry": 93.1, "Snoring": 6.9, "Temperature": "Err", "Humidity": 55}',
  cryHumidityErr:
    '{"FinalResult": "InfantCry", "InfantCry": 88.0, "Snoring": 12.0, "Temperature": 38.4, "Humidity": "Err"}',
  snoringBothErr:
    '{"FinalResult": "SNORING", "InfantCry": 2.1, "Snoring": 97.9, "Temperature": "Err", "Humidity": "Err"}',
  calm: '{"FinalResult": "SNORING", "InfantCry": 4.0, "Snoring": 96.0, "Temperature": 36.9, "Humidity": 50}',
};

/** The value of one Prometheus counter sample in GET /metrics (0 when absent). */
async function counter(t: TestApp, sample: string): Promise<number> {
  const res = await t.app.inject({ url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

interface World {
  t: TestApp;
  doctor: TestUser;
  otherDoctor: TestUser;
  baby: TestUser;
  monitor: { device_id: string; api_key: string };
}

async function world(
  env: Record<string, string>,
  database?: NonNullable<Parameters<typeof createTestApp>[0]>['database'],
): Promise<World> {
  const t = await createTestApp({ env, ...(database === undefined ? {} : { database }) });
  const admin = await createAdmin(t);
  const doctor = await createDoctor(t, admin, 'Dr Nursery');
  const otherDoctor = await createDoctor(t, admin, 'Dr Elsewhere');
  const baby = await createPatient(t, doctor, 'Baby MQTT');
  // A unique id: other Vigil instances on a shared broker ignore devices they do not know.
  const monitor = await registerDevice(t, doctor, {
    patientId: baby.user.id,
    deviceId: `ESP32-NURSERY-${randomBytes(4).toString('hex')}`,
  });
  return { t, doctor, otherDoctor, baby, monitor };
}

const stored = (w: World) =>
  w.t.container.database.db
    .selectFrom('baby_readings')
    .select([
      'temperature_c',
      'humidity_percent',
      'cry_detected',
      'cry_probability',
      'cry_source',
      'device_cry_detected',
      'audio_cry_probability',
      'sick_detected',
    ])
    .where('device_id', '=', w.monitor.device_id)
    .orderBy('ts')
    .execute();

async function until<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The ESP32's messages one by one (each stored before the next, a second apart), then a malformed
 * payload and an invalid one, then a valid message: stored, pushed and alerted as for uploads;
 * the bad ones counted in /metrics without stopping the subscriber.
 */
async function nurseryFlow(w: World, client: MqttClient): Promise<void> {
  const { t } = w;
  const topic = `vigil/devices/${w.monitor.device_id}/readings`;
  const mine = await connectWs(t.app, `?token=${w.doctor.token}`);
  const theirs = await connectWs(t.app, `?token=${w.otherDoctor.token}`);
  try {
    await mine.next((m) => m.type === 'ready');
    await theirs.next((m) => m.type === 'ready');
    const publish = async (payload: string, expectedRows: number) => {
      t.clock.advance(1000);
      await client.publishAsync(topic, payload, { qos: 1 });
      await until(
        async () => ((await stored(w)).length === expectedRows ? true : undefined),
        `reading ${expectedRows}`,
      );
    };
    await publish(ESP32.snoring, 1);
    await publish(ESP32.cryTemperatureErr, 2);
    await publish(ESP32.cryHumidityErr, 3);
    await publish(ESP32.snoringBothErr, 4);

    const malformedBefore = await counter(
      t,
      'vigil_mqtt_rejections_total{code="MALFORMED_REQUEST"}',
    );
    const invalidBefore = await counter(t, 'vigil_mqtt_rejections_total{code="VALIDATION_FAILED"}');
    await client.publishAsync(topic, '{"FinalResult": "InfantCry", "Temperature": 38', { qos: 1 });
    await client.publishAsync(topic, '{"FinalResult": "InfantCry", "Temperature": "hot"}', {
      qos: 1,
    });
    await until(
      async () =>
        (await counter(t, 'vigil_mqtt_rejections_total{code="MALFORMED_REQUEST"}')) ===
          malformedBefore + 1 &&
        (await counter(t, 'vigil_mqtt_rejections_total{code="VALIDATION_FAILED"}')) ===
          invalidBefore + 1
          ? true
          : undefined,
      'the two bad messages counted',
    );
    // The subscriber goes on: the next good message is stored.
    await publish(ESP32.calm, 5);

    const closeTo = (v: number) => expect.closeTo(v, 4) as number;
    expect(await stored(w)).toEqual([
      {
        temperature_c: closeTo(25.8),
        humidity_percent: 72,
        cry_detected: 0,
        cry_probability: closeTo(0.0552),
        cry_source: 'device',
        device_cry_detected: 0,
        audio_cry_probability: null,
        sick_detected: 0,
      },
      {
        temperature_c: null,
        humidity_percent: 55,
        cry_detected: 1,
        cry_probability: closeTo(0.931),
        cry_source: 'device',
        device_cry_detected: 1,
        audio_cry_probability: null,
        sick_detected: 0, // no temperature: not judged sick, never a default
      },
      {
        temperature_c: closeTo(38.4),
        humidity_percent: null,
        cry_detected: 1,
        cry_probability: closeTo(0.88),
        cry_source: 'device',
        device_cry_detected: 1,
        audio_cry_probability: null,
        sick_detected: 1,
      },
      {
        temperature_c: null,
        humidity_percent: null,
        cry_detected: 0,
        cry_probability: closeTo(0.021),
        cry_source: 'device',
        device_cry_detected: 0,
        audio_cry_probability: null,
        sick_detected: 0,
      },
      {
        temperature_c: closeTo(36.9),
        humidity_percent: 50,
        cry_detected: 0,
        cry_probability: closeTo(0.04),
        cry_source: 'device',
        device_cry_detected: 0,
        audio_cry_probability: null,
        sick_detected: 0,
      },
    ]);

    // CRY_DETECTED as for uploads: the two cries, to the baby's doctor only.
    await mine.next(
      (m) =>
        m.event === 'CRY_DETECTED' && (m.data as { temperature?: unknown }).temperature === 38.4,
    );
    const cries = mine.messages.filter((m) => m.event === 'CRY_DETECTED');
    expect(cries).toEqual([
      expect.objectContaining({
        patient_id: w.baby.user.id,
        sick_detected: false,
        data: { temperature: null, humidity: 55 },
      }),
      expect.objectContaining({
        patient_id: w.baby.user.id,
        sick_detected: true,
        data: { temperature: 38.4, humidity: null },
      }),
    ]);
    expect(theirs.messages.filter((m) => m.event === 'CRY_DETECTED')).toEqual([]);

    // Alerts through the lifecycle: humidity 72 % (high), crying at 38.4 °C (sick), the fever.
    await t.container.services.alerts.idle();
    const alerts = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${w.baby.user.id}`,
      headers: w.doctor.headers,
    });
    expect(
      [
        ...new Set(alerts.json<{ items: { rule_kind: string }[] }>().items.map((a) => a.rule_kind)),
      ].sort(),
    ).toEqual(['humidity_high', 'infant_fever', 'infant_sick']);
  } finally {
    mine.close();
    theirs.close();
  }
}

describe('the seed-002 nursery ESP32 over MQTT: the embedded broker', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ MQTT_PORT: String(await freePort()) });
  });
  afterAll(async () => {
    await w.t.close();
  });
  /** The monitor's own connection to the embedded broker, with its device id and key. */
  const connectMonitor = async (): Promise<MqttClient> => {
    const port = w.t.container.mqttPort;
    if (port === null) throw new Error('the embedded broker is not running');
    return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: w.monitor.device_id,
      password: w.monitor.api_key,
      reconnectPeriod: 0,
    });
  };

  it('stores its exact messages ("Err" = no reading), pushes and alerts, and survives malformed ones', async () => {
    const client = await connectMonitor();
    try {
      await nurseryFlow(w, client);
    } finally {
      await client.endAsync();
    }
  });

  it("stores a cool nursery's cry (18.5 °C, the room the ESP32 measures) and pushes CRY_DETECTED", async () => {
    // The ESP32's Temperature is the room's (25.8 °C in the seed's own example), and a nursery is
    // kept at 16–20 °C. Before, every message under 20 °C was refused (VALIDATION_FAILED on the
    // errors topic) and its cry lost: no reading, no push, no alert.
    const client = await connectMonitor();
    const mine = await connectWs(w.t.app, `?token=${w.doctor.token}`);
    try {
      const rejections: unknown[] = [];
      client.on('message', (_topic, payload) => rejections.push(JSON.parse(payload.toString())));
      await client.subscribeAsync(`vigil/devices/${w.monitor.device_id}/errors`, { qos: 1 });
      await mine.next((m) => m.type === 'ready');
      const before = (await stored(w)).length;
      w.t.clock.advance(1000);
      await client.publishAsync(
        `vigil/devices/${w.monitor.device_id}/readings`,
        '{"FinalResult": "InfantCry", "InfantCry": 88.1, "Snoring": 11.9, "Temperature": 18.5, "Humidity": 55}',
        { qos: 1 },
      );
      const cry = await mine.next(
        (m) =>
          m.event === 'CRY_DETECTED' && (m.data as { temperature?: unknown }).temperature === 18.5,
      );
      expect(cry).toMatchObject({
        sick_detected: false,
        data: { temperature: 18.5, humidity: 55 },
      });
      const rows = await stored(w);
      expect(rows.length).toBe(before + 1);
      expect(rows[rows.length - 1]).toMatchObject({
        temperature_c: expect.closeTo(18.5, 4) as number,
        cry_detected: 1,
        cry_source: 'device',
      });
      expect(rejections).toEqual([]);
    } finally {
      mine.close();
      await client.endAsync();
    }
  });

  it('stores numbers written as strings ("Temperature": "25.8") as the numbers, and refuses other strings naming the field', async () => {
    // Seed 002's Python float() read "25.8"; Vigil refused the message (VALIDATION_FAILED on the
    // errors topic) and the reading was lost. A plain decimal string is now its number, before
    // the range rule; whitespace, NaN, Infinity, hex and empty strings are still refused.
    const client = await connectMonitor();
    try {
      const rejections: { field?: string; code?: string }[] = [];
      client.on('message', (_topic, payload) =>
        rejections.push(JSON.parse(payload.toString()) as { field?: string }),
      );
      await client.subscribeAsync(`vigil/devices/${w.monitor.device_id}/errors`, { qos: 1 });
      const topic = `vigil/devices/${w.monitor.device_id}/readings`;
      const before = (await stored(w)).length;
      w.t.clock.advance(1000);
      await client.publishAsync(
        topic,
        '{"FinalResult": "InfantCry", "InfantCry": "93.5", "Snoring": "6.5", "Temperature": "25.8", "Humidity": "7.2e1"}',
        { qos: 1 },
      );
      await until(
        async () => ((await stored(w)).length === before + 1 ? true : undefined),
        'the reading with numeric strings',
      );
      expect((await stored(w))[before]).toMatchObject({
        temperature_c: expect.closeTo(25.8, 4) as number,
        humidity_percent: 72,
        cry_detected: 1,
        cry_probability: expect.closeTo(0.935, 4) as number,
        cry_source: 'device',
      });

      const refused = [
        ['Temperature', '" 25.8"'],
        ['Temperature', '"NaN"'],
        ['Humidity', '"Infinity"'],
        ['Humidity', '""'],
        ['InfantCry', '"0x10"'],
      ] as const;
      for (const [field, value] of refused) {
        w.t.clock.advance(1000);
        await client.publishAsync(topic, `{"FinalResult": "SNORING", "${field}": ${value}}`, {
          qos: 1,
        });
      }
      // Out of range once read as a number: the range rule still applies.
      await client.publishAsync(topic, '{"Temperature": "51"}', { qos: 1 });
      await until(
        () => Promise.resolve(rejections.length === refused.length + 1 ? true : undefined),
        'the rejections',
      );
      expect(rejections.map((r) => [r.code, r.field])).toEqual([
        ...refused.map(([field]) => ['VALIDATION_FAILED', field]),
        ['VALIDATION_FAILED', 'Temperature'],
      ]);
      expect(rejections[refused.length]).toMatchObject({
        message: 'Temperature must be between -10 and 50 °C',
      });
      expect((await stored(w)).length).toBe(before + 1);
    } finally {
      await client.endAsync();
    }
  });

  it('acknowledges a DUP redelivery of a message stored in the last 10 minutes without storing it again, and stores the same bytes without DUP', async () => {
    // A QoS 1 message stored but not acknowledged before a crash comes again flagged DUP; seed
    // 002's messages carry no timestamp, so it was stored a second time (a second reading, a
    // second CRY_DETECTED). A monitor repeating the same values without DUP is a new reading.
    const client = await connectMonitor();
    const mine = await connectWs(w.t.app, `?token=${w.doctor.token}`);
    try {
      await mine.next((m) => m.type === 'ready');
      const topic = `vigil/devices/${w.monitor.device_id}/readings`;
      const payload =
        '{"FinalResult": "InfantCry", "InfantCry": 91.2, "Snoring": 8.8, "Temperature": 37.2, "Humidity": 61}';
      const rows = async () =>
        (await stored(w)).filter(
          (r) => r.temperature_c !== null && Math.abs(r.temperature_c - 37.2) < 1e-4,
        );
      w.t.clock.advance(1000);
      await client.publishAsync(topic, payload, { qos: 1 });
      await until(
        async () => ((await rows()).length === 1 ? true : undefined),
        'the first delivery',
      );

      // The redelivery: acknowledged (publishAsync resolves on the PUBACK), not stored again.
      w.t.clock.advance(5 * 60_000);
      await client.publishAsync(topic, payload, { qos: 1, dup: true });
      expect((await rows()).length).toBe(1);

      // The same bytes without DUP: the sensor repeating its reading, stored.
      w.t.clock.advance(1000);
      await client.publishAsync(topic, payload, { qos: 1 });
      expect((await rows()).length).toBe(2);

      // DUP with other bytes is a message Vigil never stored: stored.
      w.t.clock.advance(1000);
      await client.publishAsync(topic, payload.replace('"Humidity": 61', '"Humidity": 62'), {
        qos: 1,
        dup: true,
      });
      expect((await rows()).map((r) => r.humidity_percent)).toEqual([61, 61, 62]);

      // DUP of bytes last stored more than 10 minutes ago: not a redelivery of it, stored.
      w.t.clock.advance(10 * 60_000 + 1);
      await client.publishAsync(topic, payload, { qos: 1, dup: true });
      expect((await rows()).map((r) => r.humidity_percent)).toEqual([61, 61, 62, 61]);

      // One CRY_DETECTED per stored reading: none for the redelivery.
      await mine.next(
        (m) =>
          m.event === 'CRY_DETECTED' &&
          mine.messages.filter(
            (c) =>
              c.event === 'CRY_DETECTED' &&
              (c.data as { temperature?: unknown }).temperature === 37.2,
          ).length === 4,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(
        mine.messages.filter(
          (c) =>
            c.event === 'CRY_DETECTED' &&
            (c.data as { temperature?: unknown }).temperature === 37.2,
        ),
      ).toHaveLength(4);
    } finally {
      mine.close();
      await client.endAsync();
    }
  });

  it('refuses a message whose notes hold U+0000 on its errors topic naming notes, then stores the next', async () => {
    // Found by fuzzing the readings topic on PostgreSQL: the insert failed (text cannot hold
    // U+0000), the message was left unacknowledged and the connection dropped, so the broker
    // delivered it again on every reconnection and the monitor's later messages never arrived.
    const client = await connectMonitor();
    try {
      const rejections: unknown[] = [];
      client.on('message', (_topic, payload) => rejections.push(JSON.parse(payload.toString())));
      await client.subscribeAsync(`vigil/devices/${w.monitor.device_id}/errors`, { qos: 1 });
      const topic = `vigil/devices/${w.monitor.device_id}/readings`;
      const before = (await stored(w)).length;
      w.t.clock.advance(1000);
      await client.publishAsync(topic, JSON.stringify({ Temperature: 36.9, notes: 'a\u0000b' }), {
        qos: 1,
      });
      await until(() => Promise.resolve(rejections.length > 0 ? true : undefined), 'the rejection');
      expect(rejections).toEqual([
        expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'notes', statusCode: 400 }),
      ]);
      w.t.clock.advance(1000);
      await client.publishAsync(topic, ESP32.calm, { qos: 1 });
      await until(
        async () => ((await stored(w)).length === before + 1 ? true : undefined),
        'the next reading',
      );
    } finally {
      await client.endAsync();
    }
  });
});

const systemBroker = await portAccepts(1883);

describe.skipIf(!systemBroker)(
  'the seed-002 nursery ESP32 over MQTT: the Mosquitto at 127.0.0.1:1883 (anonymous)',
  () => {
    let w: World;
    beforeAll(async () => {
      w = await world({ MQTT_URL: 'mqtt://127.0.0.1:1883' });
    });
    afterAll(async () => {
      await w.t.close();
    });

    it('stores its exact messages ("Err" = no reading), pushes and alerts, and survives malformed ones', async () => {
      const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', {
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      try {
        await nurseryFlow(w, client);
      } finally {
        await client.endAsync();
      }
    });
  },
);

describe.skipIf(!systemBroker)(
  'the seed-002 nursery ESP32 over MQTT: a retained message and a restart of Vigil',
  () => {
    it('does not store a retained message again when Vigil restarts and subscribes anew', async () => {
      // An ESP32 publishing with the retain flag (common for sensor topics, so a dashboard that
      // connects sees the last value) has its last message kept by the broker, which sends it to
      // every new subscription with retain set. Vigil subscribes anew on every start: the same
      // reading was stored again, stamped with the restart time, and its cry pushed again.
      const dir = mkdtempSync(path.join(tmpdir(), 'vigil-retained-'));
      const placement =
        process.env.DATABASE_URL === undefined
          ? { sqlitePath: path.join(dir, 'vigil.sqlite') }
          : { pgSchema: `vigil_srvtest_${randomBytes(6).toString('hex')}`, maxConnections: 4 };
      const env = { MQTT_URL: 'mqtt://127.0.0.1:1883' };
      const first = await world(env, { ...placement, dropSchemaOnClose: false });
      const topic = `vigil/devices/${first.monitor.device_id}/readings`;
      const device = await mqtt.connectAsync('mqtt://127.0.0.1:1883', {
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      let second: TestApp | undefined;
      try {
        await device.publishAsync(topic, ESP32.cryHumidityErr, { qos: 1, retain: true });
        await until(
          async () => ((await stored(first)).length === 1 ? true : undefined),
          'the retained reading',
        );
        await first.t.close();
        second = await createTestApp({ env, database: { ...placement, dropSchemaOnClose: true } });
        const again = { ...first, t: second };
        // A live message after the restart: once it is stored, the retained copy came before it.
        await device.publishAsync(topic, ESP32.calm, { qos: 1 });
        await until(
          async () =>
            (await stored(again)).some((r) => r.temperature_c === 36.9) ? true : undefined,
          'the live reading after the restart',
        );
        const rows = await stored(again);
        expect(rows.map((r) => [r.temperature_c, r.humidity_percent, r.cry_detected])).toEqual([
          [38.4, null, 1],
          [36.9, 50, 0],
        ]);
      } finally {
        // Clears the retained message on the shared broker.
        await device.publishAsync(topic, '', { qos: 1, retain: true });
        await device.endAsync();
        await second?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
