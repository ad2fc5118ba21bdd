import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '@vigil/protocol';
import { startMosquitto, type MosquittoFixture } from '../../../test/mqtt/mosquitto-fixture.js';
import { MV_PROFILE } from '../../services/ecg-input-profile.js';
import { startExternalSubscriber } from './external-subscriber.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('external MQTT subscriber', () => {
  const vigil = { username: 'vigil', password: randomBytes(12).toString('hex') };
  const device = { username: 'DEV-SESSION-1', password: randomBytes(12).toString('hex') };
  let broker: MosquittoFixture;

  beforeAll(async () => {
    broker = await startMosquitto({ vigil, devices: [device] });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('ingests the messages its persistent session kept while it was away, none acknowledged unread', async () => {
    // The session exists on the broker (as after a Vigil instance was killed) and messages wait
    // in it: the broker sends them right after the CONNACK of the next connection. With the
    // handler installed after an awaited connectAsync, mqtt.js acknowledged them with its default
    // handler and nobody ingested them (test:cluster: the message in flight to a killed instance).
    const clientId = `vigil-session-${randomBytes(4).toString('hex')}`;
    const away = await mqtt.connectAsync(broker.url(vigil), { clientId, clean: false });
    await away.subscribeAsync('vigil/devices/+/vitals', { qos: 1 });
    await away.endAsync();

    const dev = await mqtt.connectAsync(broker.url(device), { clientId: device.username });
    for (let i = 0; i < 5; i++)
      await dev.publishAsync(
        `vigil/devices/${device.username}/vitals`,
        JSON.stringify({ device_id: device.username, timestamp: 1_700_000_000_000 + i * 1000 }),
        { qos: 1 },
      );
    await dev.endAsync();

    const ingested: number[] = [];
    const subscriber = await startExternalSubscriber({
      url: broker.url(vigil),
      clientId,
      discardSessionOnClose: true,
      log: silent,
      devices: {
        resolveUploader: (_auth, deviceId) =>
          Promise.resolve({
            id: 'row-1',
            device_id: deviceId,
            patient_id: null,
            owner_id: null,
            ecg_input: MV_PROFILE,
          }),
      },
      channels: {
        vitals: {
          validate: () => ({}),
          ingest: (_auth, payloads) => {
            const results: IngestResult[] = payloads.map((p) => {
              const ts = (p as { device_id: string; timestamp?: number }).timestamp ?? 0;
              ingested.push(ts);
              return { id: String(ts), device_id: p.device_id, timestamp: ts, sequence: null };
            });
            return Promise.resolve(results);
          },
        },
      },
    });
    try {
      for (let i = 0; i < 100 && ingested.length < 5; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(ingested).toEqual([0, 1, 2, 3, 4].map((i) => 1_700_000_000_000 + i * 1000));
    } finally {
      await subscriber.close();
    }
  });
});
