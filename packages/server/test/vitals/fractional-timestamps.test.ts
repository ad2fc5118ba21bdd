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
import { post, syntheticPackets, type Packet } from './packets.js';

/**
 * The packet contract allows fractional seconds (protocol/src/vitals.ts): a maker's script posting
 * Python's `time.time()` (microseconds) or a browser's `performance.timeOrigin + performance.now()`
 * (fractional ms) is stored at the nearest millisecond, the resolution of `vitals (device_id, ts)`.
 * Refusing such times was tried and reverted: it turned a documented, working client into one
 * whose every packet is lost, to guard against two packets from one device less than 1 ms apart,
 * which no device sending 1 s packets produces.
 */
describe('a timestamp finer than a millisecond', () => {
  let t: TestApp;
  let doctor: TestUser;
  let device: { device_id: string; api_key: string };
  let base: number;

  const packet = (at: number, timestamp: number): Packet => {
    const [p] = syntheticPackets(device.device_id, 70, 1, at);
    if (p === undefined) throw new Error('one packet expected');
    delete p.sequence;
    return { ...p, timestamp };
  };
  const stored = async (from: number, to: number) =>
    (
      await t.app.inject({
        url: `/api/v1/vitals/${device.device_id}?from=${from}&to=${to}&limit=100`,
        headers: doctor.headers,
      })
    )
      .json<{ items: { timestamp: number }[] }>()
      .items.map((i) => i.timestamp)
      .sort((x, y) => x - y);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor);
    device = await registerDevice(t, doctor, { patientId: patient.user.id });
    base = Math.floor(t.clock.now() / 1000) * 1000 - 600_000;
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores Python time.time() seconds (microseconds) at the nearest millisecond', async () => {
    const seconds = base / 1000 + 0.123456;
    expect((await post(t, device.api_key, packet(base, seconds))).statusCode).toBe(201);
    expect(await stored(base - 1, base + 1000)).toEqual([base + 123]);
  });

  it('stores fractional epoch ms at the nearest millisecond, and its retry is answered as one', async () => {
    const at = base + 10_000.6;
    const first = await post(t, device.api_key, packet(base + 10_000, at));
    expect(first.statusCode).toBe(201);
    const retry = await post(t, device.api_key, packet(base + 10_000, at));
    expect(retry.statusCode, retry.body).toBeLessThan(300);
    expect(await stored(base + 9_000, base + 11_000)).toEqual([base + 10_001]);
  });
});
