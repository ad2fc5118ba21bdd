import type { Kysely } from 'kysely';
import type { AlertRulesTable } from '../db/pipeline-schema.js';
import type { DB } from '../db/schema.js';

export interface AlertRulesRepository {
  listForPatient(patientId: string): Promise<AlertRulesTable[]>;
  listAll(): Promise<AlertRulesTable[]>;
  /** Replaces all of a patient's overrides in one transaction. */
  replaceForPatient(patientId: string, rows: readonly AlertRulesTable[]): Promise<void>;
}

export function createAlertRulesRepository(db: Kysely<DB>): AlertRulesRepository {
  return {
    listForPatient(patientId) {
      return db
        .selectFrom('alert_rules')
        .selectAll()
        .where('patient_id', '=', patientId)
        .orderBy('kind')
        .execute();
    },
    listAll() {
      return db.selectFrom('alert_rules').selectAll().execute();
    },
    async replaceForPatient(patientId, rows) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('alert_rules').where('patient_id', '=', patientId).execute();
        if (rows.length > 0)
          await trx
            .insertInto('alert_rules')
            .values([...rows])
            .execute();
      });
    },
  };
}
