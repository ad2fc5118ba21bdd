import type { Clock } from '../adapters/clock.js';
import type { AlertRulesTable } from '../db/pipeline-schema.js';
import { forbidden, notFound, validationFailed } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import type { AlertRulesRepository } from '../repositories/alert-rules.repository.js';
import {
  DEFAULT_ALERT_RULES,
  effectiveRules,
  type AlertRule,
  type AlertRuleKind,
  type AlertSeverity,
} from './alert-rule-engine.js';

export interface AlertRuleView {
  kind: AlertRuleKind;
  enabled: boolean;
  threshold: number | null;
  duration_s: number;
  severity: AlertSeverity;
  source: 'default' | 'patient';
}

export interface AlertRulesServiceDeps {
  rules: AlertRulesRepository;
  canSeePatient(viewer: Viewer, patientId: string): Promise<boolean>;
  clock: Clock;
}

/** Plausible threshold ranges per kind (units in alert-rule-engine.ts); null = no threshold. */
const THRESHOLD_RANGES: Record<AlertRuleKind, [number, number] | null> = {
  hr_high: [60, 250],
  hr_low: [20, 100],
  spo2_low: [70, 99],
  fever: [37, 42],
  risk_elevated: null,
  risk_high: null,
  poor_signal: null,
  device_silent: [1, 1440],
  af_onset: null,
  vt_run: null,
  pause: [1500, 10_000],
  infant_sick: [37, 42],
  infant_fever: [37, 42],
  humidity_high: [40, 100],
  humidity_low: [0, 60],
  camera_hr_high: [60, 250],
  camera_hr_low: [20, 100],
  camera_poor_signal: null,
  camera_no_face: null,
  mi_12lead: null,
  manual: null,
};

function toRule(row: AlertRulesTable): AlertRule {
  return {
    kind: row.kind as AlertRuleKind,
    enabled: row.enabled === 1,
    threshold: row.threshold,
    durationS: row.duration_s,
    severity: row.severity as AlertSeverity,
  };
}

/** Default alert rules and per-patient overrides (doctor or admin). */
export class AlertRulesService {
  private readonly cache = new Map<string, AlertRule[]>();

  constructor(private readonly deps: AlertRulesServiceDeps) {}

  /** The rules in force for a patient (cached; a PUT refreshes it). */
  async effectiveFor(patientId: string): Promise<AlertRule[]> {
    let rules = this.cache.get(patientId);
    if (rules === undefined) {
      rules = effectiveRules((await this.deps.rules.listForPatient(patientId)).map(toRule));
      this.cache.set(patientId, rules);
    }
    return rules;
  }

  /** A deleted patient's cached rules go (their overrides went with them: ON DELETE CASCADE). */
  forgetPatient(patientId: string): void {
    this.cache.delete(patientId);
  }

  async get(
    viewer: Viewer,
    patientId: string,
  ): Promise<{ patient_id: string; rules: AlertRuleView[] }> {
    await this.assertVisible(viewer, patientId);
    const overrides = (await this.deps.rules.listForPatient(patientId)).map(toRule);
    return { patient_id: patientId, rules: this.view(overrides) };
  }

  async put(
    viewer: Viewer,
    patientId: string,
    input: {
      kind: AlertRuleKind;
      enabled: boolean;
      threshold: number | null;
      duration_s: number;
      severity: AlertSeverity;
    }[],
  ): Promise<{ patient_id: string; rules: AlertRuleView[] }> {
    await this.assertVisible(viewer, patientId);
    if (viewer.role === 'patient') throw forbidden('Only the doctor or an admin sets alert rules');
    const seen = new Set<string>();
    const rows: AlertRulesTable[] = input.map((r, i) => {
      if (seen.has(r.kind))
        throw validationFailed(`rules[${i}].kind`, `rules[${i}].kind ${r.kind} is listed twice`);
      seen.add(r.kind);
      if (r.kind === 'manual')
        throw validationFailed(
          `rules[${i}].kind`,
          `rules[${i}].kind manual names doctors' own alerts, not a rule`,
        );
      const range = THRESHOLD_RANGES[r.kind];
      if (range === null && r.threshold !== null)
        throw validationFailed(
          `rules[${i}].threshold`,
          `rules[${i}].threshold must be null for ${r.kind}`,
        );
      if (
        range !== null &&
        (r.threshold === null || r.threshold < range[0] || r.threshold > range[1])
      )
        throw validationFailed(
          `rules[${i}].threshold`,
          `rules[${i}].threshold for ${r.kind} must be between ${range[0]} and ${range[1]}`,
        );
      return {
        patient_id: patientId,
        kind: r.kind,
        enabled: r.enabled ? 1 : 0,
        threshold: r.threshold,
        duration_s: r.duration_s,
        severity: r.severity,
        updated_at: this.deps.clock.now(),
        updated_by: viewer.id,
      };
    });
    await this.deps.rules.replaceForPatient(patientId, rows);
    this.cache.delete(patientId);
    return { patient_id: patientId, rules: this.view(rows.map(toRule)) };
  }

  private view(overrides: AlertRule[]): AlertRuleView[] {
    return DEFAULT_ALERT_RULES.map((d) => {
      const o = overrides.find((x) => x.kind === d.kind);
      const r = o ?? d;
      return {
        kind: r.kind,
        enabled: r.enabled,
        threshold: r.threshold,
        duration_s: r.durationS,
        severity: r.severity,
        source: o === undefined ? 'default' : 'patient',
      };
    });
  }

  private async assertVisible(viewer: Viewer, patientId: string): Promise<void> {
    if (!(await this.deps.canSeePatient(viewer, patientId)))
      throw notFound('PATIENT_NOT_FOUND', 'id');
  }
}
