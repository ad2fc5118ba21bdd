import { ecgsyn } from '@vigil/signal';
import { firmwareCounts, firmwarePayload } from '@vigil/sim';
import { afterEach, describe, expect, it } from 'vitest';
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
import { databaseThatSurvivesRestarts } from '../helpers/restartable-database.js';

/**
 * The cardiac-monitor ESP32 (seed 000, firmware/src/data_sender.cpp) posts 10 s windows with a
 * whole-second timestamp and no sequence number. When its clock steps back (an NTP correction,
 * an RTC reset after a power cut), every window after was taken for a late copy of an older one
 * until the clock passed the old newest window: stored, but not analysed and shown to no alert
 * rule (3 h back: 3 h of a patient unmonitored). The orderer now takes three contiguous windows
 * far behind, sent in real time, for a new stream (packages/server/docs/pipeline.md).
 */

const WINDOW_S = 10;
const FS = 250;
const STEP_BACK_S = 3 * 3600;

interface Answer {
  prediction: { heart_rate_bpm: number | null; heart_rate_source: string | null } | null;
}

/** `count` contiguous 10 s windows of one synthetic ECG at `bpm`, as the firmware posts them. */
function windows(deviceId: string, bpm: number, count: number, firstS: number, seed: number) {
  const { ecgMv } = ecgsyn({ fs: FS, durationS: count * WINDOW_S, heartRateBpm: bpm, seed });
  const counts = firmwareCounts(ecgMv, FS);
  const n = FS * WINDOW_S;
  return Array.from({ length: count }, (_, k) =>
    firmwarePayload({
      deviceId,
      timestampS: firstS + k * WINDOW_S,
      sampleRateHz: FS,
      // The pulse oximeter is off (the firmware sends 0): the heart rate is the ECG's or none.
      heartRateBpm: 0,
      spo2Percent: 97,
      leadOff: false,
      ecgCounts: counts.slice(k * n, (k + 1) * n),
      beatTimestampsMs: [],
    }),
  );
}

/** Posts one window, then lets 10 s pass (the firmware sends one window per window). */
async function send(t: TestApp, key: string, json: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    payload: json,
  });
  expect(res.statusCode, res.body).toBe(201);
  t.clock.advance(WINDOW_S * 1000);
  return res.json<Answer>();
}

interface StoredPrediction {
  ts: number;
  heart_rate_bpm: number | null;
  heart_rate_source: string | null;
  reasons: string | { code: string }[];
}

/** The reason codes of a stored prediction (text on SQLite, jsonb on PostgreSQL). */
function codesOf(p: StoredPrediction | undefined): string[] {
  if (p === undefined) return [];
  const reasons =
    typeof p.reasons === 'string' ? (JSON.parse(p.reasons) as { code: string }[]) : p.reasons;
  return reasons.map((r) => r.code);
}

async function predictionsOf(t: TestApp, deviceId: string): Promise<StoredPrediction[]> {
  return t.container.database.db
    .selectFrom('predictions')
    .select(['ts', 'heart_rate_bpm', 'heart_rate_source', 'reasons'])
    .where('device_id', '=', deviceId)
    .orderBy('ts')
    .execute();
}

async function hrHighAlerts(t: TestApp, doctor: TestUser) {
  await t.container.services.alerts.idle();
  const res = await t.app.inject({ url: '/api/v1/alerts', headers: doctor.headers });
  return res
    .json<{ items: { rule_kind: string; message: string; onset_at: number; status: string }[] }>()
    .items.filter((a) => a.rule_kind === 'hr_high');
}

