import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from '../vitals/packets.js';

/**
 * The dashboard guessed baby monitors from the newest 1,000 readings and asked pulse oximeters
 * for vitals they never send; each device now says which kinds of signal it has sent.
 */
describe("a device's kinds", () => {
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

  const kindsOf = async (id: string) =>
    (await t.app.inject({ url: `/api/v1/devices/${id}`, headers: doctor.headers })).json<{
      kinds: string[];
    }>().kinds;

  const oximetry = (apiKey: string, deviceId: string, ts: number) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/oximetry',
      headers: { 'x-api-key': apiKey },
      payload: { device_id: deviceId, timestamp: ts, spo2_percent: 97, pulse_rate_bpm: 74 },
    });

  it('records the kinds each device has sent on its device response, in the order it sent them', async () => {
    const base = t.clock.now() - 10 * 60_000;
    const strap = await registerDevice(t, doctor, { patientId: patient.user.id });
    const oximeter = await registerDevice(t, doctor, { patientId: patient.user.id });
    const monitor = await registerDevice(t, doctor, { patientId: patient.user.id });
    const silent = await registerDevice(t, doctor, { patientId: patient.user.id });
    expect(strap.kinds).toEqual([]);

    expect(
      (await post(t, strap.api_key, syntheticPackets(strap.device_id, 70, 3, base))).statusCode,
    ).toBe(200);
    expect((await oximetry(oximeter.api_key, oximeter.device_id, base)).statusCode).toBe(201);
    const reading = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { 'x-api-key': monitor.api_key },
      payload: { temperature: 36.9, humidity: 45 },
    });
    expect(reading.statusCode, reading.body).toBe(201);
    // The strap also carries a finger clip: a second kind, listed after the first.
    expect((await oximetry(strap.api_key, strap.device_id, base + 5000)).statusCode).toBe(201);

    expect(await kindsOf(strap.id)).toEqual(['ecg-vitals', 'pulse-oximetry']);
    expect(await kindsOf(oximeter.id)).toEqual(['pulse-oximetry']);
    expect(await kindsOf(monitor.id)).toEqual(['baby-monitor']);
    expect(await kindsOf(silent.id)).toEqual([]);
    const list = await t.app.inject({ url: '/api/v1/devices', headers: doctor.headers });
    expect(
      Object.fromEntries(
        list.json<{ id: string; kinds: string[] }[]>().map((d) => [d.id, d.kinds]),
      ),
    ).toEqual({
      [strap.id]: ['ecg-vitals', 'pulse-oximetry'],
      [oximeter.id]: ['pulse-oximetry'],
      [monitor.id]: ['baby-monitor'],
      [silent.id]: [],
    });
  });

  it('writes a device and kind once, not per packet', async () => {
    const base = t.clock.now() - 20 * 60_000;
    const strap = await registerDevice(t, doctor, { patientId: patient.user.id });
    const record = vi.spyOn(t.container.repositories.devices, 'recordKind');
    try {
      for (let k = 0; k < 5; k++) {
        const packets = syntheticPackets(strap.device_id, 70, 2, base + k * 2000, 7, {}, k * 2);
        expect((await post(t, strap.api_key, packets)).statusCode).toBe(200);
      }
      expect(record.mock.calls.filter(([deviceId]) => deviceId === strap.device_id)).toEqual([
        [strap.device_id, 'ecg-vitals', expect.any(Number)],
      ]);
    } finally {
      record.mockRestore();
    }
  });
});
