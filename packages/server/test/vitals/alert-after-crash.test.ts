import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { databaseThatSurvivesRestarts } from '../helpers/restartable-database.js';
import { post, syntheticPackets, type Packet } from './packets.js';

/**
 * A packet committed just before the process dies, before the alert rules saw it, is not
 * acknowledged; the device sends it again and gets the stored packet's answer. The rules must
 * see it then: the alert of an acknowledged packet exists, once.
 */

/** The process dies after the commit, before the alert rules run: they never see the packet. */
function dieBeforeTheRules(t: TestApp): () => void {
  const alerts = t.container.services.alerts;
  const rules = alerts.observe.bind(alerts);
  alerts.observe = () => Promise.reject(new Error('process killed before the alert rules ran'));
  return () => {
    alerts.observe = rules;
  };
}

interface AlertItem {
  id: string;
  rule_kind: string;
  patient_id: string;
  status: string;
}

async function spo2Alerts(t: TestApp, doctor: TestUser, patientId: string): Promise<AlertItem[]> {
  await t.container.services.alerts.idle();
  const res = await t.app.inject({
    url: `/api/v1/alerts?limit=100&patient_id=${patientId}`,
    headers: doctor.headers,
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ items: AlertItem[] }>().items.filter((a) => a.rule_kind === 'spo2_low');
}

describe('the alert of a packet stored just before a crash', () => {
  const db = databaseThatSurvivesRestarts('alert-crash');
  const t0 = Date.now();
  let t: TestApp;
  let doctor: TestUser;
  const patients: Record<string, { id: string; key: string; packets: Packet[] }> = {};

  async function alertingPatient(first: TestApp, name: string): Promise<void> {
    const patient = await createPatient(first, doctor);
    const rules = await first.app.inject({
      method: 'PUT',
      url: `/api/v1/patients/${patient.user.id}/alert-rules`,
      headers: doctor.headers,
      payload: {
        rules: [
          { kind: 'spo2_low', enabled: true, threshold: 91, duration_s: 0, severity: 'critical' },
        ],
      },
    });
    expect(rules.statusCode).toBe(200);
    const { api_key } = await registerDevice(first, doctor, {
      patientId: patient.user.id,
      deviceId: name,
    });
    patients[name] = {
      id: patient.user.id,
      key: api_key,
      packets: syntheticPackets(name, 72, 3, t0 - 5000, 3, { spo2_percent: 85 }),
    };
  }

  beforeAll(async () => {
    const first = await db.start(t0, false);
    const admin = await createAdmin(first);
    doctor = await createDoctor(first, admin);
    await alertingPatient(first, 'ESP32-CRASH-A');
    await alertingPatient(first, 'ESP32-CRASH-B');
    await alertingPatient(first, 'ESP32-CRASH-C');

    // Device A: its first SpO2 85 % packet is committed, then the process dies.
    const a = patients['ESP32-CRASH-A'];
    if (a === undefined) throw new Error('no device A');
    const alive = dieBeforeTheRules(first);
    const res = await post(first, a.key, a.packets[0]);
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    alive();
    expect(await spo2Alerts(first, doctor, a.id)).toEqual([]);

    // Device C: its packet is acknowledged and alerted normally before the process stops.
    const c = patients['ESP32-CRASH-C'];
    if (c === undefined) throw new Error('no device C');
    expect((await post(first, c.key, c.packets[0])).statusCode).toBe(201);
    expect(await spo2Alerts(first, doctor, c.id)).toHaveLength(1);
    await first.close();

    t = await db.start(t0 + 1000, true);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is raised when the device sends it again after the restart, once', async () => {
    const a = patients['ESP32-CRASH-A'];
    if (a === undefined) throw new Error('no device A');
    const retry = await post(t, a.key, a.packets[0]);
    expect(retry.statusCode).toBe(201);
    const raised = await spo2Alerts(t, doctor, a.id);
    expect(raised).toHaveLength(1);
    expect(raised[0]?.status).toBe('active_unack');
    // A second retry and the device's next packet keep the one alert.
    expect((await post(t, a.key, a.packets[0])).statusCode).toBe(201);
    expect((await post(t, a.key, a.packets[1])).statusCode).toBe(201);
    expect((await spo2Alerts(t, doctor, a.id)).map((x) => x.id)).toEqual([raised[0]?.id]);
  });

  it('is raised when the rules failed in this process and the device sends the packet again', async () => {
    const b = patients['ESP32-CRASH-B'];
    if (b === undefined) throw new Error('no device B');
    const alive = dieBeforeTheRules(t);
    expect((await post(t, b.key, b.packets[0])).statusCode).toBeGreaterThanOrEqual(500);
    alive();
    expect(await spo2Alerts(t, doctor, b.id)).toEqual([]);
    expect((await post(t, b.key, b.packets[0])).statusCode).toBe(201);
    expect(await spo2Alerts(t, doctor, b.id)).toHaveLength(1);
  });

  it('is not duplicated by a retry of a packet whose alert was raised before the restart', async () => {
    const c = patients['ESP32-CRASH-C'];
    if (c === undefined) throw new Error('no device C');
    const before = await spo2Alerts(t, doctor, c.id);
    expect(before).toHaveLength(1);
    expect((await post(t, c.key, c.packets[0])).statusCode).toBe(201);
    expect((await post(t, c.key, c.packets[1])).statusCode).toBe(201);
    expect((await spo2Alerts(t, doctor, c.id)).map((x) => x.id)).toEqual([before[0]?.id]);
  });
});
