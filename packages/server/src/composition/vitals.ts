import {
  createArrhythmiaMonitor,
  createEcgAnalyzer,
  measureMultiLeadQrs,
  type Ecg12Model,
} from '@vigil/signal';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../adapters/clock.js';
import {
  createInProcessAnalysis,
  type EcgAnalysisFactories,
  type EcgAnalysisPort,
} from '../adapters/ecg-analysis.adapter.js';
import { startEcgAnalysisWorkers } from '../adapters/ecg-analysis-workers.js';
import type { Config } from '../config/env.js';
import type { ConnectionErrorReporter } from '../db/connection-errors.js';
import type { Database } from '../db/database.js';
import { DomainError } from '../errors/catalogue.js';
import { SignalIngest, type IngestCoreDeps } from '../ingest/ingest-core.js';
import type { IngestMetrics } from '../ingest/ingest-metrics.js';
import { createEcgVitalsKind } from '../kinds/ecg-vitals/ecg-vitals.kind.js';
import { createNews2RiskModel } from '../kinds/ecg-vitals/risk-model.js';
import { createBabyReadingsRepository } from '../kinds/baby-monitor/baby-monitor.repository.js';
import { BabyMonitorService } from '../kinds/baby-monitor/baby-monitor.service.js';
import { createPulseOximetryKind } from '../kinds/pulse-oximetry/pulse-oximetry.kind.js';
import { FANOUT_CHANNEL, startPgFanout } from '../realtime/pg-fanout.js';
import { createRealtimeHub } from '../realtime/realtime-hub.js';
import type { Repositories } from '../repositories/index.js';
import { AlertRulesService } from '../services/alert-rules.service.js';
import { AlertsService } from '../services/alerts.service.js';
import { Seed000ViewService } from '../services/seed-000-view.service.js';
import { VitalsQueryService } from '../services/vitals-query.service.js';
import type { Ecg12Service } from '../services/ecg12.service.js';
import type { AuditRecorder } from '../services/audit.service.js';
import {
  partitionOf,
  startDevicePartitions,
  type DeviceOwnership,
} from '../cluster/device-partitions.js';
import type { ClusterLeases } from '../cluster/pg-leases.js';
import { startPartitionOwners } from '../cluster/partition-owners.js';
import { createOwnerClient, type OwnerForwarding } from '../transports/http/forward-to-owner.js';
import type { CloseStack } from './close-stack.js';
import type { Identity } from './identity.js';

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

export interface VitalsOptions {
  config: Config;
  clock: Clock;
  database: Database;
  repositories: Repositories;
  identity: Identity;
  log: Logger;
  stack: CloseStack;
  newId: () => string;
  ingestMetrics: IngestMetrics;
  /** Counts and logs a lost fan-out connection (PostgreSQL). */
  onConnectionError: ConnectionErrorReporter;
  /**
   * The 12-lead interpretation (Ecg12Service.interpretLeads), for live 12-lead streams when the
   * analysis runs in this thread; the workers run the same interpretation with `ecg12Model`.
   */
  interpretEcg12: Ecg12Service['interpretLeads'];
  /** The trained 12-lead model (ECG12_MODEL_PATH) of Ecg12Service, for the workers. */
  ecg12Model: Ecg12Model | undefined;
  /** The audit trail (live streams' subscriptions). */
  audit: Pick<AuditRecorder, 'record'>;
  /** Replaces @vigil/signal's analysers (tests of the pipeline's own logic). */
  analysisFactories?: EcgAnalysisFactories | undefined;
  /** Cluster leases: on PostgreSQL, devices' analysis is shared out by partition. */
  leases: ClusterLeases;
  /** Device partition heartbeat, ms (default 1000; 0: tests beat by hand). */
  partitionHeartbeatMs?: number | undefined;
}

/**
 * How long an owner may take to answer a handed-on upload before it is handled where it arrived,
 * ms: half the devices' own request timeout (the simulator's and test:cluster's 10 s), so a
 * device whose owner is stuck still gets the fallback's answer before it gives up. The owners'
 * answer times behind it were not measured on their own (bench:ingest's p99 is the whole round
 * trip: 263–608 ms with forwarding).
 */
const FORWARD_TIMEOUT_MS = 5000;

/** How far back a new partition owner looks for devices to catch up, ms. */
const ADOPT_LOOKBACK_MS = 120_000;

/**
 * Vitals: the real-time hub (with PostgreSQL LISTEN/NOTIFY fan-out), the alert lifecycle, one
 * ingest per kind of signal on the shared core, and the vitals queries. A new kind of signal is
 * registered in `kinds` below (see src/kinds/).
 */
