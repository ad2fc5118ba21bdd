import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BabyReadingsTable, Ecg12RequestsTable } from '../db/pipeline-schema.js';
import { createBabyReadingsRepository } from '../kinds/baby-monitor/baby-monitor.repository.js';
import { createRppgRepository } from '../kinds/rppg/rppg.repository.js';
import { RetentionService } from '../services/retention.service.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
} from '../../test/helpers/index.js';
import { createEcg12Repository } from './ecg12.repository.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Every kind of measurement besides the packets (those: test/vitals/retention.test.ts), written
 * through its own repository or route on either side of a 30-day horizon, then one retention
 * pass on the real database (SQLite; PostgreSQL with DATABASE_URL).
 */
describe('data retention of every measurement kind (VITALS_RETENTION_DAYS, AUDIO_RETENTION_DAYS)', () => {
  let t: TestApp;
  /** The 30-day horizon (start of that minute) and the 7-day audio horizon. */
  let h: number;
  let a: number;
  let patientId: string;
  const deviceId = 'OXI-RETAIN';

  const ids = async (
    table:
      | 'oximetry_readings'
      | 'baby_readings'
      | 'heart_rate_observations'
      | 'rppg_sessions'
      | 'ecg12_requests'
      | 'mqtt_dead_letters',
  ): Promise<string[]> =>
    (await t.container.database.db.selectFrom(table).select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    const doctor = await createDoctor(t, admin);
    patientId = (await createPatient(t, doctor)).user.id;
    const { api_key: key } = await registerDevice(t, doctor, { patientId, deviceId });
    h = Math.floor((t.clock.now() - 30 * DAY) / 60_000) * 60_000;
    a = Math.floor((t.clock.now() - 7 * DAY) / 60_000) * 60_000;
    const db = t.container.database.db;

    // Pulse oximetry, through the ingest route: 1 min and 1 ms before the horizon, at it, after.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/oximetry',
      headers: { 'x-api-key': key },
      payload: [h - 60_000, h - 1, h, h + 1].map((ts) => ({
        device_id: deviceId,
        timestamp: ts,
        spo2_percent: 97,
        pulse_rate_bpm: 74,
      })),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);

    // Baby monitor: every reading with a clip; b-old before the horizon, b-edge at it, b-week
    // before the audio horizon, b-new after it.
    const baby = createBabyReadingsRepository(db);
    const reading = (id: string, ts: number): BabyReadingsTable => ({
      id,
      patient_id: patientId,
      device_id: null,
      uploaded_by: null,
      ts,
      temperature_c: 36.8,
      humidity_percent: 45,
      notes: null,
      cry_detected: 1,
      cry_probability: 0.9,
      cry_source: 'server_audio',
      sick_detected: 0,
      audio: Buffer.from('RIFF-clip'),
      audio_content_type: 'audio/wav',
      upload_key: null,
      device_cry_detected: null,
      device_cry_probability: null,
      audio_cry_probability: 0.9,
      mqtt_payload_sha256: null,
      mqtt_received_at: null,
    });
    for (const [id, ts] of [
      ['b-old', h - 1],
      ['b-edge', h],
      ['b-week', a - 1],
      ['b-new', a],
    ] as const)
      expect(await baby.insert(reading(id, ts))).toBe(true);

    // Camera heart rate: s-old ended before the horizon with all its observations before it
    // (both go); s-late ended before it but has an observation from the horizon on (kept, so
    // the observation's session still exists); s-open never ended (kept: an instance may still
    // write to it); s-new ended after it.
    const rppg = createRppgRepository(db);
    const session = (id: string, created: number, ended: number | null) =>
      rppg.insertSession({
        id,
        patient_id: patientId,
        created_by: null,
        source: 'client',
        created_at: created,
        ended_at: ended,
      });
    await session('s-old', h - 2 * HOUR, h - HOUR);
    await session('s-late', h - 2 * HOUR, h - HOUR);
    await session('s-open', h - 2 * HOUR, null);
    await session('s-new', h + HOUR, h + 2 * HOUR);
    const observation = (id: string, ts: number, sessionId: string) => ({
      id,
      patient_id: patientId,
      ts,
      bpm: 72,
      source: 'rppg' as const,
      session_id: sessionId,
      confidence: 'high' as const,
      signal_quality: 'good' as const,
      snr_db: 6,
    });
    await rppg.insertObservations([
      observation('o-old-1', h - 2 * HOUR, 's-old'),
      observation('o-old-2', h - 1, 's-old'),
      observation('o-late-1', h - 2 * HOUR, 's-late'),
      observation('o-late-2', h, 's-late'),
      observation('o-new', h + HOUR, 's-new'),
    ]);

    // 12-lead: an old success with its result, an old failure (no result), a new success.
    const request = (id: string, created: number, success: boolean): Ecg12RequestsTable => ({
      id,
      created_at: created,
      request_type: 'single',
      success: success ? 1 : 0,
      error_code: success ? null : 'VALIDATION_FAILED',
      error_message: success ? null : 'bad leads',
      caller_user_id: doctor.user.id,
      patient_id: patientId,
      age: 61,
      sex: 1,
      height: 172,
      weight: 80,
      heart_axis: null,
      sampling_rate_hz: 500,
      n_samples: 5000,
      class_index: success ? 0 : null,
      class_name: success ? 'NORM' : null,
      class_description: null,
      processing_ms: 12,
      model_version: 'test',
    });
    const result = (id: string) => ({
      request_id: id,
      result_json: '{}',
      signal: new Uint8Array([1, 0, 2, 0]),
      signal_scales_mv: '[0.005]',
    });
    await createEcg12Repository(db).insert(
      [request('e-old', h - 1, true), request('e-fail', h - DAY, false), request('e-new', h, true)],
      [result('e-old'), result('e-new')],
    );

    // MQTT dead letters, by receipt.
    for (const [id, at] of [
      ['d-old', h - 1],
      ['d-new', h],
    ] as const)
      await t.container.repositories.mqttDeadLetters.insert({
        id,
        received_at: at,
        device_id: deviceId,
        topic: `vigil/devices/${deviceId}/oximetry`,
        payload: Buffer.from('{"spo2_percent":'),
        error_code: 'INTERNAL',
        error_message: 'boom',
        attempts: 5,
      });
  });
  afterAll(async () => {
    await t.close();
  });

  it('deletes each kind older than the horizon in batches, clips older than the audio horizon, and nothing else', async () => {
    const db = t.container.database.db;
    const service = new RetentionService(
      { retention: t.container.repositories.retention, clock: t.clock },
      { days: 30, audioDays: 7, batchSize: 2 },
    );
    const report = await service.purge();
    expect(report).toEqual({
      before: h,
      complete: true,
      partitions: 0,
      deleted: {
        vitals: 0,
        predictions: 0,
        vitals_minute: 0,
        oximetry_readings: 2,
        baby_readings: 1,
        heart_rate_observations: 3,
        rppg_sessions: 1,
        ecg12_requests: 2,
        ecg12_results: 1,
        mqtt_dead_letters: 1,
      },
      // b-edge and b-week: both older than the audio horizon.
      clipsRemoved: 2,
    });

    const oximetry = await db.selectFrom('oximetry_readings').select('ts').orderBy('ts').execute();
    expect(oximetry.map((r) => r.ts)).toEqual([h, h + 1]);
    expect(await ids('baby_readings')).toEqual(['b-edge', 'b-new', 'b-week']);
    const clips = await db
      .selectFrom('baby_readings')
      .select(['id', 'audio_content_type', 'cry_detected', 'audio_cry_probability'])
      .where('audio', 'is not', null)
      .orderBy('id')
      .execute();
    expect(clips.map((r) => r.id)).toEqual(['b-new']);
    // The stripped reading keeps its values and verdict.
    expect(await createBabyReadingsRepository(db).findById('b-week')).toMatchObject({
      has_audio: 0,
      audio_content_type: null,
      cry_detected: 1,
      audio_cry_probability: 0.9,
      temperature_c: 36.8,
    });
    expect(await ids('heart_rate_observations')).toEqual(['o-late-2', 'o-new']);
    expect(await ids('rppg_sessions')).toEqual(['s-late', 's-new', 's-open']);
    // No observation names a session that is gone.
    const orphans = await db
      .selectFrom('heart_rate_observations as o')
      .leftJoin('rppg_sessions as s', 's.id', 'o.session_id')
      .select('o.id')
      .where('s.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
    expect(await ids('ecg12_requests')).toEqual(['e-new']);
    const results = await db.selectFrom('ecg12_results').select('request_id').execute();
    expect(results.map((r) => r.request_id)).toEqual(['e-new']);
    expect(await ids('mqtt_dead_letters')).toEqual(['d-new']);

    // A second pass finds nothing more.
    const again = await service.purge();
    expect(Object.values(again.deleted).every((n) => n === 0)).toBe(true);
    expect(again.clipsRemoved).toBe(0);
  });
});
