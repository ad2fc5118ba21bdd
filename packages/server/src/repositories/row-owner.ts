import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * Whose stored rows a read returns: one patient's, those taken for no patient (null: an unassigned
 * device's, or a deleted patient's), or every row (undefined: an admin's read). A device handed on
 * keeps the patient each row was taken for (`patient_id`), so this is what keeps the earlier
 * patient's rows from the next one (`deviceRowOwner`).
 */
export type RowOwner = string | null | undefined;

/** The filter of `RowOwner` on a `patient_id` column (always true for undefined). */
export function ownedBy(
  column: 'patient_id' | 'vitals.patient_id',
  owner: RowOwner,
): RawBuilder<SqlBool> {
  if (owner === undefined) return sql<SqlBool>`1 = 1`;
  if (owner === null) return sql<SqlBool>`${sql.ref(column)} is null`;
  return sql<SqlBool>`${sql.ref(column)} = ${owner}`;
}
