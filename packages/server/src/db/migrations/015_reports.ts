import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Clinical reports (src/services/reports.service.ts): one patient over a period, with
 * its content (figures, alerts, trends, ECG strips) computed once when the report is built and
 * kept as JSON, so a signed report reads the same after retention has deleted the packets it
 * came from. A final report changes only by appending to `addenda` (JSON array).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { json } = columnTypes(db);
  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('addenda', json, (c) => c.notNull())
    .addColumn('content', json, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finalized_at', 'bigint')
    .addCheckConstraint('reports_status_check', sql`status in ('draft', 'final')`)
    .addCheckConstraint('reports_period_check', sql`period_end > period_start`)
    .execute();
  await db.schema
    .createIndex('reports_patient_created_idx')
    .on('reports')
    .columns(['patient_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reports').execute();
}
