import { afterEach, describe, expect, it } from 'vitest';
import { createMonitoredPatient, createTestApp, type TestApp } from '../helpers/index.js';
import { firmwareCounts, firmwarePayload } from '@vigil/sim';
import { ecgsyn } from '@vigil/signal';
import { post, syntheticPackets } from './packets.js';

/**
 * The rule for device clocks (packages/server/docs/pipeline.md, `timestamp`): a clock minutes
 * ahead or behind is taken as it is (the packet keeps the device's time; identity and order
 * follow it and the sequence number); a clock before 2020 or more than a day ahead is replaced
 * by the receive time and flagged; a clock that went back onto timestamps already stored under
 * other sequence numbers is refused with 409 TIMESTAMP_TAKEN naming the field, not taken for a
 * retry (which dropped the packet silently).
 */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface Answer {
  id: string;
  timestamp: number;
  sequence: number | null;
  timestamp_unsynced: boolean;
}

describe('device clock skew', () => {
  it('keeps the device time of a clock minutes ahead or behind, unflagged', async () => {
    t = await createTestApp();
    const { key } = await createMonitoredPatient(t, 'ESP32-SKEW');
    const now = t.clock.now();
    for (const offsetMs of [7 * 60_000, -7 * 60_000]) {
      const [p] = syntheticPackets('ESP32-SKEW', 70, 1, now + offsetMs, 3);
      const res = await post(t, key, { ...p, sequence: offsetMs > 0 ? 1 : 2 });
      expect(res.statusCode).toBe(201);
      expect(res.json<Answer>()).toMatchObject({
        timestamp: now + offsetMs,
        timestamp_unsynced: false,
      });
    }
  });

  it('stores a clock more than a day ahead at the receive time, flagged', async () => {
    t = await createTestApp();
    const { key } = await createMonitoredPatient(t, 'ESP32-AHEAD');
    const now = t.clock.now();
    const [p] = syntheticPackets('ESP32-AHEAD', 70, 1, now + 2 * 86_400_000, 3);
    const res = await post(t, key, p);
    expect(res.statusCode).toBe(201);
    expect(res.json<Answer>()).toMatchObject({ timestamp: now, timestamp_unsynced: true });
  });

  it('refuses a packet whose timestamp is stored under another sequence (clock went back), and still answers a true retry', async () => {
    t = await createTestApp();
    const { key } = await createMonitoredPatient(t, 'ESP32-BACK');
    const start = t.clock.now() - 10 * 60_000;
    const packets = syntheticPackets('ESP32-BACK', 70, 3, start, 3);
    const first = await post(t, key, { ...packets[0], sequence: 10 });
    expect(first.statusCode).toBe(201);
    await post(t, key, { ...packets[1], sequence: 11 });

    // The clock stepped back 2 s: packet 12 carries packet 10's timestamp.
    const stepped = await post(t, key, { ...packets[0], sequence: 12 });
    expect(stepped.statusCode).toBe(409);
    expect(stepped.json()).toMatchObject({ code: 'TIMESTAMP_TAKEN', field: 'timestamp' });

    // A real retry of packet 10 gets its original answer.
    const retry = await post(t, key, { ...packets[0], sequence: 10 });
    expect(retry.json<Answer>().id).toBe(first.json<Answer>().id);

    // In a batch, the index is named and nothing of the batch is stored.
    const batch = await post(t, key, [
      { ...packets[2], sequence: 13 },
      { ...packets[1], sequence: 14 },
    ]);
    expect(batch.statusCode).toBe(409);
    expect(batch.json()).toMatchObject({ code: 'TIMESTAMP_TAKEN', field: '[1].timestamp' });
    const rows = await t.container.database.db
      .selectFrom('vitals')
      .select('sequence')
      .where('device_id', '=', 'ESP32-BACK')
      .orderBy('sequence')
      .execute();
    expect(rows.map((r) => Number(r.sequence))).toEqual([10, 11]);
  });

  it('refuses a sequence-less window whose clock went back onto a stored one, and still answers a true retry', async () => {
    // The cardiac-monitor ESP32 (seed 000, firmware/src/data_sender.cpp) sends no sequence and
    // whole-second timestamps, and reads `prediction` from the answer. A window at a stored
    // window's second with other content was answered with the stored window's id and
    // prediction (70 bpm for a 140 bpm window), and dropped.
    const app = await createTestApp();
    t = app;
    const { key } = await createMonitoredPatient(app, 'ESP32-FW-BACK');
    const startS = Math.floor(t.clock.now() / 1000) - 60;
    const window = (bpm: number, seed: number, timestampS: number) =>
      app.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        payload: firmwarePayload({
          deviceId: 'ESP32-FW-BACK',
          timestampS,
          sampleRateHz: 250,
          heartRateBpm: bpm,
          spo2Percent: 97,
          leadOff: false,
          ecgCounts: firmwareCounts(
            ecgsyn({ fs: 250, durationS: 10, heartRateBpm: bpm, seed }).ecgMv,
            250,
          ),
          beatTimestampsMs: [120, 980],
        }),
      });
    const first = await window(70, 1, startS);
    expect(first.statusCode).toBe(201);
    expect((await window(70, 2, startS + 10)).statusCode).toBe(201);

    // The clock stepped back 10 s: a new 140 bpm window carries the first one's second.
    const stepped = await window(140, 4, startS);
    expect(stepped.statusCode).toBe(409);
    expect(stepped.json()).toMatchObject({ code: 'TIMESTAMP_TAKEN', field: 'timestamp' });

    // The firmware's retry of the first window (the same bytes) gets its first answer.
    const retry = await window(70, 1, startS);
    expect(retry.statusCode).toBe(201);
    expect(retry.json<Answer>().id).toBe(first.json<Answer>().id);
    expect(retry.json()).toMatchObject({
      prediction: first.json<{ prediction: object }>().prediction,
    });

    const rows = await t.container.database.db
      .selectFrom('vitals')
      .select(['ts', 'heart_rate_bpm'])
      .where('device_id', '=', 'ESP32-FW-BACK')
      .orderBy('ts')
      .execute();
    expect(rows).toEqual([
      { ts: startS * 1000, heart_rate_bpm: 70 },
      { ts: (startS + 10) * 1000, heart_rate_bpm: 70 },
    ]);
  });

  it('names the packet of the same batch a refused timestamp collides with, without saying it was stored', async () => {
    t = await createTestApp();
    const { key } = await createMonitoredPatient(t, 'ESP32-TWICE');
    const [p, q] = syntheticPackets('ESP32-TWICE', 70, 2, t.clock.now() - 60_000, 3);
    const batch = await post(t, key, [
      { ...p, sequence: 10 },
      { ...q, sequence: 11 },
      { ...p, sequence: 99 },
    ]);
    expect(batch.statusCode).toBe(409);
    const body = batch.json<{ code: string; field: string; message: string }>();
    expect(body).toMatchObject({ code: 'TIMESTAMP_TAKEN', field: '[2].timestamp' });
    // Nothing of the batch is stored: the collision is with [0], sent in the same request.
    expect(body.message).toContain('[0]');
    expect(body.message).not.toContain('stored already');
    const rows = await t.container.database.db
      .selectFrom('vitals')
      .select('sequence')
      .where('device_id', '=', 'ESP32-TWICE')
      .execute();
    expect(rows).toEqual([]);
  });

  it('rejects a timestamp beyond 2^53 - 1 ms naming field timestamp, and the device stays readable', async () => {
    // Found by fuzzing POST /api/v1/vitals: a nanosecond clock (9.2e18) was stored as the
    // unsynchronised device_ts; on PostgreSQL every later read or upload of the device was a 500.
    t = await createTestApp();
    const { key, doctor } = await createMonitoredPatient(t, 'ESP32-NANO');
    const [p] = syntheticPackets('ESP32-NANO', 70, 1, t.clock.now(), 3);
    for (const timestamp of [9.2e18, Number.MAX_SAFE_INTEGER + 2, 1e308]) {
      const res = await post(t, key, { ...p, timestamp });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'timestamp' });
    }
    const rows = await t.container.database.db
      .selectFrom('vitals')
      .select('id')
      .where('device_id', '=', 'ESP32-NANO')
      .execute();
    expect(rows).toEqual([]);

    const unsynced = await post(t, key, { ...p, timestamp: Number.MAX_SAFE_INTEGER });
    expect(unsynced.json<Answer>()).toMatchObject({
      timestamp: t.clock.now(),
      timestamp_unsynced: true,
    });
    const latest = await t.app.inject({
      method: 'GET',
      url: '/api/v1/vitals/ESP32-NANO/latest',
      headers: doctor.headers,
    });
    expect(latest.statusCode).toBe(200);
    expect(latest.json()).toMatchObject({ device_timestamp: Number.MAX_SAFE_INTEGER });
  });
});