/** The packet time of what the three "latest" reads show a doctor. */
async function latestShownTs(t: TestApp, doctor: TestUser, deviceId: string) {
  const read = async <T>(url: string) => {
    const res = await t.app.inject({ url, headers: doctor.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };
  const vitals = await read<{ timestamp: number }>(`/api/v1/vitals/${deviceId}/latest`);
  const prediction = await read<{ timestamp: number }>(`/api/v1/predictions/${deviceId}/latest`);
  // The cardiac-monitor app's view across the doctor's devices (ISO timestamps).
  const app = await read<{ timestamp: string }>('/api/v1/vitals/me/latest');
  return {
    vitals: vitals.timestamp,
    prediction: prediction.timestamp,
    app: Date.parse(app.timestamp),
  };
}

let open: TestApp | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('a sequence-less device whose clock steps back 3 h', () => {
  it('is analysed again after three windows and raises hr_high at 150 bpm', async () => {
    const t = await createTestApp();
    open = t;
    const deviceId = 'CardiacMon-STEP';
    const { doctor, key } = await createMonitoredPatient(t, deviceId);
    const startS = Math.floor(t.clock.now() / 1000);
    for (const w of windows(deviceId, 70, 6, startS, 1)) await send(t, key, w);

    // The clock steps back 3 h, and the patient's heart races.
    const steppedS = startS + 6 * WINDOW_S - STEP_BACK_S;
    const answers: Answer[] = [];
    const shown: Awaited<ReturnType<typeof latestShownTs>>[] = [];
    for (const w of windows(deviceId, 150, 12, steppedS, 2)) {
      answers.push(await send(t, key, w));
      shown.push(await latestShownTs(t, doctor, deviceId));
    }
    // "Latest" keeps the last window before the step for 30 s (a late retry is not the stream),
    // then follows the stepped clock instead of showing a reading 3 h old for 3 h.
    const beforeStep = (startS + 5 * WINDOW_S) * 1000;
    const steppedAt = (k: number) => (steppedS + k * WINDOW_S) * 1000;
    expect(shown.map((s) => s.vitals)).toEqual([
      beforeStep,
      beforeStep,
      beforeStep,
      ...Array.from({ length: 9 }, (_, k) => steppedAt(k + 3)),
    ]);
    // Predictions are stored once the third stepped window releases the first three.
    expect(shown.map((s) => s.prediction)).toEqual([
      beforeStep,
      beforeStep,
      beforeStep,
      ...Array.from({ length: 9 }, (_, k) => steppedAt(k + 3)),
    ]);
    expect(shown.map((s) => s.app)).toEqual(shown.map((s) => s.vitals));

    // The first two wait (the answer has no prediction yet), the third releases all three.
    expect(answers.map((a) => a.prediction === null)).toEqual([
      true,
      true,
      ...Array<boolean>(10).fill(false),
    ]);
    const stepped = (await predictionsOf(t, deviceId)).filter((p) => p.ts < startS * 1000);
    expect(stepped).toHaveLength(12);
    // Every stepped-back window analysed, none taken for a late one.
    expect(stepped.filter((p) => codesOf(p).includes('LATE_PACKET'))).toEqual([]);
    const last = stepped[stepped.length - 1];
    expect(last?.ts).toBe((steppedS + 11 * WINDOW_S) * 1000);
    expect(last?.heart_rate_source).toBe('ecg');
    expect(Math.abs((last?.heart_rate_bpm ?? 0) - 150)).toBeLessThanOrEqual(3);

    const hr = await hrHighAlerts(t, doctor);
    expect(hr).toHaveLength(1);
    expect(hr[0]?.message).toMatch(/^HR 1[45]\d bpm \(> 130\)/);
    // Its onset in the device's (new) time, within the first minute after the step.
    expect(hr[0]?.onset_at).toBeGreaterThanOrEqual(steppedS * 1000);
    expect(hr[0]?.onset_at).toBeLessThan((steppedS + 60) * 1000);
  }, 60_000);

  it('clears an hr_high opened before the step once the stepped stream is normal', async () => {
    const t = await createTestApp();
    open = t;
    const deviceId = 'CardiacMon-STEPCLEAR';
    const { doctor, key } = await createMonitoredPatient(t, deviceId);
    const startS = Math.floor(t.clock.now() / 1000);
    for (const w of windows(deviceId, 150, 12, startS, 11)) await send(t, key, w);
    const opened = await hrHighAlerts(t, doctor);
    expect(opened.map((a) => a.status)).toEqual(['active_unack']);

    // The clock steps back 3 h and the rate is normal again. Before, every stepped observation
    // was older than the rule's newest and could not move the open alert: open for 3 h.
    const steppedS = startS + 12 * WINDOW_S - STEP_BACK_S;
    for (const w of windows(deviceId, 70, 12, steppedS, 12)) await send(t, key, w);
    const after = await hrHighAlerts(t, doctor);
    expect(after.map((a) => a.status)).toEqual(['cleared_unack']);
  }, 60_000);

  it('does not restart the live analysis for a stray old window, nor for a retry of a stored one', async () => {
    const t = await createTestApp();
    open = t;
    const deviceId = 'CardiacMon-STRAY';
    const { doctor, key } = await createMonitoredPatient(t, deviceId);
    const startS = Math.floor(t.clock.now() / 1000);
    const live = windows(deviceId, 80, 12, startS, 3);
    for (const w of live.slice(0, 6)) await send(t, key, w);
    // A stray window from an hour ago (a firmware resending an old buffer), then a retry of a
    // stored window: neither is the stream.
    const [stray] = windows(deviceId, 150, 1, startS - 3600, 4);
    if (stray === undefined || live[5] === undefined) throw new Error('no windows');
    await send(t, key, stray);
    // Received last, stamped an hour back: "latest" is still the live window.
    const live5 = (startS + 5 * WINDOW_S) * 1000;
    expect(await latestShownTs(t, doctor, deviceId)).toEqual({
      vitals: live5,
      prediction: live5,
      app: live5,
    });
    await send(t, key, live[5]);
    for (const w of live.slice(6)) await send(t, key, w);

    const predictions = await predictionsOf(t, deviceId);
    expect(predictions).toHaveLength(13);
    const old = predictions[0];
    expect(old?.ts).toBe((startS - 3600) * 1000);
    expect(old?.heart_rate_source).toBeNull();
    expect(codesOf(old)).toEqual(['LATE_PACKET']);
    // The live stream was analysed as one signal throughout: 80 bpm from the ECG to the end.
    for (const p of predictions.slice(3)) {
      expect(p.heart_rate_source).toBe('ecg');
      expect(Math.abs((p.heart_rate_bpm ?? 0) - 80)).toBeLessThanOrEqual(3);
    }
  }, 60_000);

  it('keeps analysing the live stream when buffered old windows come between live ones', async () => {
    const t = await createTestApp();
    open = t;
    const deviceId = 'CardiacMon-BUFFER';
    const { doctor, key } = await createMonitoredPatient(t, deviceId);
    const startS = Math.floor(t.clock.now() / 1000);
    const live = windows(deviceId, 80, 12, startS, 5);
    // Ten minutes old, contiguous with each other, at 150 bpm: analysed as the stream they
    // would open an HR alert the live patient does not have.
    const buffered = windows(deviceId, 150, 6, startS - 600, 6);
    for (const w of live.slice(0, 4)) await send(t, key, w);
    for (const [k, w] of live.slice(4, 10).entries()) {
      await send(t, key, buffered[k] ?? '');
      await send(t, key, w);
    }
    for (const w of live.slice(10)) await send(t, key, w);

    const predictions = await predictionsOf(t, deviceId);
    const old = predictions.filter((p) => p.ts < startS * 1000);
    expect(old).toHaveLength(6);
    for (const p of old) {
      expect(p.heart_rate_source).toBeNull();
      expect(codesOf(p)).toEqual(['LATE_PACKET']);
    }
    const current = predictions.filter((p) => p.ts >= startS * 1000);
    expect(current).toHaveLength(12);
    for (const p of current.slice(3)) {
      expect(p.heart_rate_source).toBe('ecg');
      expect(Math.abs((p.heart_rate_bpm ?? 0) - 80)).toBeLessThanOrEqual(3);
    }
    expect(await hrHighAlerts(t, doctor)).toEqual([]);
  }, 60_000);
});

describe('a sequence-less device whose clock stepped back, across a server restart', () => {
  it('is analysed and raises hr_high after the restart (state rebuilt from stored windows)', async () => {
    const db = databaseThatSurvivesRestarts('clock-step');
    const t0 = Date.now();
    const deviceId = 'CardiacMon-RESTART';
    const first = await db.start(t0, false);
    const admin = await createAdmin(first);
    const doctor = await createDoctor(first, admin);
    const patient = await createPatient(first, doctor);
    const { api_key: key } = await registerDevice(first, doctor, {
      patientId: patient.user.id,
      deviceId,
    });
    const startS = Math.floor(t0 / 1000);
    for (const w of windows(deviceId, 70, 6, startS, 7)) await send(first, key, w);
    const steppedS = startS + 6 * WINDOW_S - STEP_BACK_S;
    const racing = windows(deviceId, 150, 12, steppedS, 8);
    // One window after the step, then the server restarts.
    await send(first, key, racing[0] ?? '');
    await first.close();

    const t = await db.start(t0 + 8 * WINDOW_S * 1000, true);
    open = t;
    for (const w of racing.slice(1)) await send(t, key, w);
    const stepped = (await predictionsOf(t, deviceId)).filter((p) => p.ts < startS * 1000);
    const last = stepped[stepped.length - 1];
    expect(last?.ts).toBe((steppedS + 11 * WINDOW_S) * 1000);
    expect(last?.heart_rate_source).toBe('ecg');
    expect(Math.abs((last?.heart_rate_bpm ?? 0) - 150)).toBeLessThanOrEqual(3);
    const hr = await hrHighAlerts(t, doctor);
    expect(hr).toHaveLength(1);
    expect(hr[0]?.onset_at).toBeLessThan((steppedS + 60) * 1000);
  }, 60_000);
});

describe("a firmware window read back from storage (a new owner's warm-up)", () => {
  it('decodes its beat_timestamps_ms on both databases (jsonb arrives parsed on PostgreSQL)', async () => {
    const t = await createTestApp();
    open = t;
    const deviceId = 'CardiacMon-WARMUP';
    const { key } = await createMonitoredPatient(t, deviceId);
    const startS = Math.floor(t.clock.now() / 1000) - 60;
    const json = firmwarePayload({
      deviceId,
      timestampS: startS,
      sampleRateHz: FS,
      heartRateBpm: 72,
      spo2Percent: 97,
      leadOff: false,
      ecgCounts: firmwareCounts(ecgsyn({ fs: FS, durationS: 10, heartRateBpm: 72 }).ecgMv, FS),
      beatTimestampsMs: [120, 980],
    });
    await send(t, key, json);
    const stored = t.container.services.ingest.kind.stored;
    if (stored === undefined) throw new Error('ecg-vitals reads its stored stream back');
    // JSON.parse of the parsed array threw: every upload of such a device to a new owner after
    // a restart answered 500 once, and its catch-up of windows stored elsewhere failed for good.
    const last = await stored.warmUp({
      deviceId,
      state: t.container.services.ingest.kind.createDeviceState(),
      fromTs: startS * 1000 - 1,
      toTs: startS * 1000,
    });
    expect(last).toEqual({ timestampMs: startS * 1000, sequence: null, durationMs: 10_000 });
  });
});
