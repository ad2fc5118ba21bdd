import { createArrhythmiaMonitor, createEcgAnalyzer } from '@vigil/signal';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from './adapters/clock.js';
import {
  createInProcessAnalysis,
  type EcgAnalysisFactories,
  type EcgAnalysisPort,
} from './adapters/ecg-analysis.adapter.js';
import { startEcgAnalysisWorkers } from './adapters/ecg-analysis-workers.js';
import { startEmbeddedBroker } from './adapters/mqtt/embedded-broker.js';
import { startExternalSubscriber } from './adapters/mqtt/external-subscriber.js';
import { createMqttMetrics } from './adapters/mqtt/mqtt-metrics.js';
import type { MqttOutcome } from './adapters/mqtt/vitals-message.js';
import { createTimeOrderedIdGenerator } from './adapters/time-ordered-id.js';
import type { Config } from './config/env.js';
import { createConnectionErrorReporter } from './db/connection-errors.js';
import type { Database } from './db/database.js';
import { DomainError } from './errors/catalogue.js';
import { FANOUT_CHANNEL, startPgFanout } from './realtime/pg-fanout.js';
import { createRealtimeHub } from './realtime/realtime-hub.js';
import type { Repositories } from './repositories/index.js';
import { AlertRulesService } from './services/alert-rules.service.js';
import { AlertsService } from './services/alerts.service.js';
import type { AuthService } from './services/auth.service.js';
import type { DevicesService } from './services/devices.service.js';
import { IngestService } from './services/ingest.service.js';
import { createNews2RiskModel } from './services/risk-model.js';
import { VitalsQueryService } from './services/vitals-query.service.js';

export interface PipelineOptions {
  config: Config;
  clock: Clock;
  database: Database;
  repositories: Repositories;
  services: { auth: AuthService; devices: DevicesService };
  log: Logger;
  /** The container's metrics registry (MQTT message and rejection counters). */
  metrics?: Registry;
  /** Replaces @vigil/signal's analysers (tests of the pipeline's own logic). */
  analysisFactories?: EcgAnalysisFactories;
  /** Observes every MQTT message outcome (tests, metrics). */
  onMqttOutcome?: (deviceId: string, outcome: MqttOutcome) => void;
  /** Timer periods (ms); tests turn them off with 0. */
  silentSweepMs?: number;
}

/**
 * Group commits in flight at once. PostgreSQL: each waits for network round trips and a WAL
 * flush, so a few in parallel keep the event loop busy; 3 of the pool's 10 connections leave the
 * rest to queries, alerts and the fan-out. SQLite: one. Its single connection runs one
 * transaction at a time anyway, and while a batch waits for its off-thread WAL flush
 * (DurableSqliteDialect) the event loop goes on analysing the next packets, which then commit
 * together: two batches in flight only made them smaller (bench/ingest: 8.8–11.4 % of bare with
 * two against 11.4–13.1 % with one, in alternating runs).
 */
const CONCURRENT_BATCHES = { postgres: 3, sqlite: 1 } as const;

/** How long a device's analysis state is kept without packets. */
const ANALYSIS_IDLE_MS = 10 * 60_000;

/**
 * The vitals pipeline's part of the composition root: analysis, risk, alerts, ingest, queries,
 * the real-time hub (with PostgreSQL LISTEN/NOTIFY fan-out) and the MQTT transport. Returns the
 * services and one `close` that releases everything in reverse order.
 */
