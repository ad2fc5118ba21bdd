import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '@vigil/protocol';
import { createEcg12Source } from '@vigil/sim';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { loadRecord } from './ecg12-stream.js';

/**
 * The live analysis of a multi-lead stream measures QRS width from all its leads (one global
 * onset and offset, as the 12-lead measurement), not from the rhythm lead alone. CinC 2021
 * E07509 (complete right bundle branch block, CC BY 4.0): its QRS is 158-160 ms from all 12
 * leads, 103 ms on lead II. Streamed 12 s as a 12-lead device, and its lead II alone as a
 * single-lead device; on the main thread and in an analysis worker.
 */
describe.each([
  { workers: 0, where: 'main thread' },
  { workers: 1, where: 'analysis worker' },
])('QRS width of a live multi-lead stream ($where)', ({ workers }) => {
  let t: TestApp;
  let doctor: TestUser;
  const record = loadRecord('E07509');
  const twelve = { deviceId: 'RBBB-12', key: '' };
  const single = { deviceId: 'RBBB-II', key: '' };

  beforeAll(async () => {
    t = await createTestApp({ env: { ANALYSIS_WORKERS: String(workers) } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor, 'RBBB patient');
    for (const d of [twelve, single])
      d.key = (
        await registerDevice(t, doctor, { deviceId: d.deviceId, patientId: patient.user.id })
      ).api_key;
    const startMs = t.clock.now() - 60_000;
    const source = createEcg12Source({
      deviceId: twelve.deviceId,
      records: [record],
      startTimeMs: startMs,
    });
    const leadII = record.leadsMv[1] as Float32Array;
    for (let s = 0; s < 10; s++) {
      const packet = source.nextPacket();
      if (packet === null) throw new Error('the simulated sensor stopped');
      const a = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': twelve.key },
        payload: packet,
      });
      const b = await t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': single.key },
        payload: {
          device_id: single.deviceId,
          timestamp: startMs + s * 1000,
          ecg_sample_rate_hz: 500,
          ecg_samples: Array.from(
            leadII.subarray(s * 500, (s + 1) * 500),
            (v) => Math.round(v * 1000) / 1000,
          ),
        },
      });
      expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    }
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const latestQrs = async (deviceId: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/predictions/${deviceId}/latest`,
        headers: doctor.headers,
      })
    ).json<Prediction>().qrs_duration_ms;

  it('measures the bundle branch block from all 12 leads, which its rhythm lead alone narrows', async () => {
    const all = await latestQrs(twelve.deviceId);
    const leadII = await latestQrs(single.deviceId);
    console.log(`E07509 live QRS: 12 leads ${String(all)} ms, lead II alone ${String(leadII)} ms`);
    expect(all).toBeGreaterThanOrEqual(150);
    expect(all).toBeLessThanOrEqual(165);
    expect(leadII).toBeLessThan(120);
  });
});
