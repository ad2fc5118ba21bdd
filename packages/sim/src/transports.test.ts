import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { runFleet } from './run-fleet.js';
import type { VitalsPacket } from './vitals-packet.js';

interface Broker {
  url: string;
  received: { topic: string; packet: VitalsPacket }[];
  close(): Promise<void>;
}

/** An in-process aedes broker on a free loopback port that authenticates id/key pairs. */
async function startBroker(keys: Record<string, string>): Promise<Broker> {
  const received: Broker['received'] = [];
  const broker = new Aedes({
    authenticate: (_client, username, password, done) => {
      if (username !== undefined && keys[username] === password?.toString('utf8')) {
        done(null, true);
        return;
      }
      const error = new Error('not authorized') as AuthenticateError;
      // 5 = CONNACK "not authorized"; aedes' AuthErrorCode is an ambient const enum, which
      // isolatedModules cannot import.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      error.returnCode = 5;
      done(error, false);
    },
  });
  broker.on('publish', (packet, client) => {
    if (client === null) return;
    received.push({
      topic: packet.topic,
      packet: JSON.parse(packet.payload.toString()) as VitalsPacket,
    });
  });
  await broker.listen();
  const server: Server = createServer((socket) => {
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    received,
    close: async () => {
      await new Promise<void>((resolve) => {
        broker.close(() => {
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

let broker: Broker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

describe('MQTT transport', () => {
  it("publishes each device's packets at QoS 1 on its own topic and counts refused keys", async () => {
    broker = await startBroker({ 'ESP-1': 'key-1', 'ESP-2': 'key-2' });
    const summary = await runFleet({
      transport: 'mqtt',
      mqttUrl: broker.url,
      devices: [
        { deviceId: 'ESP-1', apiKey: 'key-1', scenario: 'normal' },
        { deviceId: 'ESP-2', apiKey: 'key-2', scenario: 'pvc' },
        { deviceId: 'ESP-3', apiKey: 'bad', scenario: 'normal' },
      ],
      durationS: 0.5,
      speed: 20,
    });
    expect(summary.packetsSent).toBe(30);
    expect(summary.packetsOk).toBe(20);
    expect(summary.errorsByKind).toEqual({ mqtt_not_authorized: 10 });
    const topics = new Set(broker.received.map((m) => m.topic));
    expect(topics).toEqual(new Set(['vigil/devices/ESP-1/vitals', 'vigil/devices/ESP-2/vitals']));
    const sequences = broker.received
      .filter((m) => m.packet.device_id === 'ESP-1')
      .map((m) => m.packet.sequence);
    expect(sequences).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('counts a broker that closes the socket before its CONNACK as a connect error instead of hanging', async () => {
    // What a broker process does when it dies between accept and CONNACK.
    const sockets = new Set<Socket>();
    const closer = createServer((socket) => {
      sockets.add(socket);
      socket.end();
    });
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    const { port } = closer.address() as AddressInfo;
    try {
      const summary = await runFleet({
        transport: 'mqtt',
        mqttUrl: `mqtt://127.0.0.1:${String(port)}`,
        devices: [{ deviceId: 'ESP-1', apiKey: 'key-1', scenario: 'normal' }],
        durationS: 0.2,
        speed: 20,
      });
      expect(summary.packetsOk).toBe(0);
      expect(summary.packetsSent).toBeGreaterThan(0);
      expect(summary.errorsByKind).toEqual({ mqtt_connect: summary.packetsSent });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) =>
        closer.close(() => {
          resolve();
        }),
      );
    }
  }, 15_000);
});
