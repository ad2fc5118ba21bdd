/**
 * API types of the dashboard, taken from the server's TypeBox schemas (`Static<typeof …>`) with
 * type-only imports: nothing of the server reaches the browser bundle, there is no hand-written
 * copy, and a server change that breaks the dashboard breaks `tsc -p packages/web`.
 */
import type { Static } from 'typebox';
import type { Alert, DeviceWithKeySchema, Prediction, VitalsRecord } from '@vigil/protocol';

export type {
  Alert,
  AlertRuleBody,
  AlertRules,
  AlertsPage,
  PutAlertRules,
  TokenResponse as LoginResponse,
  Device,
  Prediction,
  PredictionsPage,
  User,
  Series,
  VitalsRecord,
  WsVitals,
} from '@vigil/protocol';

export type DeviceRegistered = Static<typeof DeviceWithKeySchema>;
export type AlertSeverity = Alert['severity'];
export type AlertStatus = Alert['status'];
export type RiskLabel = Prediction['risk_label'];

/** The part of a reading the live views show. */
export type VitalsSummary = Pick<
  VitalsRecord,
  'device_id' | 'timestamp' | 'heart_rate_bpm' | 'spo2_percent' | 'temperature_c'
>;
