import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createTestApp,
  createDoctor,
  createPatient,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { databaseThatSurvivesRestarts } from '../helpers/restartable-database.js';
import { post, syntheticPackets } from './packets.js';

const MINUTE = 60_000;

interface AlertItem {
  id: string;
  rule_kind: string;
  device_id: string | null;
  status: string;
}

async function offlineAlerts(t: TestApp, doctor: TestUser): Promise<AlertItem[]> {
  const res = await t.app.inject({ url: '/api/v1/alerts?limit=100', headers: doctor.headers });
  return res.json<{ items: AlertItem[] }>().items.filter((a) => a.rule_kind === 'device_silent');
}

const active = (items: AlertItem[]) => items.filter((a) => !a.status.startsWith('cleared'));

describe('device-offline alerts', () => {
  const db = databaseThatSurvivesRestarts('offline');
  const t0 = Date.now();
  let t: TestApp;
  let doctor: TestUser;
  let keyB: string;

  beforeAll(async () => {
    const first = await db.start(t0, false);
    const admin = await createAdmin(first);
    doctor = await createDoctor(first, admin);
    const patient = await createPatient(first, doctor);
    // Device A never sends; device B sends once, then the server restarts.
    await registerDevice(first, doctor, { patientId: patient.user.id, deviceId: 'ESP32-OFF-A' });
    keyB = (
      await registerDevice(first, doctor, { patientId: patient.user.id, deviceId: 'ESP32-OFF-B' })
    ).api_key;
    const [p] = syntheticPackets('ESP32-OFF-B', 72, 1, t0 - 1000, 3);
    expect((await post(first, keyB, p)).statusCode).toBe(201);
    await first.container.services.alerts.idle();
    await first.close();
    t = await db.start(t0 + 6 * MINUTE, true);
  });
  afterAll(async () => {
    await t.close();
  });

  it('alerts, after a restart, for a device silent since before it and one never heard since registration', async () => {
    await t.container.services.alerts.sweepSilent();
    const alerts = active(await offlineAlerts(t, doctor));
    expect(alerts.map((a) => a.device_id).sort()).toEqual(['ESP32-OFF-A', 'ESP32-OFF-B']);
  });

  it('keeps one device’s alert open while the patient’s other device sends (no open/close flapping)', async () => {
    const before = active(await offlineAlerts(t, doctor)).find(
      (a) => a.device_id === 'ESP32-OFF-A',
    );
    expect(before).toBeDefined();
    // Ten sweeps, 30 s apart, with device B sending in between.
    for (let i = 0; i < 10; i++) {
      t.clock.advance(30_000);
      const [p] = syntheticPackets('ESP32-OFF-B', 72, 1, t.clock.now() - 1000, 10 + i);
      expect((await post(t, keyB, p)).statusCode).toBe(201);
      await t.container.services.alerts.idle();
      await t.container.services.alerts.sweepSilent();
    }
    const all = await offlineAlerts(t, doctor);
    // Device A: still the one alert opened before, never cleared and reopened.
    expect(all.filter((a) => a.device_id === 'ESP32-OFF-A').map((a) => a.id)).toEqual([before?.id]);
    expect(active(all).map((a) => a.device_id)).toEqual(['ESP32-OFF-A']);
    // Device B's alert cleared when it spoke again.
    expect(all.filter((a) => a.device_id === 'ESP32-OFF-B')).toHaveLength(1);
  });
});

describe('device-offline alerts for a baby monitor', () => {
  let t: TestApp;
  let doctor: TestUser;
  let monitorKey: string;

  beforeAll(async () => {
    t = await createTestApp({ vitals: { silentSweepMs: 0 } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    const baby = await createPatient(t, doctor);
    monitorKey = (
      await registerDevice(t, doctor, { patientId: baby.user.id, deviceId: 'NURSERY-OFF-1' })
    ).api_key;
  });
  afterAll(async () => {
    await t.close();
  });

  async function reading(): Promise<void> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { 'x-api-key': monitorKey },
      payload: { temperature: 36.9, humidity: 45 },
    });
    expect(res.statusCode).toBe(201);
    await t.container.services.alerts.idle();
  }

  it('counts its readings as heard: last seen is set and no offline alert while it uploads', async () => {
    // Readings every 30 s for 10 minutes, well past the offline threshold.
    for (let i = 0; i < 20; i++) {
      t.clock.advance(30_000);
      await reading();
      await t.container.services.alerts.sweepSilent();
    }
    expect(await offlineAlerts(t, doctor)).toEqual([]);
    const devices = await t.app.inject({ url: '/api/v1/devices', headers: doctor.headers });
    const monitor = devices
      .json<{ device_id: string; last_seen_at: unknown }[]>()
      .find((d) => d.device_id === 'NURSERY-OFF-1');
    expect(monitor?.last_seen_at).not.toBeNull();
  });

  it('alerts once the monitor falls silent, and clears when a reading arrives', async () => {
    t.clock.advance(10 * MINUTE);
    await t.container.services.alerts.sweepSilent();
    expect(active(await offlineAlerts(t, doctor)).map((a) => a.device_id)).toEqual([
      'NURSERY-OFF-1',
    ]);
    await reading();
    expect(active(await offlineAlerts(t, doctor))).toEqual([]);
  });
});
