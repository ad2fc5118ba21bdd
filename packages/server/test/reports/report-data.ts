import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { encodeEcgInt16 } from '../../src/repositories/ecg-codec.js';

/**
 * Known stored data for report tests: 600 packets of one device, one a second from `t0`, with
 * predictions, one alert, two baby-monitor readings. Every figure a report of [t0, t0 + 1 h)
 * must show is computed by hand in reports.test.ts from the values below.
 *
 * - HR (device): 60 bpm for packets 0–299, 140 for 300–359, 80 for 360–599.
 * - SpO2: 90 % for packets 0–99, 97 % after.
 * - Temperature: every 60th packet, 39.5 °C at packet 0 and 37.0 °C at the others.
 * - HRV windows at packets 0 (SDNN 40 ms) and 60 (SDNN 60 ms).
 * - AF (af_since set) in packets 200–259; a 2,500 ms pause at packet 400; a VT episode of 5
 *   beats reported by packets 500–502 (same start) and one of 4 beats by packet 550; findings
 *   withheld (noise) in packet 599. Classified beat counts in packets 100–598: a VEB every
 *   10th packet from 105 (50), an SVEB every 20th from 103 (25).
 * - ECG (250 Hz, 1 s per packet) in packets 320–339; an hr_high alert opened at packet 330,
 *   acknowledged 60 s later; one alert before the period (not in the report).
 */
export const FS_HZ = 250;

export function ecgOfPacket(i: number): number[] {
  // A distinct, smooth 1 s signal per packet: a 1.2 Hz sine scaled by the packet index.
  return Array.from(
    { length: FS_HZ },
    (_, k) => (0.5 + (i % 7) * 0.1) * Math.sin((2 * Math.PI * 1.2 * k) / FS_HZ),
  );
}

export async function insertKnownData(
  db: Kysely<DB>,
  o: { t0: number; deviceId: string; patientId: string; ackBy: string },
): Promise<{ alertId: string }> {
  const { t0, deviceId, patientId } = o;
  const vitals: DB['vitals'][] = [];
  const predictions: DB['predictions'][] = [];
  for (let i = 0; i < 600; i++) {
    const ts = t0 + i * 1000;
    const id = `v-${deviceId}-${String(i).padStart(4, '0')}`;
    const ecg = i >= 320 && i < 340 ? encodeEcgInt16(ecgOfPacket(i)) : null;
    vitals.push({
      id,
      device_id: deviceId,
      patient_id: patientId,
      ts,
      sequence: i,
      received_at: ts,
      heart_rate_bpm: i < 300 ? 60 : i < 360 ? 140 : 80,
      spo2_percent: i < 100 ? 90 : 97,
      temperature_c: i % 60 === 0 ? (i === 0 ? 39.5 : 37) : null,
      respiratory_rate: null,
      battery_percent: null,
      lead_off: 0,
      ecg_sample_rate_hz: FS_HZ,
      ecg_n_samples: ecg === null ? 0 : ecg.nSamples,
      ecg_scale_mv: ecg === null ? null : ecg.scaleMv,
      ecg_samples: ecg === null ? null : ecg.bytes,
      ecg_input: null,
      device_ts: null,
      window_ms: null,
      beat_timestamps_ms: null,
    });
    const episodes =
      i >= 500 && i < 503
        ? [{ rhythm: 'VT', start: t0 + 500_500, end: null, ongoing: true }]
        : i === 550
          ? [{ rhythm: 'VT', start: t0 + 550_200, end: t0 + 551_000, ongoing: false }]
          : [];
    predictions.push({
      id: `p-${deviceId}-${String(i).padStart(4, '0')}`,
      vitals_id: id,
      device_id: deviceId,
      patient_id: patientId,
      ts,
      created_at: ts,
      risk_score: 0.1,
      risk_label: 'low',
      confidence: 0.9,
      model_version: 'test',
      reasons: '[]',
      // null: the report takes the device's HR from the packet.
      heart_rate_bpm: null,
      heart_rate_source: null,
      qrs_duration_ms: 90,
      analysable: 1,
      quality_score: 0.9,
      hrv:
        i === 0 || i === 60
          ? JSON.stringify({
              window_ms: 60_000,
              n_beats: 70,
              mean_nn_ms: 800,
              sdnn_ms: i === 0 ? 40 : 60,
              rmssd_ms: 30,
              pnn50: 0.1,
            })
          : null,
      arrhythmia: JSON.stringify({
        af_since: i >= 200 && i < 260 ? t0 + 200_000 : null,
        vt_run_beats: i >= 500 && i < 503 ? 5 : i === 550 ? 4 : 0,
        longest_pause_ms: i === 400 ? 2500 : 900,
        veb_percent: 1,
        sveb_percent: 2,
        // Beat counts from packet 100 on (packets 0–99 carry none): one VEB in packets 105,
        // 115, …, 595 (50) and one SVEB in packets 103, 123, …, 583 (25); packet 599 is withheld.
        ...(i < 100
          ? {}
          : {
              veb_beats: i === 599 ? null : i % 10 === 5 ? 1 : 0,
              sveb_beats: i === 599 ? null : i % 20 === 3 ? 1 : 0,
            }),
        episodes,
        withheld: i === 599 ? 'noise' : null,
      }),
    });
  }
  for (let k = 0; k < vitals.length; k += 100) {
    await db
      .insertInto('vitals')
      .values(vitals.slice(k, k + 100))
      .execute();
    await db
      .insertInto('predictions')
      .values(predictions.slice(k, k + 100))
      .execute();
  }
  const alertId = `a-${deviceId}-in`;
  const alert = (id: string, openedAt: number, ack: number | null): Insertable<DB['alerts']> => ({
    id,
    patient_id: patientId,
    device_id: deviceId,
    rule_kind: 'hr_high',
    severity: 'warning',
    message: 'HR 140 bpm (> 130)',
    value: 140,
    opened_at: openedAt,
    updated_at: openedAt,
    update_count: 0,
    cleared_at: openedAt + 30_000,
    cleared_by: 'rule',
    acknowledged_at: ack,
    acknowledged_by: ack === null ? null : o.ackBy,
  });
  await db
    .insertInto('alerts')
    .values([
      alert(alertId, t0 + 330_000, t0 + 390_000),
      alert(`a-${deviceId}-before`, t0 - 5_000, null),
    ])
    .execute();
  const reading = (n: number, temperature: number, humidity: number, cry: number) => ({
    id: `b-${deviceId}-${n}`,
    patient_id: patientId,
    device_id: null,
    uploaded_by: null,
    ts: t0 + n * 600_000,
    temperature_c: temperature,
    humidity_percent: humidity,
    notes: null,
    cry_detected: cry,
    cry_probability: null,
    cry_source: null,
    sick_detected: 0,
    audio: null,
    audio_content_type: null,
    upload_key: null,
    device_cry_detected: null,
    device_cry_probability: null,
    audio_cry_probability: null,
  });
  await db
    .insertInto('baby_readings')
    .values([reading(1, 36.5, 40, 1), reading(2, 37.5, 50, 0)])
    .execute();
  return { alertId };
}
