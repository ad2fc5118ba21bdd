/**
 * API types of the dashboard, taken from the server's own schemas and views (type-only imports:
 * nothing of the server reaches the browser bundle). There are no hand-written copies, so a
 * server change that breaks the dashboard breaks `tsc -p packages/web`.
 */
export type { Series, VitalsRecord } from '../../../server/src/http/schemas/vitals.schemas.js';
export type { TokenResponse as LoginResponse } from '../../../server/src/http/schemas/auth.schemas.js';
export type { Device } from '../../../server/src/http/schemas/devices.schemas.js';
export type { User } from '../../../server/src/http/schemas/users.schemas.js';
export type {
  WsAlert,
  WsPrediction,
  WsServerMessage,
  WsVitals,
} from '../../../server/src/http/schemas/ws.schemas.js';
import type { DeviceWithKeySchema } from '../../../server/src/http/schemas/devices.schemas.js';
import type { Static } from 'typebox';

export type DeviceRegistered = Static<typeof DeviceWithKeySchema>;

import type { Alert as AlertSchemaType } from '../../../server/src/http/schemas/alerts.schemas.js';
import type {
  Prediction as PredictionSchemaType,
  PredictionsPage as PredictionsPageSchemaType,
} from '../../../server/src/http/schemas/predictions.schemas.js';
import type {
  AlertRuleKind,
  AlertSeverity,
} from '../../../server/src/services/alert-rule-engine.js';

export type { AlertRuleKind, AlertSeverity };

/**
 * The schemas build some unions with `Type.Union(list.map(Type.Literal))`, which TypeBox types
 * as `never`; these fields are re-typed from the server's own constants until the schemas use
 * literal tuples. Everything else is the schema's type.
 */
type Retype<T, R> = Omit<T, keyof R> & R;
export type AlertStatus = 'active_unack' | 'active_ack' | 'cleared_unack' | 'cleared_ack';
export type Alert = Retype<
  AlertSchemaType,
  { severity: AlertSeverity; rule_kind: AlertRuleKind; status: AlertStatus }
>;
export interface AlertsPage {
  items: Alert[];
  next_cursor: string | null;
}
export type RiskLabel = 'normal' | 'low' | 'moderate' | 'elevated' | 'high';
export type Prediction = Retype<PredictionSchemaType, { risk_label: RiskLabel }>;
export type PredictionsPage = Retype<PredictionsPageSchemaType, { items: Prediction[] }>;

import type { VitalsRecord } from '../../../server/src/http/schemas/vitals.schemas.js';

/** The part of a reading the live views show. */
export type VitalsSummary = Pick<
  VitalsRecord,
  'device_id' | 'timestamp' | 'heart_rate_bpm' | 'spo2_percent' | 'temperature_c'
>;
