import type { Kysely } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { createAlertRulesRepository } from './alert-rules.repository.js';
import { createAlertsRepository } from './alerts.repository.js';
import { createAuditRepository } from './audit.repository.js';
import { createClusterJobsRepository } from './cluster-jobs.repository.js';
import { DevicesRepository } from './devices.repository.js';
import { createEcgLeadsRepository } from './ecg-leads.repository.js';
import { createEventsRepository } from './events.repository.js';
import { createFhirRepository } from './fhir.repository.js';
import { createMqttDeadLettersRepository } from './mqtt-dead-letters.repository.js';
import { HealthRepository } from './health.repository.js';
import { createPatientScopeRepository } from './patient-scope.repository.js';
import { createPredictionsRepository } from './predictions.repository.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { createReportsRepository } from './reports.repository.js';
import { createRetentionRepository } from './retention.repository.js';
import { UsersRepository } from './users.repository.js';
import { createVitalsRepository } from './vitals.repository.js';

/** All repositories over one executor (the pool, or a transaction). Areas add theirs here. */
export function createRepositories(db: Kysely<DB>, dialect: Dialect) {
  return {
    users: new UsersRepository(db),
    refreshTokens: new RefreshTokensRepository(db),
    devices: new DevicesRepository(db),
    health: new HealthRepository(db),
    vitals: createVitalsRepository(db, dialect),
    ecgLeads: createEcgLeadsRepository(db),
    predictions: createPredictionsRepository(db),
    alerts: createAlertsRepository(db, dialect),
    alertRules: createAlertRulesRepository(db),
    events: createEventsRepository(db),
    patientScope: createPatientScopeRepository(db),
    retention: createRetentionRepository(db),
    fhir: createFhirRepository(db),
    audit: createAuditRepository(db),
    reports: createReportsRepository(db, dialect),
    clusterJobs: createClusterJobsRepository(db),
    mqttDeadLetters: createMqttDeadLettersRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** Runs `fn` in one transaction with repositories bound to it; services own transactions. */
export interface Transactor {
  run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

export function createTransactor(db: Kysely<DB>, dialect: Dialect): Transactor {
  return {
    run: (fn) => db.transaction().execute((trx) => fn(createRepositories(trx, dialect))),
  };
}
