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
 * Packets are stored, and told apart from a retry, at a whole millisecond. Before, a timestamp
 * finer than that was rounded: a packet 0.4 ms after another was taken for it (answered as its
 * retry, or refused as the clock gone back when its values differed), and a seconds timestamp
 * from `time.time()` (microseconds) was moved silently.
 */
describe('a timestamp finer than a millisecond', () => {
  let t: TestApp;
  let doctor: TestUser;
  let device: { device_id: string; api_key: string };
  let base: number;

  /** Two different 1 s packets without sequence numbers, the second stamped `at`. */
  const two = (first: number, at: number): [Packet, Packet] => {
    const [a, b] = syntheticPackets(device.device_id, 70, 2, first);
    if (a === undefined || b === undefined) throw new Error('two packets expected');
    delete a.sequence;
    delete b.sequence;
    return [a, { ...b, timestamp: at }];
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
  const refusal = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode, res.body).toBe(400);
    return JSON.parse(res.body) as { code: string; field: string; message: string };
  };

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

  it('refuses epoch ms with a fraction, naming the field and the rule, and keeps the first packet alone', async () => {
    const [a, b] = two(base, base + 0.4);
    expect((await post(t, device.api_key, a)).statusCode).toBe(201);
    const body = refusal(await post(t, device.api_key, b));
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'timestamp' });
    expect(body.message).toContain('timestamp must be a whole number of milliseconds');
    expect(body.message).toContain(String(base + 0.4));
    expect(await stored(base - 1, base + 10)).toEqual([base]);
  });

  it('refuses a batch with one such packet as a whole, naming its index', async () => {
    const [a, b] = two(base + 10_000, base + 11_000.5);
    const body = refusal(await post(t, device.api_key, [a, b]));
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', field: '[1].timestamp' });
    expect(await stored(base + 9_000, base + 12_000)).toEqual([]);
  });

  it('takes epoch seconds with up to 3 decimals at their exact millisecond, and refuses finer ones', async () => {
    const seconds = (base + 20_000) / 1000;
    const [a, b] = two(base + 20_000, seconds + 1.123);
    expect((await post(t, device.api_key, { ...a, timestamp: seconds + 0.001 })).statusCode).toBe(
      201,
    );
    expect((await post(t, device.api_key, b)).statusCode).toBe(201);
    expect(await stored(base + 19_000, base + 22_000)).toEqual([base + 20_001, base + 21_123]);
    // time.time() as a Python client sends it: microseconds.
    const body = refusal(await post(t, device.api_key, { ...b, timestamp: seconds + 1.123456 }));
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'timestamp' });
  });
});