export async function createVitals(o: VitalsOptions) {
  const { repositories: repos, clock, stack, newId } = o;
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
          ecg12Model: o.ecg12Model,
        })
      : createInProcessAnalysis(
          o.analysisFactories ?? {
            createEcgAnalyzer,
            createArrhythmiaMonitor,
            measureMultiLeadQrs,
          },
          onAnalysisError,
          (leads, fs) => o.interpretEcg12(leads, fs),
        );
  stack.push(() => analysis.close());

  const hub = createRealtimeHub({
    authenticate: (token) => o.identity.auth.authenticate(token),
    visiblePatientIds: (viewer) => repos.patientScope.visibleIds(viewer),
    events: repos.events,
    log: o.log,
    audit: o.audit,
    maxBufferedBytes: o.config.limits.wsMaxBufferedBytes,
  });
  stack.push(() => hub.close());
  const clustered = o.database.dialect === 'postgres' && o.config.databaseUrl !== undefined;
  let schema = 'public';
  if (clustered && o.config.databaseUrl !== undefined) {
    // One channel per schema, so instances sharing a schema fan out and test schemas never mix.
    const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(o.database.db);
    schema = rows[0]?.s ?? 'public';
    const channel = schema === 'public' ? FANOUT_CHANNEL : `${FANOUT_CHANNEL}_${schema}`;
    const fanout = await startPgFanout({
      url: o.config.databaseUrl,
      hub,
      log: o.log,
      channel,
      onConnectionError: o.onConnectionError,
    });
    stack.push(() => fanout.close());
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
    devices: repos.devices,
  });
  await alerts.start();
  stack.push(() => alerts.idle());
  // A device handed on, unassigned or deleted: its earlier patient's open alerts are cleared.
  o.identity.devices.onReleased(async (patientId, deviceId) => {
    await alerts.releaseDevice(patientId, deviceId).catch((err: unknown) => {
      o.log.warn({ err, patientId, deviceId }, 'could not clear the alerts of a released device');
    });
  });

  // Several instances (PostgreSQL): a device's ECG is analysed by the holder of its partition
  // lease; other instances store its packets and NOTIFY the owner, which reads them back in
  // order (cluster/device-partitions.ts, ingest-core.ts).
  const storedChannel = schema === 'public' ? 'vigil_stored' : `vigil_stored_${schema}`;
  let ownership: DeviceOwnership | undefined;
  let forwarding: OwnerForwarding | undefined;
  const cluster: IngestCoreDeps['cluster'] = clustered
    ? {
        owns: (deviceId) => ownership?.owns(deviceId) ?? false,
        storedElsewhere: (deviceId) => {
          sql`select pg_notify(${storedChannel}, ${deviceId})`
            .execute(o.database.db)
            .catch((err: unknown) => {
              o.log.warn({ err }, 'stored-packet notification failed; the owner catches up later');
            });
        },
      }
    : undefined;

  // What every kind's ingest shares: the core's dependencies.
  const core: IngestCoreDeps = {
    devices: o.identity.devices,
    alerts,
    realtime: hub,
    clock,
    newId,
    metrics: o.ingestMetrics,
    // A device's readings are written one request at a time, so batches in flight together
    // never hold the same device's rows (nor its rollup minute): no lock waits between them.
    concurrentBatches: CONCURRENT_BATCHES[o.database.dialect],
  };
  // The kinds of signal (src/kinds/<kind>/): each is one SignalIngest on the shared core.
  const kinds = {
    vitals: new SignalIngest(
      createEcgVitalsKind({
        vitals: repos.vitals,
        devicesSeenSince: (sinceMs) => repos.devices.seenSince(sinceMs),
        analysis,
        risk: createNews2RiskModel(),
        newId,
        onAnalysisError,
        liveEcg12: {
          intervalMs: o.config.ecg12.liveIntervalMs,
          // Off the event loop when there are workers: a 12-lead window takes 0.1-0.5 s.
          interpret: (request) => analysis.interpretEcg12(request),
        },
      }),
      { ...core, cluster },
    ),
    oximetry: new SignalIngest(createPulseOximetryKind({ db: o.database.db }), core),
  };
  for (const ingest of Object.values(kinds)) stack.push(() => ingest.close());
  // A released device's ingest state goes with it (after its alerts were cleared, above).
  o.identity.devices.onReleased(async (_patientId, deviceId) => {
    for (const ingest of Object.values(kinds)) await ingest.forgetDevice(deviceId);
  });
  // A deleted patient's devices are unassigned by a foreign key, not released: their alert rule
  // state and ingest state (rhythm trackers, ECG windows) go here, so the device's next patient
  // inherits none of it.
  o.identity.users.onDeleted(async (patientId, deviceIds) => {
    alertRules.forgetPatient(patientId);
    await alerts.forgetPatient(patientId, deviceIds);
    for (const deviceId of deviceIds)
      for (const ingest of Object.values(kinds)) await ingest.forgetDevice(deviceId);
  });
  if (cluster !== undefined) {
    const ecg = kinds.vitals;
    const inPartition = (p: number) => (deviceId: string) => partitionOf(deviceId) === p;
    const partitions = startDevicePartitions({
      leases: o.leases,
      heartbeatMs: o.partitionHeartbeatMs,
      startAt: Math.floor(Math.random() * 1024),
      log: o.log,
    });
    // First listener: the ingest adopts a partition's devices before its MQTT session opens.
    partitions.watch({
      gained: (p) => {
        ecg.adopt(inPartition(p), clock.now() - ADOPT_LOOKBACK_MS).catch((err: unknown) => {
          o.log.warn({ err, partition: p }, 'adopting a partition failed');
        });
      },
      lost: (p) => {
        ecg.forget(inPartition(p));
      },
    });
    // Closed before the ingest (pushed after it): no partition changes hands while it drains.
    stack.push(() => partitions.close());
    await o.leases.listen(storedChannel, (deviceId) => {
      ecg.storedElsewhere(deviceId);
    });
    await partitions.heartbeat();
    ownership = partitions;
    // Uploads that reach another instance are handed here, and this instance hands on those of
    // devices it does not own (transports/http/forward-to-owner.ts).
    const self = o.config.instanceUrl;
    if (o.config.forwardToOwner && self !== undefined) {
      const owners = startPartitionOwners({ leases: o.leases, self, log: o.log });
      stack.push(() => owners.close());
      await owners.refresh();
      const client = createOwnerClient({ timeoutMs: FORWARD_TIMEOUT_MS });
      stack.push(() => client.close());
      forwarding = {
        ownerOf: (deviceId) => owners.elsewhere(deviceId),
        instance: o.config.instanceName,
        client,
        counted: (outcome) => {
          o.ingestMetrics.forwarded(outcome);
        },
      };
    }
  }

  // Baby monitor readings (seed 002): uploads with audio and monitor messages, not a stream, so a
  // service of its own rather than a SignalIngest; alerts and pushes go the same way.
  const babyMonitor = new BabyMonitorService({
    readings: createBabyReadingsRepository(o.database.db),
    canSeePatient,
    visiblePatientIds: (viewer) => repos.patientScope.visibleIds(viewer),
    resolveUploader: (auth, deviceId) => o.identity.devices.resolveUploader(auth, deviceId),
    effectiveRules: (patientId) => alertRules.effectiveFor(patientId),
    alerts,
    realtime: hub,
    deviceHeard: async (device, atMs) => {
      await o.identity.devices.markSeen(device.id);
      await o.identity.devices.sent(device.deviceId, 'baby-monitor');
      alerts.heard(device.patientId, device.deviceId, atMs);
    },
    clock,
    newId,
  });

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

  const seed000 = new Seed000ViewService({
    vitals: repos.vitals,
    predictions: repos.predictions,
    visibleDevice: async (viewer, deviceId) => {
      const row = await repos.devices.findVisibleByDeviceId(viewer, deviceId);
      if (row === undefined) throw new DomainError('DEVICE_NOT_FOUND', { field: 'device_id' });
      return row;
    },
    // Retired devices too: the app's views are the patient's history across every device.
    visibleDeviceIds: async (viewer) =>
      (
        await repos.devices.listVisible(viewer, { limit: 500, offset: 0, includeRetired: true })
      ).map((d) => d.device_id),
  });

  return {
    kinds,
    babyMonitor,
    vitalsQuery,
    seed000,
    alerts,
    alertRules,
    hub,
    analysis,
    /** Which devices this instance analyses (PostgreSQL); undefined: all (one instance). */
    ownership: (): DeviceOwnership | undefined => ownership,
    /** Where uploads of devices another instance analyses go (PostgreSQL, FORWARD_TO_OWNER). */
    forwarding,
  };
}

export type Vitals = Awaited<ReturnType<typeof createVitals>>;
