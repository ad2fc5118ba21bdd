import { Type, type Static } from 'typebox';

/** The alert rules Vigil evaluates (thresholds and units in the server's alert-rule-engine.ts). */
export const ALERT_RULE_KINDS = [
  'hr_high',
  'hr_low',
  'spo2_low',
  'fever',
  'risk_elevated',
  'risk_high',
  'poor_signal',
  'device_silent',
  'af_onset',
  'vt_run',
  'pause',
  'infant_sick',
  'infant_fever',
  'humidity_high',
  'humidity_low',
  'camera_hr_high',
  'camera_hr_low',
  'camera_poor_signal',
  'camera_no_face',
  'mi_12lead',
  'manual',
] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const AlertSeveritySchema = Type.Enum(ALERT_SEVERITIES);
export const AlertRuleKindSchema = Type.Enum(ALERT_RULE_KINDS);

export const AlertSchema = Type.Object(
  {
    id: Type.String(),
    patient_id: Type.String(),
    device_id: Type.Union([Type.String(), Type.Null()]),
    rule_kind: AlertRuleKindSchema,
    severity: AlertSeveritySchema,
    message: Type.String(),
    value: Type.Union([Type.Number(), Type.Null()]),
    /** ThingsBoard-style combined state. */
    status: Type.Enum(['active_unack', 'active_ack', 'cleared_unack', 'cleared_ack']),
    opened_at: Type.Integer({
      description:
        "Epoch ms on the server's clock when the alert engine opened the alert (when Vigil knew)",
    }),
    onset_at: Type.Union([Type.Integer(), Type.Null()], {
      description:
        "Epoch ms on the device's clock of the event that opened the alert, as the analyser placed it in the data (AF onset, VT run start, pause start; for a rule that must hold a while, where it began holding). Earlier than opened_at by as long as the device held its data back (buffered offline, back-filled). Null when no data opened it (manual, device_silent)",
    }),
    updated_at: Type.Integer(),
    update_count: Type.Integer(),
    cleared_at: Type.Union([Type.Integer(), Type.Null()]),
    cleared_by: Type.Union([Type.String(), Type.Null()], {
      description:
        "'rule', 'device' (the device was handed to another patient, unassigned or deleted: nothing it sends can clear the alert any more) or the resolving user's id",
    }),
    acknowledged_at: Type.Union([Type.Integer(), Type.Null()]),
    acknowledged_by: Type.Union([Type.String(), Type.Null()]),
    seen_by_patient_at: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'Epoch ms the patient marked the alert seen (seed 004 `seen_by_patient`); null until then',
    }),
  },
  { title: 'Alert' },
);
export type Alert = Static<typeof AlertSchema>;

export const AlertsQuerySchema = Type.Object({
  state: Type.Optional(Type.Enum(['active', 'cleared', 'acknowledged', 'unacknowledged'])),
  severity: Type.Optional(AlertSeveritySchema),
  patient_id: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type AlertsQuery = Static<typeof AlertsQuerySchema>;

export const AlertsPageSchema = Type.Object(
  { items: Type.Array(AlertSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) },
  { title: 'AlertsPage' },
);
export type AlertsPage = Static<typeof AlertsPageSchema>;

export const AlertIdParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const AlertRuleSchema = Type.Object(
  {
    kind: AlertRuleKindSchema,
    enabled: Type.Boolean(),
    threshold: Type.Union([Type.Number(), Type.Null()], {
      description: 'bpm (hr_*), % (spo2_low), °C (fever), minutes (device_silent), ms (pause)',
    }),
    duration_s: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      description: 'Seconds the condition must hold',
    }),
    severity: AlertSeveritySchema,
  },
  { title: 'AlertRule', additionalProperties: false },
);
export type AlertRuleBody = Static<typeof AlertRuleSchema>;

export const AlertRulesSchema = Type.Object(
  {
    patient_id: Type.String(),
    // One object, not an intersection with AlertRuleSchema: that schema refuses properties it
    // does not name (a PUT body must not carry `source`), so `allOf` with it refused every rule
    // the route answers, in the OpenAPI document and in TypeBox alike.
    rules: Type.Array(
      Type.Object(
        {
          ...AlertRuleSchema.properties,
          source: Type.Union([Type.Literal('default'), Type.Literal('patient')], {
            description: "default: the server's default rule; patient: this patient's override",
          }),
        },
        { title: 'PatientAlertRule', additionalProperties: false },
      ),
    ),
  },
  { title: 'AlertRules' },
);
export type AlertRules = Static<typeof AlertRulesSchema>;

export const PutAlertRulesSchema = Type.Object(
  {
    rules: Type.Array(AlertRuleSchema, {
      maxItems: ALERT_RULE_KINDS.length,
      description: 'Overrides for this patient; kinds not listed use the defaults',
    }),
  },
  { additionalProperties: false },
);
export type PutAlertRules = Static<typeof PutAlertRulesSchema>;

export const PatientParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
});
