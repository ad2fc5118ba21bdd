import { sql, type Kysely } from 'kysely';

/**
 * Every patient a device has been assigned to. A clinic hands a device on to the next patient
 * (`PUT /api/v1/devices/{id}` with another `patient_id`); the rows it stored keep the patient
 * they were taken from (`patient_id` on vitals and oximetry readings), but a patient's heart-rate
 * history, FHIR Observations and reports found their rows through the patient's devices *now*,
 * so a moved device's rows were lost to the first patient. Those reads go through this table
 * (and still filter rows by `patient_id`), keeping the (device_id, ts) index on the hot tables
 * the only one they need. Written with the device row (devices.repository.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_patients')
    .addColumn('patient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) =>
      c.notNull().references('devices.device_id').onDelete('cascade'),
    )
    // When the device was first assigned to the patient (epoch ms; the backfill: its first row).
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_patients_pk', ['patient_id', 'device_id'])
    .execute();
  // Backfill: the current assignments, and every (device, patient) pair a stored row records
  // (one pass over each table, once). Rows of a patient since deleted are skipped.
  await sql`
    insert into device_patients (patient_id, device_id, first_at)
    select patient_id, device_id, min(at) from (
      select patient_id, device_id, created_at as at from devices where patient_id is not null
      union all
      select patient_id, device_id, min(ts) as at from vitals
        where patient_id is not null group by patient_id, device_id
      union all
      select patient_id, device_id, min(ts) as at from oximetry_readings
        where patient_id is not null group by patient_id, device_id
    ) pairs
    where patient_id in (select id from users)
    group by patient_id, device_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_patients').execute();
}
