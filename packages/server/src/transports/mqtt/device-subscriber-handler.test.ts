import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { IngestResult } from '@vigil/protocol';
import { MV_PROFILE } from '../../services/ecg-input-profile.js';
import type { MqttDelivery } from './device-message.js';
import { installDeviceHandler } from './device-subscriber-handler.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the device handler of a subscriber on an external broker', () => {
  it("passes the broker's DUP flag and the payload bytes to the channel, and acknowledges", async () => {
    // A broker redelivering an unacknowledged QoS 1 message to Vigil's session flags it DUP
    // (Mosquitto does on the reconnection): the channel decides whether it is one already stored.
    const seen: MqttDelivery[] = [];
    const client = {
      publishAsync: () => Promise.resolve(undefined),
      stream: { destroy: () => undefined },
    } as unknown as MqttClient;
    installDeviceHandler(client, {
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
        readings: {
          validate: () => ({}),
          ingest: (_auth, payloads, _batch, message) => {
            seen.push(message);
            const results: IngestResult[] = payloads.map((p) => ({
              id: 'r1',
              device_id: p.device_id,
              timestamp: 0,
              sequence: null,
            }));
            return Promise.resolve(results);
          },
        },
      },
    });
    const payload = Buffer.from('{"Temperature": 25.8}');
    const deliver = (dup: boolean) =>
      new Promise<void>((resolve) => {
        client.handleMessage(
          {
            cmd: 'publish',
            topic: 'vigil/devices/ESP32-1/readings',
            payload,
            qos: 1,
            dup,
            retain: false,
            messageId: 7,
          },
          () => {
            resolve();
          },
        );
      });
    await deliver(false);
    await deliver(true);
    expect(seen.map((m) => [m.dup, m.payload.toString()])).toEqual([
      [false, '{"Temperature": 25.8}'],
      [true, '{"Temperature": 25.8}'],
    ]);
  });
});
