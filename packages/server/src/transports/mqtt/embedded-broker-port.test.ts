import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBrokerDeps } from './embedded-broker.js';

const warnings: string[] = [];
const log = {
  info: () => undefined,
  warn: (_obj: object, msg: string) => warnings.push(msg),
  error: () => undefined,
};
const deps: Omit<EmbeddedBrokerDeps, 'port'> = {
  host: '127.0.0.1',
  channels: {},
  devices: {
    authenticateKey: () => Promise.reject(new Error('not used')),
    resolveUploader: () => Promise.reject(new Error('not used')),
  },
  log,
};

let holder: net.Server | undefined;
afterEach(() => {
  holder?.close();
  holder = undefined;
  warnings.length = 0;
});

/** A port another process (here, another server of this one) already listens on, as Mosquitto holds 1883. */
async function takenPort(): Promise<number> {
  holder = net.createServer();
  await new Promise<void>((resolve) => holder?.listen(0, '127.0.0.1', resolve));
  return (holder.address() as net.AddressInfo).port;
}

describe('embedded MQTT broker on a port already taken', () => {
  it('stops start-up naming MQTT_PORT when the port is required (production)', async () => {
    const port = await takenPort();
    await expect(startEmbeddedBroker({ ...deps, port, portRequired: true })).rejects.toThrow(
      `MQTT_PORT ${port} is already in use (EADDRINUSE): free it, set MQTT_PORT to a free port, MQTT_PORT=0 to disable the embedded broker, or MQTT_URL to use an external one`,
    );
  });

  it('runs without the embedded broker, with a warning, in development', async () => {
    const port = await takenPort();
    await expect(startEmbeddedBroker({ ...deps, port })).resolves.toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^MQTT port ${port} is not available`));
  });
});
