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

interface AlertItem {
  id: string;
  rule_kind: string;
  device_id: string | null;
  status: string;
  cleared_by: string | null;
}

/**
 * A device's open alerts stay its patient's only while it serves them: handed to another
 * patient, unassigned or deleted, nothing it sends can clear them any more, so they are cleared
 * then (cleared_by 'device'), not left active on the earlier patient's list for ever.
 */
describe('alerts of a device handed on, unassigned or deleted', () => {
  let t: TestApp;
  let doctor: TestUser;
  let second: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    second = await createPatient(t, doctor, 'Second');
  });
  afterAll(async () => {
    await t.close();
  });

  const alertsOf = async (patient: TestUser, deviceId: string) => {
    await t.container.services.alerts.idle();
    const res = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patient.user.id}&limit=100`,
      headers: doctor.headers,
    });
    expect(res.statusCode).toBe(200);
    return res
      .json<{ items: AlertItem[] }>()
      .items.filter((a) => a.device_id === deviceId)
      .map((a) => ({ rule_kind: a.rule_kind, status: a.status, cleared_by: a.cleared_by }));
  };

  /** 45 s at 150 bpm on a new device of a new patient: an hr_high alert open. */
  const tachycardicDevice = async (deviceId: string) => {
    const first = await createPatient(t, doctor, `Patient of ${deviceId}`);
    const device = await registerDevice(t, doctor, { patientId: first.user.id, deviceId });
    const start = t.clock.now() - 5 * 60_000;
    for (const p of syntheticPackets(deviceId, 150, 45, start, 5))
      expect((await post(t, device.api_key, p)).statusCode).toBe(201);
    expect(await alertsOf(first, deviceId)).toContainEqual({
      rule_kind: 'hr_high',
      status: 'active_unack',
      cleared_by: null,
    });
    return { ...device, first };
  };

  const change = (method: 'PUT' | 'DELETE', id: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1/devices/${id}`,
      headers: doctor.headers,
      ...(payload === undefined ? {} : { payload }),
    });

  it("clears the earlier patient's open alerts of a device handed to another patient", async () => {
    const device = await tachycardicDevice('ESP32-HANDOVER-1');
    expect((await change('PUT', device.id, { patient_id: second.user.id })).statusCode).toBe(200);
    const after = await alertsOf(device.first, device.device_id);
    expect(after.filter((a) => a.status.startsWith('active'))).toEqual([]);
    expect(after).toContainEqual({
      rule_kind: 'hr_high',
      status: 'cleared_unack',
      cleared_by: 'device',
    });
    // The next patient starts clean: a normal rate opens nothing for them.
    const start = t.clock.now() - 60_000;
    for (const p of syntheticPackets(device.device_id, 70, 40, start, 6))
      expect((await post(t, device.api_key, p)).statusCode).toBe(201);
    expect(
      (await alertsOf(second, device.device_id)).filter((a) => a.rule_kind === 'hr_high'),
    ).toEqual([]);
  });

  it('clears them when the device is unassigned or retired', async () => {
    const unassigned = await tachycardicDevice('ESP32-HANDOVER-2');
    expect((await change('PUT', unassigned.id, { patient_id: null })).statusCode).toBe(200);
    expect(
      (await alertsOf(unassigned.first, unassigned.device_id)).filter((a) =>
        a.status.startsWith('active'),
      ),
    ).toEqual([]);

    const retired = await tachycardicDevice('ESP32-HANDOVER-3');
    expect((await change('DELETE', retired.id)).statusCode).toBe(204);
    expect(await alertsOf(retired.first, retired.device_id)).toContainEqual({
      rule_kind: 'hr_high',
      status: 'cleared_unack',
      cleared_by: 'device',
    });
  });

  it("keeps a device's alerts when it is only renamed", async () => {
    const device = await tachycardicDevice('ESP32-HANDOVER-4');
    expect((await change('PUT', device.id, { name: 'bed 4 strap' })).statusCode).toBe(200);
    expect(await alertsOf(device.first, device.device_id)).toContainEqual({
      rule_kind: 'hr_high',
      status: 'active_unack',
      cleared_by: null,
    });
  });
});
