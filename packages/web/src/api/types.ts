/**
 * API types of the dashboard, taken from the server's TypeBox schemas (`Static<typeof …>`) with
 * type-only imports: nothing of the server reaches the browser bundle, there is no hand-written
 * copy, and a server change that breaks the dashboard breaks `tsc -p packages/web`.
 */
import type { Static } from 'typebox';
import type { Alert } from '../../../server/src/http/schemas/alerts.schemas.js';
import type { DeviceWithKeySchema } from '../../../server/src/http/schemas/devices.schemas.js';
import type { Prediction } from '../../../server/src/http/schemas/predictions.schemas.js';
import type { VitalsRecord } from '../../../server/src/http/schemas/vitals.schemas.js';

export type {
  Alert,
  AlertRuleBody,
  AlertRules,
  AlertsPage,
  PutAlertRules,
} from '../../../server/src/http/schemas/alerts.schemas.js';
export type { TokenResponse as LoginResponse } from '../../../server/src/http/schemas/auth.schemas.js';
export type { Device } from '../../../server/src/http/schemas/devices.schemas.js';
export type {
  Prediction,
  PredictionsPage,
} from '../../../server/src/http/schemas/predictions.schemas.js';
export type { User } from '../../../server/src/http/schemas/users.schemas.js';
export type { Series, VitalsRecord } from '../../../server/src/http/schemas/vitals.schemas.js';
export type { WsVitals } from '../../../server/src/http/schemas/ws.schemas.js';

export type DeviceRegistered = Static<typeof DeviceWithKeySchema>;
export type AlertSeverity = Alert['severity'];
export type AlertStatus = Alert['status'];
export type RiskLabel = Prediction['risk_label'];

/** The part of a reading the live views show. */
export type VitalsSummary = Pick<
  VitalsRecord,
  'device_id' | 'timestamp' | 'heart_rate_bpm' | 'spo2_percent' | 'temperature_c'
>;
