import { firmwareCounts, firmwarePayload } from '@vigil/sim';
import type { VitalsPacket } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMitdb101 } from '../fixtures/mitdb-101.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { createInstancePair } from '../helpers/instance-pair.js';
import { databaseThatSurvivesRestarts } from '../helpers/restartable-database.js';

// A device without an ecg_input profile (`auto`) is locked to the unit of its first packet that
// fits one unit only (usertest 4: `[0, 80, 0]` in a mV stream was read as 12-bit ADC counts,
// its neighbours as mV). These tests restart the server on the same database: the lock is stored.

const { ecgMv } = loadMitdb101();
const FS = 250;

interface Profile {
  preset: string;
  units: string;
  inferred_at?: string;
}

/** One second of MIT-BIH 101 in mV (negative, fractional: mV and nothing else). */
const mvPacket = (deviceId: string, tsMs: number, k: number) => ({
  device_id: deviceId,
  timestamp: tsMs,
  ecg_sample_rate_hz: FS,
  ecg_samples: Array.from(ecgMv.subarray(k * FS, (k + 1) * FS)),
});

/** `[0, 80, 0]`-like: integers 0 … 4095 with one above 50, what `auto` took for ADC counts. */
const spikePacket = (deviceId: string, tsMs: number) => ({
  device_id: deviceId,
  timestamp: tsMs,
  ecg_sample_rate_hz: FS,
  ecg_samples: Array.from({ length: FS }, (_, i): number => (i === 100 ? 80 : 0)),
});

