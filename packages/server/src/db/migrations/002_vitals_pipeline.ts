import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Vitals pipeline: raw packets (measurements in their own columns), ECG waveform chunks as
 * int16 binary with a scale factor, predictions, alerts with their lifecycle, per-patient
 * alert rules, and an event log (outbox) that WebSocket clients catch up from by event id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { blob, json } = columnTypes(db);
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('vitals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) =>
      c.notNull().references('devices.device_id').onDelete('cascade'),
    )
    // The patient wearing the device when the packet was taken (devices can be reassigned).
    .addColumn('patient_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('sequence', 'bigint')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('heart_rate_bpm', 'real')
    .addColumn('spo2_percent', 'real')
    .addColumn('temperature_c', 'real')
    .addColumn('respiratory_rate', 'real')
    .addColumn('battery_percent', 'real')
    .addColumn('lead_off', 'integer')
    .addColumn('ecg_sample_rate_hz', 'real', (c) => c.notNull())
    .addColumn('ecg_n_samples', 'integer', (c) => c.notNull())
    .execute();
  // Identity of a packet: a retry with the same (device, timestamp) is the same packet.
  await db.schema
    .createIndex('vitals_device_ts_uq')
    .on('vitals')
    .columns(['device_id', 'ts'])
    .unique()
    .execute();

  await db.schema
    .createTable('ecg_chunks')
    .addColumn('vitals_id', 'text', (c) =>
      c.primaryKey().references('vitals.id').onDelete('cascade'),
    )
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('fs', 'real', (c) => c.notNull())
    .addColumn('n_samples', 'integer', (c) => c.notNull())
    .addColumn('scale_mv', 'double precision', (c) => c.notNull())
    .addColumn('samples', blob, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ecg_chunks_device_ts_idx')
    .on('ecg_chunks')
    .columns(['device_id', 'ts'])
    .execute();

  await db.schema
    .createTable('predictions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vitals_id', 'text', (c) => c.notNull().references('vitals.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('risk_score', 'real', (c) => c.notNull())
    .addColumn('risk_label', 'text', (c) => c.notNull())
    .addColumn('confidence', 'real', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('reasons', json, (c) => c.notNull())
    .addColumn('heart_rate_bpm', 'real')
    .addColumn('heart_rate_source', 'text')
    .addColumn('qrs_duration_ms', 'real')
    .addColumn('analysable', 'integer')
    .addColumn('quality_score', 'real')
    .addColumn('hrv', json)
    .addColumn('arrhythmia', json)
    .addCheckConstraint(
      'predictions_label_check',
      sql`risk_label in ('normal', 'low', 'moderate', 'elevated', 'high')`,
    )
    .execute();
  await db.schema
    .createIndex('predictions_device_ts_idx')
    .on('predictions')
    .columns(['device_id', 'ts'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'text')
    .addColumn('rule_kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('value', 'real')
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('update_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cleared_at', 'bigint')
    .addColumn('cleared_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addCheckConstraint('alerts_severity_check', sql`severity in ('info', 'warning', 'critical')`)
    .execute();
  // At most one active alert per (patient, rule): the lifecycle updates it instead of duplicating.
  await db.schema
    .createIndex('alerts_one_active_uq')
    .on('alerts')
    .columns(['patient_id', 'rule_kind'])
    .unique()
    .where(sql.ref('cleared_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('alerts_patient_opened_idx')
    .on('alerts')
    .columns(['patient_id', 'opened_at'])
    .execute();

  await db.schema
    .createTable('alert_rules')
    .addColumn('patient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('threshold', 'real')
    .addColumn('duration_s', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('alert_rules_pk', ['patient_id', 'kind'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_patient_id_idx')
    .on('events')
    .columns(['patient_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['events', 'alert_rules', 'alerts', 'predictions', 'ecg_chunks', 'vitals']) {
    await db.schema.dropTable(t).execute();
  }
}
