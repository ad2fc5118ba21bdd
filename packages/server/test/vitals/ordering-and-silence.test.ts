import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createMonitoredPatient,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from './packets.js';

describe('out-of-order packets and silent devices', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  let key: string;
  const deviceId = 'ESP32-ORDER';

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    key = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId })).api_key;
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores packets that arrive out of order and analyses them in time order', async () => {
    const start = t.clock.now() - 10 * 60_000;
    const packets = syntheticPackets(deviceId, 72, 30, start, 21);
    // Swap neighbours: 1,0,3,2,5,4,...
    const shuffled = packets.map(
      (_, i) => packets[i % 2 === 0 ? Math.min(i + 1, packets.length - 1) : i - 1] ?? packets[i],
    );
    const order = [...new Set(shuffled)];
    for (const p of order) expect((await post(t, key, p)).statusCode).toBe(201);
    const res = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}?from=${start}&limit=100`,
      headers: doctor.headers,
    });
    const items = res.json<{
      items: {
        timestamp: number;
        heart_rate_bpm: number | null;
        heart_rate_source: string | null;
        reasons: { code: string }[];
      }[];
    }>().items;
    // All 30 are stored and scored; packet 0 arrived after packet 1 had started the stream, so
    // it is "late": scored on its vitals, its ECG not analysed (feeding it would corrupt the
    // streaming state). Every other swapped pair is reordered and analysed.
    const stored = await t.app.inject({
      url: `/api/v1/vitals/${deviceId}?from=${start}&limit=100`,
      headers: doctor.headers,
    });
    expect(stored.json<{ items: unknown[] }>().items).toHaveLength(30);
    expect(items).toHaveLength(30);
    const late = items.find((i) => i.timestamp === start);
    expect(late?.heart_rate_source).toBeNull();
    expect(late?.reasons.map((r) => r.code)).toEqual(['LATE_PACKET']);
    // Analysed as one continuous signal: the ECG-derived HR of the last packet is the
    // synthetic 72 bpm (±2), which a stream fed out of order would not give.
    const last = items[0];
    expect(last?.timestamp).toBe(start + 29_000);
    expect(Math.abs((last?.heart_rate_bpm ?? 0) - 72)).toBeLessThanOrEqual(2);
  });

  it('opens a device-silent alert when a device stops sending, and clears it when it is back', async () => {
    const alerts = t.container.services.alerts;
    t.clock.advance(6 * 60_000);
    await alerts.sweepSilent();
    const list = await t.app.inject({
      url: '/api/v1/alerts?state=active',
      headers: doctor.headers,
    });
    const silent = list
      .json<{ items: { rule_kind: string; message: string }[] }>()
      .items.filter((a) => a.rule_kind === 'device_silent');
    expect(silent).toHaveLength(1);
    expect(silent[0]?.message).toMatch(/^no data for [67] min$/);
    const [p] = syntheticPackets(deviceId, 72, 1, t.clock.now() - 1000, 22);
    expect((await post(t, key, p)).statusCode).toBe(201);
    await alerts.idle();
    const after = await t.app.inject({
      url: '/api/v1/alerts?state=active',
      headers: doctor.headers,
    });
    expect(
      after
        .json<{ items: { rule_kind: string }[] }>()
        .items.filter((a) => a.rule_kind === 'device_silent'),
    ).toEqual([]);
  });
});

describe('a device that rebooted', () => {
  it('is analysed and alerted again when its sequence numbers start over and its clock goes on', async () => {
    // A device counts its packets from 0 after a reboot. Its packets were taken for late
    // copies of older ones (a lower sequence) until the counter passed the old one: stored
    // but never analysed nor shown to the alert rules (60 s at 150 bpm: no HR alert).
    const t = await createTestApp();
    try {
      const { doctor, key } = await createMonitoredPatient(t, 'ESP32-REBOOT');
      const now = t.clock.now();
      const before = syntheticPackets('ESP32-REBOOT', 70, 10, now - 90_000, 3, {}, 5000);
      for (const p of before) expect((await post(t, key, p)).statusCode).toBe(201);
      // Rebooted 10 s later: sequence 0, 1, … and a fast rhythm.
      const after = syntheticPackets('ESP32-REBOOT', 150, 60, now - 70_000, 4, {}, 0);
      for (const p of after) expect((await post(t, key, p)).statusCode).toBe(201);
      await t.container.services.alerts.idle();

      const predictions = await t.app.inject({
        url: '/api/v1/predictions/ESP32-REBOOT?limit=1',
        headers: doctor.headers,
      });
      const [last] = predictions.json<{
        items: { timestamp: number; heart_rate_bpm: number | null; heart_rate_source: string }[];
      }>().items;
      expect(last?.timestamp).toBe(now - 70_000 + 59_000);
      expect(last?.heart_rate_source).toBe('ecg');
      expect(Math.abs((last?.heart_rate_bpm ?? 0) - 150)).toBeLessThanOrEqual(3);
      const alerts = await t.app.inject({ url: '/api/v1/alerts', headers: doctor.headers });
      const hr = alerts
        .json<{ items: { rule_kind: string; message: string; onset_at: number }[] }>()
        .items.filter((a) => a.rule_kind === 'hr_high');
      expect(hr).toHaveLength(1);
      expect(hr[0]?.message).toMatch(/^HR 1[45]\d bpm \(> 130\) for 3\d s$/);
    } finally {
      await t.close();
    }
  });
});
