import type { Migration } from 'kysely';
import * as identity from './001_identity.js';
import * as vitalsPipeline from './002_vitals_pipeline.js';
import * as vitalsMinuteRollup from './003_vitals_minute_rollup.js';
import * as retentionIndexes from './004_retention_indexes.js';
import * as ecgInVitals from './005_ecg_in_vitals.js';
import * as predictionsByPacket from './006_predictions_by_packet.js';
import * as pulseOximetry from './007_pulse_oximetry.js';
import * as babyMonitor from './008_baby_monitor.js';
import * as ecg12Requests from './009_ecg12_requests.js';
import * as babyReadingRetriesAndEvidence from './010_baby_reading_retries_and_evidence.js';
import * as ecg12Results from './011_ecg12_results.js';
import * as rppg from './012_rppg.js';
import * as deviceInputFraming from './013_device_input_framing.js';
import * as deviceOfflineAlerts from './014_device_offline_alerts.js';
import * as reports from './015_reports.js';
import * as auditEvents from './016_audit_events.js';
import * as multiLeadEcg from './017_multi_lead_ecg.js';
import * as partitionedPackets from './018_partitioned_packets.js';
import * as clusterJobRuns from './019_cluster_job_runs.js';
import * as clusterMembers from './020_cluster_members.js';
import * as mqttDeadLetters from './021_mqtt_dead_letters.js';
import * as devicePatients from './022_device_patients.js';
import * as deviceRetirement from './023_device_retirement.js';
import * as deviceKinds from './024_device_kinds.js';
import * as alertOnset from './025_alert_onset.js';
import * as packetsWithoutHeartRate from './026_packets_without_heart_rate.js';
import * as measuredHeartRateRollup from './027_measured_heart_rate_rollup.js';
import * as packetsByReceipt from './028_packets_by_receipt.js';
import * as mqttRedelivery from './029_mqtt_redelivery.js';
import * as alertSeenByPatient from './030_alert_seen_by_patient.js';
import * as retentionByTime from './031_retention_by_time.js';
import * as rollupByPatient from './032_rollup_by_patient.js';
import * as deletedPatientsRollup from './033_deleted_patients_rollup.js';

/**
 * Every migration, in order. A new one is a file `NNN_name.ts` exporting `up` (and `down`) plus
 * one line here; the key is its permanent name in the `kysely_migration` table. Listing them
 * explicitly (rather than scanning a folder) works the same under tsx, vitest and a bundle.
 */
export const migrations: Record<string, Migration> = {
  '001_identity': identity,
  '002_vitals_pipeline': vitalsPipeline,
  '003_vitals_minute_rollup': vitalsMinuteRollup,
  '004_retention_indexes': retentionIndexes,
  '005_ecg_in_vitals': ecgInVitals,
  '006_predictions_by_packet': predictionsByPacket,
  '007_pulse_oximetry': pulseOximetry,
  '008_baby_monitor': babyMonitor,
  '009_ecg12_requests': ecg12Requests,
  '010_baby_reading_retries_and_evidence': babyReadingRetriesAndEvidence,
  '011_ecg12_results': ecg12Results,
  '012_rppg': rppg,
  '013_device_input_framing': deviceInputFraming,
  '014_device_offline_alerts': deviceOfflineAlerts,
  '015_reports': reports,
  '016_audit_events': auditEvents,
  '017_multi_lead_ecg': multiLeadEcg,
  '018_partitioned_packets': partitionedPackets,
  '019_cluster_job_runs': clusterJobRuns,
  '020_cluster_members': clusterMembers,
  '021_mqtt_dead_letters': mqttDeadLetters,
  '022_device_patients': devicePatients,
  '023_device_retirement': deviceRetirement,
  '024_device_kinds': deviceKinds,
  '025_alert_onset': alertOnset,
  '026_packets_without_heart_rate': packetsWithoutHeartRate,
  '027_measured_heart_rate_rollup': measuredHeartRateRollup,
  '028_packets_by_receipt': packetsByReceipt,
  '029_mqtt_redelivery': mqttRedelivery,
  '030_alert_seen_by_patient': alertSeenByPatient,
  '031_retention_by_time': retentionByTime,
  '032_rollup_by_patient': rollupByPatient,
  '033_deleted_patients_rollup': deletedPatientsRollup,
};
