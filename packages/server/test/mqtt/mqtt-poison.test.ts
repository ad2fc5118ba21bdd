import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IngestResult, MqttDeadLetterPage } from '@vigil/protocol';
import { MV_PROFILE } from '../../src/services/ecg-input-profile.js';
import { MqttDeadLettersService } from '../../src/services/mqtt-dead-letters.service.js';
import type { MqttChannels } from '../../src/transports/mqtt/device-message.js';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../src/transports/mqtt/embedded-broker.js';
import { startExternalSubscriber } from '../../src/transports/mqtt/external-subscriber.js';
import { createPoisonQuarantine } from '../../src/transports/mqtt/poison-messages.js';
import { createAdmin, createDoctor, createTestApp, type TestApp } from '../helpers/index.js';
import { freePort, startMosquitto, type MosquittoFixture } from './mosquitto-fixture.js';

/**
 * A message whose ingestion fails on the server's side is left unacknowledged so that the broker
 * (or the device) sends it again: right for an outage, but a message that fails every time (a
 * bug; a baby-monitor message with U+0000 in `notes` did, on PostgreSQL) came again forever and
 * held back every later message of its session or device. Now its MQTT_POISON_ATTEMPTS-th
 * failure stores it in mqtt_dead_letters and acknowledges it, unless that insert fails too.
 * The dead letters live in the test database: SQLite, or PostgreSQL when DATABASE_URL is set.
 */
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const DEVICE = 'DEV-POISON-1';
const ATTEMPTS = 3;
const TOPIC = `vigil/devices/${DEVICE}/vitals`;
/** With U+0000 (which PostgreSQL text refuses) and a non-ASCII character, kept byte for byte. */
const POISON = Buffer.from(
  JSON.stringify({
    device_id: DEVICE,
    timestamp: 1_700_000_000_000,
    poison: true,
    notes: 'é\u0000',
  }),
);
const good = (ts: number) => JSON.stringify({ device_id: DEVICE, timestamp: ts });

const identity = (deviceId: string) => ({
  id: 'row-1',
  device_id: deviceId,
  patient_id: null,
  owner_id: null,
  ecg_input: MV_PROFILE,
});

/** A channel that throws for payloads carrying `poison`, and for the next `transient` others. */
function channel(ingested: number[], o: { transient?: number } = {}): MqttChannels {
  let transient = o.transient ?? 0;
  return {
    vitals: {
      validate: () => ({}),
      ingest: (_auth, payloads) => {
        const results: IngestResult[] = payloads.map((p) => {
          const { poison, timestamp } = p as {
            device_id: string;
            poison?: boolean;
            timestamp: number;
          };
          if (poison === true) throw new Error('value refused by the database');
          if (transient > 0) {
            transient--;
            throw new Error('connection reset while ingesting');
          }
          ingested.push(timestamp);
          return { id: String(timestamp), device_id: p.device_id, timestamp, sequence: null };
        });
        return Promise.resolve(results);
      },
    },
  };
}

let t: TestApp;
let deadLetters: MqttDeadLettersService;
beforeEach(async () => {
  t = await createTestApp();
  deadLetters = t.container.services.mqttDeadLetters;
});
afterEach(async () => {
  await t.close();
});

const listDeadLetters = async () =>
  (await t.container.repositories.mqttDeadLetters.list(undefined, 100)).filter(
    (r) => r.device_id === DEVICE,
  );

