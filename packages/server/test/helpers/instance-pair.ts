import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/adapters/clock.js';
import { createArgon2Hasher } from '../../src/adapters/password-hasher.js';
import { createContainer } from '../../src/composition.js';
import { loadConfig } from '../../src/config/env.js';

/**
 * Two Vigil containers on one PostgreSQL schema of their own, as two instances of a deployment
 * are: what one publishes reaches the other through LISTEN/NOTIFY. The second one drops the
 * schema when it closes, so close `a` first.
 */
export async function createInstancePair(databaseUrl: string | undefined, schemaPrefix: string) {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    MQTT_PORT: '0',
    DATABASE_URL: databaseUrl,
  });
  const schema = `${schemaPrefix}_${randomBytes(5).toString('hex')}`;
  const make = (drop: boolean) =>
    createContainer(config, {
      clock: new ManualClock(Date.now()),
      passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
      database: { pgSchema: schema, dropSchemaOnClose: drop, maxConnections: 2 },
    });
  const a = await make(false);
  const b = await make(true);
  return { a, b };
}
