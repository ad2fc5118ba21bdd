import { randomBytes } from 'node:crypto';
import type { DeviceOwnership } from '../../src/cluster/device-partitions.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** An instance's device ownership (PostgreSQL only). */
export function ownership(t: TestApp): DeviceOwnership {
  const o = t.container.ownership();
  if (o === undefined) throw new Error('no device ownership on PostgreSQL');
  return o;
}

/**
 * Two instances `a` and `b` on a PostgreSQL schema of their own (the second to close drops it),
 * partition heartbeats by hand and run once each, so they hold 16 partitions apiece.
 */
export async function twoInstances(
  prefix: string,
  env: Record<string, string> | ((name: 'a' | 'b') => Record<string, string>) = {},
): Promise<{ a: TestApp; b: TestApp }> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const instance = (name: 'a' | 'b', drop: boolean) =>
    createTestApp({
      env: { VIGIL_INSTANCE_NAME: name, ...(typeof env === 'function' ? env(name) : env) },
      database: { pgSchema: schema, dropSchemaOnClose: drop, maxConnections: 4 },
      vitals: { partitionHeartbeatMs: 0 },
    });
  const a = await instance('a', false);
  const b = await instance('b', true);
  await ownership(a).heartbeat();
  await ownership(b).heartbeat();
  return { a, b };
}

/**
 * The first device id `name(i)` whose partition `t` holds. Throws when none of the first 10,000
 * is (the instance holds no partition): a synchronous search without a bound would block the
 * test worker's event loop, so no test timeout could end it.
 */
export function deviceOwnedBy(t: TestApp, name: (i: number) => string): string {
  for (let i = 0; i < 10_000; i++) if (ownership(t).owns(name(i))) return name(i);
  throw new Error(`instance holds no device partition (held: [${ownership(t).held().join(', ')}])`);
}
