import type { Kysely } from 'kysely';

/**
 * The audit trail: one row per access to patient data, sign-in, user or device change
 * and denied request. No foreign keys on purpose: an event outlives the user, device or patient
 * it names (HIPAA §164.316(b)(2) keeps such records six years; GDPR Art. 30 asks who processed
 * what). Rows are only ever inserted, and deleted by the audit retention pass
 * (AUDIT_RETENTION_DAYS). Every filter of GET /api/v1/audit reads newest first by (at, id), so
 * each filter column has an index ending in `at`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('patient_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
  for (const column of ['patient_id', 'actor_id', 'action', 'outcome'])
    await db.schema
      .createIndex(`audit_events_${column}_at`)
      .on('audit_events')
      .columns([column, 'at'])
      .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
}
