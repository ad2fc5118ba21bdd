import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * Whose stored rows a read of one device returns: one patient's, those taken for no patient
 * (null: an unassigned device's, or a deleted patient's), or every row (undefined: an admin's
 * read). A device handed on keeps the patient each row was taken for (`patient_id`), so this is
 * what keeps the earlier patient's rows from the next one (`deviceRowOwner`).
 */
export type RowOwner = string | null | undefined;

/**
 * Reads across several devices (the app's `/vitals/me/…` for a doctor): each device's rows taken
 * for its current patient, as a read of that one device shows anyone but an admin.
 */
export const EACH_DEVICE_CURRENT_PATIENT = { eachDeviceCurrentPatient: true } as const;

/** Whose rows of several devices a read returns: a `RowOwner` for all, or each device's own. */
export type RowsOwner = RowOwner | typeof EACH_DEVICE_CURRENT_PATIENT;

/** The filter of `RowsOwner` on a `patient_id` column (always true for undefined). */
export function ownedBy(
  column: 'patient_id' | 'vitals.patient_id' | 'v.patient_id',
  owner: RowsOwner,
): RawBuilder<SqlBool> {
  if (owner === undefined) return sql<SqlBool>`1 = 1`;
  if (owner === null) return sql<SqlBool>`${sql.ref(column)} is null`;
  if (typeof owner === 'string') return sql<SqlBool>`${sql.ref(column)} = ${owner}`;
  // Qualified, or inside the sub-select `patient_id` would name the device's own column.
  if (column === 'patient_id') throw new Error('ownedBy: each device needs a qualified column');
  const patient = sql.ref(column);
  const device = sql.ref(column.replace('patient_id', 'device_id'));
  return sql<SqlBool>`exists (select 1 from devices as owner_device
    where owner_device.device_id = ${device} and (owner_device.patient_id = ${patient}
      or (owner_device.patient_id is null and ${patient} is null)))`;
}

/**
 * The filter of `RowOwner` on the per-minute rollup's `patient_key` (migration 032: the packets'
 * `patient_id`, '' for none). Deleting a patient sets their packets' `patient_id` to null (its
 * foreign key) and, in the same transaction, files their rollup rows under '' (UsersService.delete;
 * migration 033 for those deleted before): rows taken for no patient are those keyed ''.
 */
export function rolledUpFor(owner: RowOwner): RawBuilder<SqlBool> {
  if (owner === undefined) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`${sql.ref('vitals_minute.patient_key')} = ${owner ?? ''}`;
}
