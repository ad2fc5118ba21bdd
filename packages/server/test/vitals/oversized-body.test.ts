import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post } from './packets.js';

/**
 * A device body far over a schema limit, yet under the 16 MiB body limit: explaining the refusal
 * walked every element (2 million samples: 10 s of a blocked event loop, every other device's
 * upload timed out; measured on 2 cores under load: 13.6 s before, under the time to parse the
 * body after). The explanation's reads are counted in protocol's validation-errors.test.ts.
 */
describe('a vitals body far over the sample limit', () => {
  let t: TestApp;
  let key: string;
  let doctor: TestUser;
  const deviceId = 'ESP32-HUGE';

  beforeAll(async () => {
    t = await createTestApp();
    ({ key, doctor } = await createMonitoredPatient(t, deviceId));
  });
  afterAll(async () => {
    await t.close();
  });

  it('is refused with 400 naming ecg_samples and its limit, nothing stored', async () => {
    const body = {
      device_id: deviceId,
      timestamp: t.clock.now() - 60_000,
      ecg_samples: new Array<number>(1_000_000).fill(0.1),
    };
    const res = await post(t, key, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'ecg_samples',
      message: 'ecg_samples must not have more than 10000 items',
    });
    const stored = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vitals/${deviceId}`,
      headers: { authorization: `Bearer ${doctor.token}` },
    });
    expect(stored.json<{ items: unknown[] }>().items).toEqual([]);
  });
});
