import { describe, expect, it } from 'vitest';
import { createContainer } from './composition.js';
import { loadConfig } from './config/env.js';

describe('composition root', () => {
  it('builds a migrated database and closes it, twice harmlessly', async () => {
    const config = loadConfig({ NODE_ENV: 'test', MQTT_PORT: '0', LOG_LEVEL: 'silent' });
    const container = await createContainer(config, { database: { sqlitePath: ':memory:' } });
    await expect(container.services.health.ready()).resolves.toEqual({
      status: 'ready',
      database: 'sqlite',
    });
    await container.close();
    await expect(container.database.ping()).rejects.toThrow();
    await container.close();
  });

  it('creates no admin in test mode unless configured', async () => {
    const config = loadConfig({ NODE_ENV: 'test', MQTT_PORT: '0', LOG_LEVEL: 'silent' });
    const container = await createContainer(config, { database: { sqlitePath: ':memory:' } });
    try {
      expect(container.adminBootstrap).toBeUndefined();
    } finally {
      await container.close();
    }
  });
});
