import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config/env.js';
import type { Services } from '../../../composition.js';
import { alertRulesRoutes } from './alert-rules.routes.js';
import { alertsRoutes } from './alerts.routes.js';
import { auditRoutes } from './audit.routes.js';
import { mqttDeadLettersRoutes } from './mqtt-dead-letters.routes.js';
import { authRoutes } from './auth.routes.js';
import { seed001NotConfiguredRoutes, seed001Routes } from './compat/seed-001.routes.js';
import { seed003Routes } from './compat/seed-003.routes.js';
import { seed004Routes } from './compat/seed-004.routes.js';
import { babyReadingsRoutes } from './baby-readings.routes.js';
import { seed000Routes } from './compat/seed-000.routes.js';
import { compatHealthRoutes, compatWsRoutes } from './compat/seed-002.routes.js';
import { devicesRoutes } from './devices.routes.js';
import { fhirRoutes } from './fhir/fhir.routes.js';
import { ecg12PatientRoutes, ecg12Routes } from './ecg12.routes.js';
import { opsRoutes } from './ops.routes.js';
import { oximetryRoutes } from './oximetry.routes.js';
import { predictionsRoutes } from './predictions.routes.js';
import { heartRateRoutes, rppgRoutes } from './rppg.routes.js';
import { patientReportsRoutes, reportsRoutes } from './reports.routes.js';
import { usersRoutes } from './users.routes.js';
import { vitalsRoutes } from './vitals.routes.js';
import { rppgStreamRoutes } from '../../ws/rppg-stream.routes.js';
import { wsRoutes } from '../../ws/ws.routes.js';

/**
 * Every HTTP area, each a plugin under its prefix and given only the services it uses.
 * A new area adds one `app.register(...)` line here.
 */
export async function registerRoutes(
  app: FastifyInstance,
  deps: { config: Config; services: Services },
): Promise<void> {
  const { services, config } = deps;
  await app.register(opsRoutes, { health: services.health });
  await app.register(authRoutes, {
    prefix: '/api/v1/auth',
    auth: services.auth,
    loginRatePerMinute: config.login.ratePerMinutePerIp,
    bodyLimit: config.limits.authBodyBytes,
  });
  // Seed 002's sign-in paths at the root (/auth/register, /auth/token, /auth/login, /auth/me):
  // the same routes, its register answering the created user as the seed's clients read it.
  await app.register(authRoutes, {
    prefix: '/auth',
    auth: services.auth,
    loginRatePerMinute: config.login.ratePerMinutePerIp,
    bodyLimit: config.limits.authBodyBytes,
    registerAnswersUser: true,
    tag: 'seed-002 compatibility',
  });
  await app.register(usersRoutes, { prefix: '/api/v1/users', users: services.users });
  await app.register(devicesRoutes, { prefix: '/api/v1/devices', devices: services.devices });
  // Vitals pipeline
  await app.register(vitalsRoutes, {
    prefix: '/api/v1/vitals',
    ingest: services.ingest,
    forward: services.ingestForwarding,
    vitalsQuery: services.vitalsQuery,
    seed000: services.seed000,
  });
  await app.register(oximetryRoutes, {
    prefix: '/api/v1/oximetry',
    ingest: services.oximetryIngest,
  });
  await app.register(babyReadingsRoutes, {
    prefix: '/api/v1/readings',
    readings: services.babyReadings,
  });
  // Seed 002's paths (/health/upload, /health/history, …) as aliases: one compatibility module.
  await app.register(compatHealthRoutes, { prefix: '/health', readings: services.babyReadings });
  await app.register(predictionsRoutes, {
    prefix: '/api/v1/predictions',
    vitalsQuery: services.vitalsQuery,
    seed000: services.seed000,
  });
  // Seed 000's app paths Vigil lacks (/vitals/me/…, /predictions/me/…): one compatibility module.
  await app.register(seed000Routes, { prefix: '/api/v1', seed000: services.seed000 });
  await app.register(alertsRoutes, { prefix: '/api/v1/alerts', alerts: services.alerts });
  await app.register(alertRulesRoutes, {
    prefix: '/api/v1/patients',
    alertRules: services.alertRules,
  });
  // 12-lead ECG classification, and seed 003's paths for it
  await app.register(ecg12Routes, {
    prefix: '/api/v1/ecg',
    ecg12: services.ecg12,
    anonymous: config.ecg12.anonymous,
  });
  await app.register(ecg12PatientRoutes, { prefix: '/api/v1/patients', ecg12: services.ecg12 });
  await app.register(seed003Routes, {
    prefix: '/api/v1',
    ecg12: services.ecg12,
    health: services.health,
    anonymous: config.ecg12.anonymous,
  });
  // Seed 004's paths (/api/users, /api/alerts, /api/mongo/stream, …): one compatibility module.
  await app.register(seed004Routes, {
    prefix: '/api',
    seed004: services.seed004,
    loginRatePerMinute: config.login.ratePerMinutePerIp,
    authBodyBytes: config.limits.authBodyBytes,
  });
  await app.register(wsRoutes, { prefix: '/api/v1', hub: services.realtime });
  await app.register(compatWsRoutes, { hub: services.realtime });
  // Camera heart rate: sessions, uploads, the frame stream, the patient's heart-rate history,
  // and, with a bedside camera configured, seed 001's root paths (/bpm, /status, …).
  await app.register(rppgRoutes, { prefix: '/api/v1/rppg', rppg: services.rppg });
  await app.register(rppgStreamRoutes, {
    prefix: '/api/v1/rppg',
    rppg: services.rppg,
    audit: services.audit,
  });
  await app.register(heartRateRoutes, { prefix: '/api/v1/patients', rppg: services.rppg });
  // FHIR R4 read API (its errors are OperationOutcomes: routes/fhir/fhir-outcome.ts).
  await app.register(fhirRoutes, { prefix: '/fhir/R4', fhir: services.fhir });
  await app.register(auditRoutes, { prefix: '/api/v1/audit', audit: services.audit });
  await app.register(mqttDeadLettersRoutes, {
    prefix: '/api/v1/admin/mqtt-dead-letters',
    mqttDeadLetters: services.mqttDeadLetters,
  });
  // Clinical reports
  await app.register(reportsRoutes, { prefix: '/api/v1/reports', reports: services.reports });
  await app.register(patientReportsRoutes, {
    prefix: '/api/v1/patients',
    reports: services.reports,
  });
  if (config.rppgCamera !== undefined)
    await app.register(seed001Routes, { rppg: services.rppg, camera: config.rppgCamera });
  else await app.register(seed001NotConfiguredRoutes);
}
