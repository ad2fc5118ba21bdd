import type {
  AlertRulesTable,
  AlertsTable,
  EventsTable,
  PredictionsTable,
  VitalsMinuteTable,
  OximetryReadingsTable,
  Ecg12RequestsTable,
  Ecg12ResultsTable,
  BabyReadingsTable,
  RppgSessionsTable,
  HeartRateObservationsTable,
  VitalsTable,
  EcgLeadChunksTable,
} from './pipeline-schema.js';

/**
 * Kysely table types: the one description of the database the repositories query.
 * Timestamps are epoch milliseconds (INTEGER on SQLite, BIGINT on PostgreSQL, parsed to number);
 * JSON documents are stored as text and parsed in the repository that owns them.
 */
export type Role = 'admin' | 'doctor' | 'patient';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  /** For a patient: the doctor who owns them. Null for admins and doctors. */
  doctor_id: string | null;
  /** JSON text of the typed health profile, or null. */
  health_profile: string | null;
  created_at: number;
  updated_at: number;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  /** All tokens descending from one login share a family, revoked together on reuse. */
  family_id: string;
  expires_at: number;
  created_at: number;
  revoked_at: number | null;
}

/** The kinds of signal a device has sent (migration 024), one row per device and kind. */
export interface DeviceKindsTable {
  device_id: string;
  /** `ecg-vitals`, `pulse-oximetry` or `baby-monitor` (@vigil/protocol DEVICE_KINDS). */
  kind: string;
  /** When its first reading of this kind was stored (epoch ms). */
  first_at: number;
}

export interface DevicesTable {
  id: string;
  /** The identifier the hardware reports (seed 000 `device_id`), unique. */
  device_id: string;
  name: string | null;
  patient_id: string | null;
  /** The user who registered the device. */
  owner_id: string | null;
  /** SHA-256 of the device API key; the key is shown once at registration or rotation. */
  api_key_hash: string;
  /** First characters of the key, to tell keys apart in listings without revealing them. */
  api_key_prefix: string;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
  /** The ECG input profile as JSON (migration 013); null = auto. */
  ecg_input: string | null;
  /**
   * When the device was retired (epoch ms, migration 023); null while in service. A retired
   * device keeps its row, so its readings keep it, and takes no data, key or change.
   */
  retired_at: number | null;
}

/** A clinical report (migration 015); `addenda` and `content` are JSON text. */
export interface ReportsTable {
  id: string;
  patient_id: string;
  author_id: string | null;
  period_start: number;
  period_end: number;
  title: string;
  notes: string;
  status: 'draft' | 'final';
  addenda: string;
  content: string;
  created_at: number;
  updated_at: number;
  finalized_at: number | null;
}

export interface DB {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  devices: DevicesTable;
  device_patients: DevicePatientsTable;
  device_kinds: DeviceKindsTable;
  // Vitals pipeline (migration 002; table types in pipeline-schema.ts)
  vitals: VitalsTable;
  ecg_lead_chunks: EcgLeadChunksTable;
  vitals_minute: VitalsMinuteTable;
  predictions: PredictionsTable;
  alerts: AlertsTable;
  alert_rules: AlertRulesTable;
  events: EventsTable;
  oximetry_readings: OximetryReadingsTable;
  ecg12_requests: Ecg12RequestsTable;
  ecg12_results: Ecg12ResultsTable;
  baby_readings: BabyReadingsTable;
  rppg_sessions: RppgSessionsTable;
  heart_rate_observations: HeartRateObservationsTable;
  audit_events: AuditEventsTable;
  reports: ReportsTable;
  cluster_job_runs: ClusterJobRunsTable;
  cluster_members: ClusterMembersTable;
  mqtt_dead_letters: MqttDeadLettersTable;
}

/**
 * Every patient a device has been assigned to (migration 022): a patient's rows are found
 * through these devices, so a device handed on keeps its earlier rows its earlier patient's.
 */
export interface DevicePatientsTable {
  patient_id: string;
  device_id: string;
  /** When the device was first assigned to the patient (epoch ms). */
  first_at: number;
}

/** One run of a cluster-wide periodic job (migration 019). */
export interface ClusterJobRunsTable {
  job: string;
  instance: string;
  at: number;
}

/**
 * Where a live instance's lease connection (PostgreSQL backend pid) can be reached over HTTP
 * (migration 020; written and read on the lease connection, cluster/pg-leases.ts).
 */
export interface ClusterMembersTable {
  backend_pid: number;
  instance: string;
  address: string;
  joined_at: number;
}

/**
 * An MQTT message that failed MQTT_POISON_ATTEMPTS times and was acknowledged so that it stops
 * blocking its session (migration 021): the payload byte for byte, and the last failure.
 */
export interface MqttDeadLettersTable {
  id: string;
  received_at: number;
  device_id: string;
  topic: string;
  payload: Buffer;
  error_code: string;
  error_message: string;
  attempts: number;
}

/** The audit trail (migration 016): inserted only, deleted only by the audit retention pass. */
export interface AuditEventsTable {
  id: string;
  at: number;
  actor_id: string | null;
  actor_kind: string;
  ip: string | null;
  user_agent: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  patient_id: string | null;
  outcome: string;
  status: number;
  request_id: string | null;
  count: number;
}