describe('embedded broker: a message that keeps failing', () => {
  let broker: EmbeddedBroker | null = null;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await broker?.close();
    broker = null;
  });

  async function start(o: {
    ingested: number[];
    transient?: number;
    store?: MqttDeadLettersService['store'];
    quarantined?: string[];
  }) {
    broker = await startEmbeddedBroker({
      port: await freePort(),
      host: '127.0.0.1',
      channels: channel(o.ingested, o),
      devices: {
        authenticateKey: () =>
          Promise.resolve({ kind: 'device' as const, device: identity(DEVICE) }),
        resolveUploader: (_auth, deviceId) => Promise.resolve(identity(deviceId)),
      },
      log: silent,
      quarantine: createPoisonQuarantine({
        attempts: ATTEMPTS,
        deadLetters: { store: o.store ?? ((l) => deadLetters.store(l)) },
        log: silent,
        onQuarantined: () => o.quarantined?.push('x'),
      }),
    });
    if (broker === null) throw new Error('no embedded broker');
    return broker.port;
  }

  /** One delivery by a fresh connection (the device resending): 'puback' or 'no puback'. */
  async function deliver(port: number, payload: Buffer | string, errors?: Buffer[]) {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(port)}`, {
      username: DEVICE,
      password: 'key',
      reconnectPeriod: 0,
    });
    clients.push(c);
    if (errors !== undefined) {
      c.on('message', (_topic, m) => errors.push(m));
      await c.subscribeAsync(`vigil/devices/${DEVICE}/errors`, { qos: 1 });
    }
    return Promise.race([
      c.publishAsync(TOPIC, payload, { qos: 1 }).then(
        () => 'puback' as const,
        () => 'no puback' as const,
      ),
      new Promise<'no puback'>((resolve) => {
        c.once('close', () => {
          resolve('no puback');
        });
        setTimeout(() => {
          resolve('no puback');
        }, 3000);
      }),
    ]);
  }

  it('is acknowledged at its third failure, stored byte for byte, and the next message is ingested', async () => {
    const ingested: number[] = [];
    const quarantined: string[] = [];
    const port = await start({ ingested, quarantined });
    for (let i = 1; i < ATTEMPTS; i++) expect(await deliver(port, POISON)).toBe('no puback');
    expect(await listDeadLetters()).toEqual([]);

    const errors: Buffer[] = [];
    expect(await deliver(port, POISON, errors)).toBe('puback');
    const letters = await listDeadLetters();
    expect(letters).toHaveLength(1);
    expect(Buffer.compare(letters[0]?.payload ?? Buffer.alloc(0), POISON)).toBe(0);
    expect(letters[0]).toMatchObject({
      topic: TOPIC,
      error_code: 'INTERNAL_ERROR',
      error_message: 'Error: value refused by the database',
      attempts: ATTEMPTS,
    });
    expect(quarantined).toHaveLength(1);
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(errors[0]?.toString() ?? '{}')).toMatchObject({
      code: 'MESSAGE_QUARANTINED',
      statusCode: 422,
    });

    expect(await deliver(port, good(1_700_000_001_000))).toBe('puback');
    expect(ingested).toEqual([1_700_000_001_000]);
  });

  it('is never acknowledged while the dead-letter insert fails too (an outage)', async () => {
    const ingested: number[] = [];
    const port = await start({
      ingested,
      store: () => Promise.reject(new Error('database unreachable')),
    });
    for (let i = 0; i < ATTEMPTS + 2; i++) expect(await deliver(port, POISON)).toBe('no puback');
    expect(await listDeadLetters()).toEqual([]);
  });

  it('is ingested normally when it succeeds before the limit, with no dead letter', async () => {
    const ingested: number[] = [];
    const port = await start({ ingested, transient: ATTEMPTS - 1 });
    const body = good(1_700_000_002_000);
    for (let i = 1; i < ATTEMPTS; i++) expect(await deliver(port, body)).toBe('no puback');
    expect(await deliver(port, body)).toBe('puback');
    expect(ingested).toEqual([1_700_000_002_000]);
    expect(await listDeadLetters()).toEqual([]);
  });
});

describe('external broker: a message that keeps failing', () => {
  const vigil = { username: 'vigil', password: randomBytes(12).toString('hex') };
  const device = { username: DEVICE, password: randomBytes(12).toString('hex') };
  let mosquitto: MosquittoFixture;
  beforeAll(async () => {
    mosquitto = await startMosquitto({ vigil, devices: [device] });
  });
  afterAll(async () => {
    await mosquitto.stop();
  });

  it('stops holding back the session: later messages are ingested, it is dead-lettered', async () => {
    const ingested: number[] = [];
    const clientId = `vigil-poison-${randomBytes(4).toString('hex')}`;
    const subscriber = await startExternalSubscriber({
      url: mosquitto.url(vigil),
      clientId,
      discardSessionOnClose: true,
      log: silent,
      devices: { resolveUploader: (_auth, deviceId) => Promise.resolve(identity(deviceId)) },
      channels: channel(ingested),
      quarantine: createPoisonQuarantine({
        attempts: 2,
        deadLetters: { store: (l) => deadLetters.store(l) },
        log: silent,
      }),
    });
    const dev = await mqtt.connectAsync(mosquitto.url(device), { clientId: DEVICE });
    try {
      await dev.publishAsync(TOPIC, POISON, { qos: 1 });
      await dev.publishAsync(TOPIC, good(1_700_000_003_000), { qos: 1 });
      // Each failure drops the connection; the subscriber reconnects every 2 s and the broker
      // delivers the poison first again.
      for (let i = 0; i < 200 && ingested.length === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(ingested).toEqual([1_700_000_003_000]);
      const letters = await listDeadLetters();
      expect(letters).toHaveLength(1);
      expect(Buffer.compare(letters[0]?.payload ?? Buffer.alloc(0), POISON)).toBe(0);
      expect(letters[0]?.attempts).toBe(2);
    } finally {
      await dev.endAsync();
      await subscriber.close();
    }
  });
});

describe('MQTT dead letters for admins', () => {
  it('lists them newest first in pages, payload in base64, and only to admins', async () => {
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      await deadLetters.store({
        deviceId: DEVICE,
        topic: TOPIC,
        payload: Buffer.from([i, 0x00, 0xff]),
        errorCode: 'INTERNAL_ERROR',
        errorMessage: `failure ${String(i)} \u0000`,
        attempts: 5,
      });
    }
    const admin = { id: 'admin-1', role: 'admin' as const, email: 'a@example.org' };
    const first = await deadLetters.list(admin, { limit: 2 });
    expect(first.items.map((l) => [l.payload_base64, l.error_message])).toEqual([
      [Buffer.from([2, 0, 255]).toString('base64'), 'failure 2 \uFFFD'],
      [Buffer.from([1, 0, 255]).toString('base64'), 'failure 1 \uFFFD'],
    ]);
    expect(first.next_cursor).not.toBeNull();
    const second = await deadLetters.list(admin, { limit: 2, cursor: first.next_cursor ?? '' });
    expect(second.items.map((l) => l.payload_base64)).toEqual([
      Buffer.from([0, 0, 255]).toString('base64'),
    ]);
    expect(second.next_cursor).toBeNull();
    await expect(
      deadLetters.list({ ...admin, role: 'doctor' as const }, { limit: 2 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('serves them to an admin on GET /api/v1/admin/mqtt-dead-letters, payload bytes intact', async () => {
    const letter = Buffer.from([0x7b, 0x00, 0xff, 0x7d]);
    await t.container.services.mqttDeadLetters.store({
      deviceId: DEVICE,
      topic: TOPIC,
      payload: letter,
      errorCode: 'INTERNAL_ERROR',
      errorMessage: 'boom',
      attempts: 5,
    });
    const admin = await createAdmin(t);
    const res = await t.app.inject({
      url: '/api/v1/admin/mqtt-dead-letters?limit=1',
      headers: admin.headers,
    });
    expect(res.statusCode).toBe(200);
    const page = res.json<MqttDeadLetterPage>();
    expect(page.items).toHaveLength(1);
    expect(Buffer.from(page.items[0]?.payload_base64 ?? '', 'base64')).toEqual(letter);
    expect(page.items[0]).toMatchObject({ device_id: DEVICE, topic: TOPIC, attempts: 5 });
    const doctor = await createDoctor(t);
    const refused = await t.app.inject({
      url: '/api/v1/admin/mqtt-dead-letters',
      headers: doctor.headers,
    });
    expect(refused.json()).toMatchObject({ code: 'FORBIDDEN', statusCode: 403 });
  });
});
