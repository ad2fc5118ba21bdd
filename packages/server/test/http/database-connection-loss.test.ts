import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { RealtimeEvent } from '../../src/services/realtime-port.js';
import { createInstancePair } from '../helpers/instance-pair.js';

const url = process.env.DATABASE_URL;

/**
 * What a PostgreSQL restart or failover does to Vigil's connections: every backend of the
 * database is terminated (57P01). The test works in a database of its own, so terminating its
 * backends never touches another test file's connections.
 */
describe.skipIf(url === undefined)(
  'PostgreSQL connections terminated under a running server',
  () => {
    const dbName = `vigil_connloss_${randomBytes(5).toString('hex')}`;
    const ownUrl = (() => {
      if (url === undefined) return '';
      const u = new URL(url);
      u.pathname = `/${dbName}`;
      return u.toString();
    })();
    const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    const terminateBackends = () =>
      admin(async (c) => {
        const { rowCount } = await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [dbName],
        );
        return rowCount ?? 0;
      });

    beforeAll(async () => {
      await admin((c) => c.query(`CREATE DATABASE "${dbName}"`));
    });
    afterAll(async () => {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    });

    it('keeps serving, reconnects the fan-out listener and counts the lost connections', async () => {
      const { a, b } = await createInstancePair(ownUrl, 'vigil_connloss');
      const app = await buildApp({ ...a, plugins: [] });
      try {
        expect((await app.inject('/ready')).statusCode).toBe(200);
        const seenByB: RealtimeEvent[] = [];
        b.hub.deliver = (e) => seenByB.push(e);

        // Both instances idle: pool connections and two LISTEN connections are open.
        expect(await terminateBackends()).toBeGreaterThanOrEqual(2);

        // The server answers again once its pool has replaced the dead connections.
        let ready = 0;
        for (let i = 0; i < 100 && ready !== 200; i++) {
          await new Promise((r) => setTimeout(r, 50));
          ready = (await app.inject('/ready')).statusCode;
        }
        expect(ready).toBe(200);

        // Fan-out still delivers: events published before B's listener is back are lost, so
        // publish until one arrives (the listener reconnects with backoff).
        for (let i = 0; i < 200 && seenByB.length === 0; i++) {
          a.hub.publish({
            type: 'vitals',
            patientId: 'p1',
            deviceId: 'd1',
            data: {
              vitals_id: `v${String(i)}`,
              device_id: 'd1',
              patient_id: 'p1',
              timestamp: i,
              heart_rate_bpm: 70,
              spo2_percent: 98,
              temperature_c: null,
              respiratory_rate: null,
              battery_percent: null,
              lead_off: null,
              ecg: { fs: 250, samples_mv: [0.1] },
            },
          });
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(seenByB.length).toBeGreaterThan(0);
        expect(seenByB[0]).toMatchObject({ type: 'vitals', patientId: 'p1', deviceId: 'd1' });

        const metrics = await a.metrics.metrics();
        expect(metrics).toMatch(/vigil_database_connection_errors_total\{source="pool"\} [1-9]/);
        expect(metrics).toMatch(
          /vigil_database_connection_errors_total\{source="fanout_listener"\} [1-9]/,
        );
      } finally {
        await app.close();
        await a.close();
        await b.close();
      }
    });
  },
);
