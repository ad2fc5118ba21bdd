import { ecgsyn } from '@vigil/signal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, toPackets } from './packets.js';

interface Pred {
  timestamp: number;
  reasons: { code: string; text: string }[];
  arrhythmia: { af_since: number | null; withheld: string | null } | null;
}

describe('arrhythmia findings in the live pipeline (synthetic ECG, McSharry et al. 2003)', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
  });
  afterAll(async () => {
    await t.close();
  });

  async function stream(rhythm: 'sinus' | 'af', seed: number) {
    const dev = await registerDevice(t, doctor, { patientId: patient.user.id });
    const start = t.clock.now() - 30 * 60_000;
    const { ecgMv } = ecgsyn({ fs: 250, durationS: 60, heartRateBpm: 90, rhythm, seed });
    for (const p of toPackets(dev.device_id, ecgMv, 250, start))
      expect((await post(t, dev.api_key, p)).statusCode).toBe(201);
    await t.container.services.alerts.idle();
    const res = await t.app.inject({
      url: `/api/v1/predictions/${dev.device_id}?limit=100`,
      headers: doctor.headers,
    });
    const preds = res.json<{ items: Pred[] }>().items;
    const alerts = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patient.user.id}`,
      headers: doctor.headers,
    });
    const afAlerts = alerts
      .json<{ items: { rule_kind: string; device_id: string }[] }>()
      .items.filter((a) => a.rule_kind === 'af_onset' && a.device_id === dev.device_id);
    return { preds, afAlerts, start };
  }

  it('opens one af_onset alert and explains AF in the prediction reasons for an AF stream', async () => {
    const { preds, afAlerts, start } = await stream('af', 3);
    expect(afAlerts).toHaveLength(1);
    const latest = preds[0];
    expect(latest?.arrhythmia?.af_since).toBeGreaterThanOrEqual(start);
    expect(latest?.reasons.find((r) => r.code === 'AF')?.text).toMatch(/^AF for \d+ s$/);
  });

  it('raises no af_onset alert for a sinus stream', async () => {
    const { preds, afAlerts } = await stream('sinus', 4);
    expect(afAlerts).toEqual([]);
    expect(preds[0]?.arrhythmia?.af_since).toBeNull();
  });
});
