import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/index.js';
import { freePort } from './mosquitto-fixture.js';

describe('embedded MQTT broker start-up', () => {
  it('keeps the server running without the broker when its port is taken', async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((r) =>
      holder.listen(port, '0.0.0.0', () => {
        r();
      }),
    );
    try {
      const t = await createTestApp({ env: { MQTT_PORT: String(port) } });
      try {
        expect(t.container.mqttPort).toBeNull();
        expect((await t.app.inject({ url: '/health' })).statusCode).toBe(200);
      } finally {
        await t.close();
      }
    } finally {
      await new Promise<void>((r) =>
        holder.close(() => {
          r();
        }),
      );
    }
  });

  it('does not start a broker when MQTT_PORT is 0', async () => {
    const t = await createTestApp({ env: { MQTT_PORT: '0' } });
    expect(t.container.mqttPort).toBeNull();
    await t.close();
  });
});
