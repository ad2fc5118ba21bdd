import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * The cardiac-monitor ESP32 firmware and app of seed 000:
 * - `devices.ecg_input`: the device's ECG input profile (units, ADC bits, zero, gain) as JSON;
 *   null = auto (see @vigil/protocol EcgInputProfileSchema);
 * - `vitals.ecg_input`: the profile a packet's samples were converted with (null: mV, before 010);
 * - `vitals.device_ts`: what a device with an unsynchronised clock sent as its timestamp, when
 *   `ts` is the server's receive time instead (null: `ts` is the device's own);
 * - `vitals.window_ms`, `vitals.beat_timestamps_ms` (JSON): the firmware's window framing and
 *   its pulse sensor's beats, kept as sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { json } = columnTypes(db);
  await db.schema.alterTable('devices').addColumn('ecg_input', json).execute();
  await db.schema.alterTable('vitals').addColumn('ecg_input', 'text').execute();
  await db.schema.alterTable('vitals').addColumn('device_ts', 'bigint').execute();
  await db.schema.alterTable('vitals').addColumn('window_ms', 'integer').execute();
  await db.schema.alterTable('vitals').addColumn('beat_timestamps_ms', json).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const c of ['beat_timestamps_ms', 'window_ms', 'device_ts', 'ecg_input'])
    await db.schema.alterTable('vitals').dropColumn(c).execute();
  await db.schema.alterTable('devices').dropColumn('ecg_input').execute();
}
