import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { DB, Role } from '../db/schema.js';

/** Who is asking. Row-level access is decided in SQL from this, never by filtering afterwards. */
export interface Viewer {
  id: string;
  role: Role;
}

const always = sql<SqlBool>`1 = 1`;

/**
 * Ids of the patients a viewer may see, as a subquery: admin all patients, a doctor their own,
 * a patient themself. Use it inside any query: `.where('vitals.patient_id', 'in', visiblePatientIds(db, viewer))`.
 */
export function visiblePatientIds<D extends DB>(executor: Kysely<D>, viewer: Viewer) {
  // Generic so areas whose Kysely type adds tables (DB & theirs) can call it; only DB is queried.
  const db = executor as unknown as Kysely<DB>;
  const q = db
    .selectFrom('users as scope_p')
    .select('scope_p.id')
    .where('scope_p.role', '=', 'patient');
  switch (viewer.role) {
    case 'admin':
      return q;
    case 'doctor':
      return q.where('scope_p.doctor_id', '=', viewer.id);
    case 'patient':
      return q.where('scope_p.id', '=', viewer.id);
  }
}

/** Condition on the `users` table: admin any user; doctor self and own patients; patient self. */
export function userVisibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<DB, 'users'>): Expression<SqlBool> => {
    switch (viewer.role) {
      case 'admin':
        return always;
      case 'doctor':
        return eb.or([
          eb('users.id', '=', viewer.id),
          eb.and([eb('users.role', '=', 'patient'), eb('users.doctor_id', '=', viewer.id)]),
        ]);
      case 'patient':
        return eb('users.id', '=', viewer.id);
    }
  };
}

/**
 * Condition on the `devices` table: admin every device; a doctor the devices of their patients
 * and the unassigned devices they registered; a patient the devices assigned to them.
 */
export function deviceVisibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<DB, 'devices'>): Expression<SqlBool> => {
    switch (viewer.role) {
      case 'admin':
        return always;
      case 'doctor':
        return eb.or([
          eb(
            'devices.patient_id',
            'in',
            eb
              .selectFrom('users as scope_p')
              .select('scope_p.id')
              .where('scope_p.role', '=', 'patient')
              .where('scope_p.doctor_id', '=', viewer.id),
          ),
          eb.and([eb('devices.patient_id', 'is', null), eb('devices.owner_id', '=', viewer.id)]),
        ]);
      case 'patient':
        return eb('devices.patient_id', '=', viewer.id);
    }
  };
}

/** Ids (`devices.id`) of the devices a viewer may see, as a subquery for other areas' queries. */
export function visibleDeviceIds<D extends DB>(executor: Kysely<D>, viewer: Viewer) {
  const db = executor as unknown as Kysely<DB>;
  return db.selectFrom('devices').select('devices.id').where(deviceVisibleTo(viewer));
}

/**
 * Hardware ids of every device that has served the patient (now or before it was handed on),
 * as a subquery: `.where('vitals.device_id', 'in', devicesThatServed(db, patientId))`. A patient's
 * rows are found through these devices and kept theirs by the rows' own `patient_id`.
 */
export function devicesThatServed<D extends DB>(executor: Kysely<D>, patientId: string) {
  const db = executor as unknown as Kysely<DB>;
  return db
    .selectFrom('device_patients')
    .select('device_patients.device_id')
    .where('device_patients.patient_id', '=', patientId);
}
