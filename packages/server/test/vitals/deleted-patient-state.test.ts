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
import { post, syntheticPackets } from './packets.js';

const MINUTE = 60_000;

interface AlertItem {
  patient_id: string;
  rule_kind: string;
  device_id: string | null;
  status: string;
}

/**
 * A patch's patient is deleted while the device-silent alert of the patch is open, and the patch
 * goes to the next patient. Deleting a patient unassigns their devices through a foreign key, not
 * through a release, so before, the alerting kept the device's rule state (open, for the deleted
 * patient): the next patient's silent patch was never alerted (the sweep only "updated" the
 * deleted alert), and the ingest kept the patch's analysis state.
 */
describe("a deleted patient's alert and ingest state: the device's next patient inherits none", () => {
  let t: TestApp;
  let doctor: TestUser;
  let leaving: TestUser;
  let device: { id: string; device_id: string; api_key: string };

  const alertsOf = async (patient: TestUser): Promise<AlertItem[]> => {
    const res = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patient.user.id}&limit=100`,
      headers: doctor.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: AlertItem[] }>().items;
  };
  const activeSilent = (items: AlertItem[]) =>
    items
      .filter((a) => a.rule_kind === 'device_silent' && !a.status.startsWith('cleared'))
      .map((a) => a.device_id);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    leaving = await createPatient(t, doctor, 'Leaving Patient');
    device = await registerDevice(t, doctor, { patientId: leaving.user.id });
    for (const p of syntheticPackets(device.device_id, 72, 3, t.clock.now() - 5000)) {
      const res = await post(t, device.api_key, p);
      expect(res.statusCode, res.body).toBe(201);
    }
    await t.container.services.alerts.idle();
    t.clock.advance(6 * MINUTE);
    await t.container.services.alerts.sweepSilent();
    expect(activeSilent(await alertsOf(leaving))).toEqual([device.device_id]);
  });
  afterAll(async () => {
    await t.close();
  });

  it("drops the deleted patient's rule and ingest state with their account", async () => {
    const { ingest, alerts } = t.container.services;
    expect(ingest.devicesTracked).toBe(1);
    expect(alerts.devicesHeard).toBe(1);
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${leaving.user.id}`,
      headers: doctor.headers,
    });
    expect(res.statusCode, res.body).toBe(204);
    expect(ingest.devicesTracked).toBe(0);
    expect(alerts.devicesHeard).toBe(0);
    expect(alerts.patientsTracked).toBe(0);
  });

  it('alerts the next patient when the device falls silent, and clears it when it sends', async () => {
    const next = await createPatient(t, doctor, 'Next Patient');
    const moved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${device.id}`,
      headers: doctor.headers,
      payload: { patient_id: next.user.id },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    t.clock.advance(6 * MINUTE);
    await t.container.services.alerts.sweepSilent();
    expect(activeSilent(await alertsOf(next))).toEqual([device.device_id]);
    for (const p of syntheticPackets(device.device_id, 72, 3, t.clock.now() - 5000, 11)) {
      const res = await post(t, device.api_key, p);
      expect(res.statusCode, res.body).toBe(201);
    }
    await t.container.services.alerts.idle();
    expect(activeSilent(await alertsOf(next))).toEqual([]);
  });
});