export async function createPipeline(o: PipelineOptions) {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const fn of closers.reverse()) await fn();
    closers.length = 0;
  };
  try {
    const { repositories: repos, clock } = o;
    // Time-ordered ids for the high-rate rows (see the module for why).
    const newId = createTimeOrderedIdGenerator();
    let analysisErrors = 0;
    const onAnalysisError = (err: unknown): void => {
      // Logged for the first failures only: a broken model would otherwise flood the log.
      if (analysisErrors++ < 5) o.log.warn({ err }, 'ECG analysis failed; findings withheld');
    };
    // Worker threads need @vigil/signal's own analysers: replaced ones (tests) run in process.
    const analysis: EcgAnalysisPort =
      o.config.analysisWorkers > 0 && o.analysisFactories === undefined
        ? await startEcgAnalysisWorkers({
            workers: o.config.analysisWorkers,
            onError: onAnalysisError,
          })
        : createInProcessAnalysis(
            o.analysisFactories ?? { createEcgAnalyzer, createArrhythmiaMonitor },
            onAnalysisError,
          );
    closers.push(() => analysis.close());

    const hub = createRealtimeHub({
      authenticate: (token) => o.services.auth.authenticate(token),
      visiblePatientIds: (viewer) => repos.patientScope.visibleIds(viewer),
      events: repos.events,
      log: o.log,
    });
    closers.push(() => hub.close());
    if (o.database.dialect === 'postgres' && o.config.databaseUrl !== undefined) {
      // One channel per schema, so instances sharing a schema fan out and test schemas never mix.
      const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(
        o.database.db,
      );
      const schema = rows[0]?.s ?? 'public';
      const channel = schema === 'public' ? FANOUT_CHANNEL : `${FANOUT_CHANNEL}_${schema}`;
      const fanout = await startPgFanout({
        url: o.config.databaseUrl,
        hub,
        log: o.log,
        channel,
        onConnectionError: createConnectionErrorReporter({ registry: o.metrics, log: o.log }),
      });
      closers.push(() => fanout.close());
    }

    const canSeePatient = (
      viewer: { id: string; role: 'admin' | 'doctor' | 'patient' },
      patientId: string,
    ) => repos.patientScope.canSee(viewer, patientId);
    const alertRules = new AlertRulesService({ rules: repos.alertRules, canSeePatient, clock });
    const alerts = new AlertsService({
      alerts: repos.alerts,
      rules: alertRules,
      canSeePatient,
      realtime: hub,
      clock,
      newId,
    });
    await alerts.start();
    closers.push(() => alerts.idle());

    const ingest = new IngestService({
      vitals: repos.vitals,
      devices: o.services.devices,
      analysis,
      risk: createNews2RiskModel(),
      alerts,
      realtime: hub,
      clock,
      newId,
      onAnalysisError,
      // A device's packets are written one request at a time, so batches in flight together
      // never hold the same device's rows (nor its rollup minute): no lock waits between them.
      concurrentBatches: CONCURRENT_BATCHES[o.database.dialect],
    });
    closers.push(() => ingest.close());

    const vitalsQuery = new VitalsQueryService({
      vitals: repos.vitals,
      predictions: repos.predictions,
      visibleDevice: async (viewer, deviceId) => {
        const row = await repos.devices.findVisibleByDeviceId(viewer, deviceId);
        if (row === undefined) throw new DomainError('DEVICE_NOT_FOUND', { field: 'device_id' });
        return row;
      },
      clock,
    });

    const sweepMs = o.silentSweepMs ?? 30_000;
    if (sweepMs > 0) {
      const timer = setInterval(() => {
        analysis.evictIdle(clock.now() - ANALYSIS_IDLE_MS);
        alerts.sweepSilent().catch((err: unknown) => {
          o.log.warn({ err }, 'device-silent sweep failed');
        });
      }, sweepMs);
      timer.unref();
      closers.push(() => {
        clearInterval(timer);
        return Promise.resolve();
      });
    }

    let mqttPort: number | null = null;
    const mqttMetrics = o.metrics === undefined ? undefined : createMqttMetrics(o.metrics);
    const onMqttOutcome = (deviceId: string, outcome: MqttOutcome): void => {
      mqttMetrics?.count(outcome);
      o.onMqttOutcome?.(deviceId, outcome);
    };
    if (o.config.mqtt.url !== undefined) {
      const sub = await startExternalSubscriber({
        url: o.config.mqtt.url,
        ingest,
        devices: o.services.devices,
        log: o.log,
        onOutcome: onMqttOutcome,
      });
      closers.push(() => sub.close());
    } else if (o.config.mqtt.port > 0) {
      const broker = await startEmbeddedBroker({
        port: o.config.mqtt.port,
        ingest,
        devices: o.services.devices,
        log: o.log,
        onOutcome: onMqttOutcome,
      });
      if (broker !== null) {
        mqttPort = broker.port;
        closers.push(() => broker.close());
      }
    }

    return {
      services: { ingest, vitalsQuery, alerts, alertRules, realtime: hub },
      hub,
      analysis,
      /** Port of the embedded MQTT broker, null when not running. */
      mqttPort,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export type Pipeline = Awaited<ReturnType<typeof createPipeline>>;