describe('an auto device keeps the ECG unit of its first unambiguous packet', () => {
  const db = databaseThatSurvivesRestarts('unitlock');
  const t0 = Date.now();
  let t: TestApp;
  let doctor: TestUser;
  let admin: TestUser;
  let mvKey: string;
  let mvUuid: string;
  let cmKey: string;
  const start = t0 - 3_600_000;

  const post = (app: TestApp, key: string, body: unknown) =>
    app.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': key },
      payload: body as object,
    });
  const device = async (app: TestApp, id: string) =>
    (await app.app.inject({ url: `/api/v1/devices/${id}`, headers: doctor.headers })).json<{
      ecg_input: Profile;
    }>().ecg_input;
  const ecgOf = async (app: TestApp, deviceId: string, tsMs: number) => {
    const res = await app.app.inject({
      url: `/api/v1/vitals/${deviceId}/ecg?from=${String(tsMs)}&to=${String(tsMs + 999)}`,
      headers: doctor.headers,
    });
    return res.json<{ segments: { samples_mv: number[] }[] }>().segments[0]?.samples_mv ?? [];
  };

  beforeAll(async () => {
    t = await db.start(t0, false);
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor);
    const mv = await registerDevice(t, doctor, {
      patientId: patient.user.id,
      deviceId: 'LOCK-MV-1',
    });
    mvKey = mv.api_key;
    mvUuid = mv.id;
    cmKey = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId: 'LOCK-CM-1' }))
      .api_key;
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the 5th packet of a mV stream in mV: `[0, 80, 0]` is refused (beyond ±50 mV), not stored as counts', async () => {
    expect((await device(t, mvUuid)).preset).toBe('auto');
    for (let k = 0; k < 4; k++)
      expect((await post(t, mvKey, mvPacket('LOCK-MV-1', start + k * 1000, k))).statusCode).toBe(
        201,
      );
    const locked = await device(t, mvUuid);
    expect(locked).toMatchObject({ preset: 'mv', units: 'mV' });
    expect(typeof locked.inferred_at).toBe('string');

    const fifth = await post(t, mvKey, spikePacket('LOCK-MV-1', start + 4000));
    expect(fifth.statusCode).toBe(400);
    expect(fifth.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ecg_samples[100]' });
    expect(fifth.json<{ message: string }>().message).toMatch(/±50 mV.*mv input profile/);
    expect(await ecgOf(t, 'LOCK-MV-1', start + 4000)).toEqual([]);

    // The next packet goes on in mV, as sent.
    expect((await post(t, mvKey, mvPacket('LOCK-MV-1', start + 5000, 5))).statusCode).toBe(201);
    const sixth = await ecgOf(t, 'LOCK-MV-1', start + 5000);
    expect(sixth).toHaveLength(FS);
    expect(sixth[10]).toBeCloseTo(ecgMv[5 * FS + 10] ?? NaN, 3);
  });

  it('reads a low-rail window of an ESP32 counts stream (all integers ≤ 50) as counts, not mV', async () => {
    const counts = firmwareCounts(ecgMv.subarray(0, 5 * 10 * FS), FS);
    const window = (k: number, c: number[]) =>
      firmwarePayload({
        deviceId: 'LOCK-CM-1',
        timestampS: Math.floor(start / 1000) + 100 + 10 * k,
        sampleRateHz: FS,
        heartRateBpm: 0,
        spo2Percent: 0,
        leadOff: false,
        ecgCounts: c,
        beatTimestampsMs: [],
      });
    const postJson = (json: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': cmKey, 'content-type': 'application/json' },
        payload: json,
      });
    for (let k = 0; k < 4; k++)
      expect((await postJson(window(k, counts.slice(k * 2500, (k + 1) * 2500)))).statusCode).toBe(
        201,
      );
    // The front end driven to the bottom rail: counts 0 … 30, which auto read as 0 … 30 mV.
    const rail = Array.from({ length: 2500 }, (_, i) => (i * 7) % 31);
    expect((await postJson(window(4, rail))).statusCode).toBe(201);
    const tsMs = (Math.floor(start / 1000) + 140) * 1000;
    const latest = await t.app.inject({
      url: '/api/v1/vitals/LOCK-CM-1/latest',
      headers: doctor.headers,
    });
    expect(latest.json()).toMatchObject({ timestamp: tsMs, ecg_input: 'ad8232-esp32-12bit' });
    const stored = await ecgOf(t, 'LOCK-CM-1', tsMs);
    expect(stored[1]).toBeCloseTo((7 - 2048) / 1365, 3);
  });

  it('refuses, in a batch, the packet that does not fit the unit the batch locked to', async () => {
    const { api_key: key } = await registerDevice(t, doctor, { deviceId: 'LOCK-MV-BATCH' });
    const res = await post(t, key, [
      mvPacket('LOCK-MV-BATCH', start, 0),
      mvPacket('LOCK-MV-BATCH', start + 1000, 1),
      spikePacket('LOCK-MV-BATCH', start + 2000),
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: '[2].ecg_samples[100]' });
  });

  it('keeps the lock after a restart (a new instance on the same database)', async () => {
    await t.close();
    t = await db.start(t0 + 60_000, true);
    const again = await post(t, mvKey, spikePacket('LOCK-MV-1', start + 6000));
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ field: 'ecg_samples[100]' });
    // Small integers fit both units: read in the locked one.
    const small = { ...spikePacket('LOCK-MV-1', start + 7000) };
    small.ecg_samples = small.ecg_samples.map((v) => (v > 0 ? 2 : 0));
    expect((await post(t, mvKey, small)).statusCode).toBe(201);
    expect((await ecgOf(t, 'LOCK-MV-1', start + 7000))[100]).toBe(2);
    expect((await device(t, mvUuid)).preset).toBe('mv');
  });

  it('is cleared by PUT ecg_input null (auto again: the next unambiguous packet locks) and replaced by a preset', async () => {
    const put = (ecg_input: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/devices/${mvUuid}`,
        headers: admin.headers,
        payload: { ecg_input },
      });
    expect((await put(null)).json<{ ecg_input: Profile }>().ecg_input.preset).toBe('auto');
    // Auto again: the spike packet is the first unambiguous one, counts (what the device said).
    expect((await post(t, mvKey, spikePacket('LOCK-MV-1', start + 8000))).statusCode).toBe(201);
    expect(await device(t, mvUuid)).toMatchObject({ preset: 'ad8232-esp32-12bit' });
    const set = (await put({ preset: 'mv' })).json<{ ecg_input: Profile }>().ecg_input;
    expect(set).toEqual({
      preset: 'mv',
      units: 'mV',
      adc_bits: null,
      zero_counts: null,
      counts_per_mv: null,
    });
    expect((await post(t, mvKey, mvPacket('LOCK-MV-1', start + 9000, 9))).statusCode).toBe(201);
  });
});

describe.skipIf(process.env.DATABASE_URL === undefined)(
  'the ECG unit lock across instances (one PostgreSQL)',
  () => {
    it('is seen by an instance that verified the key (as auto) before another one locked it', async () => {
      const { a, b } = await createInstancePair(process.env.DATABASE_URL, 'vigil_unitlock');
      try {
        const email = 'admin-unitlock@example.test';
        await a.services.auth.bootstrapAdmin(email, 'correct-horse-9');
        const { user } = await a.services.auth.login(email, 'correct-horse-9');
        const { api_key: key } = await a.services.devices.register(
          { id: user.id, role: user.role, email: user.email },
          { device_id: 'LOCK-PAIR-1' },
        );
        // b has the device's key cached as auto (10 s) when a locks it to mV.
        const atB = await b.services.devices.authenticateKey(key);
        const atA = await a.services.devices.authenticateKey(key);
        const start = Date.now() - 60_000;
        await a.services.ingest.ingest(atA, [mvPacket('LOCK-PAIR-1', start, 0)], false);
        await expect(
          b.services.ingest.ingest(
            atB,
            [spikePacket('LOCK-PAIR-1', start + 1000) as VitalsPacket],
            false,
          ),
        ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', field: 'ecg_samples[100]' });
      } finally {
        await a.close();
        await b.close();
      }
    });
  },
);
