/**
 * Pure alert-rule evaluation: given a rule, the latest observation of a patient and the rule's
 * running state, decide whether an alert opens, is updated, or clears. Kept free of I/O so the
 * lifecycle is unit-tested exhaustively; alerts.service.ts persists the outcome.
 *
 * Lifecycle (after ThingsBoard's alarm model): a condition must hold for `durationS` seconds
 * before an alert opens; while it keeps holding the one open alert of (patient, rule) is
 * updated, never duplicated; once it has stopped holding for as long (`durationS` again), the
 * alert is cleared. The clearing side has the same hysteresis as the opening one: a value that
 * wavers across the threshold (a risk label flickering between two bands, a second device of the
 * patient sending normal readings) would otherwise close the alert and reopen it a duration
 * later, over and over (5 `risk_elevated` alerts in 10 min for the demo's steady tachycardia).
 * Rules of duration 0 still clear on the first observation that does not hold, but for
 * `af_onset`, whose opening duration is the monitor's (AF_CLEAR_HOLD_S). Acknowledgement
 * is independent of this and lives in the alert row.
 */

import {
  ALERT_RULE_KINDS,
  ALERT_SEVERITIES,
  type AlertRuleKind,
  type AlertSeverity,
} from '@vigil/protocol';

export { ALERT_RULE_KINDS, ALERT_SEVERITIES, type AlertRuleKind, type AlertSeverity };

export interface AlertRule {
  kind: AlertRuleKind;
  enabled: boolean;
  /**
   * Threshold in the kind's unit: bpm (hr_*), % (spo2_low), °C (fever), minutes (device_silent),
   * ms (pause: RR gap), null where the kind has none (risk_*, poor_signal, af_onset, vt_run).
   */
  threshold: number | null;
  /** Seconds the condition must hold before the alert opens (0 = at once). */
  durationS: number;
  severity: AlertSeverity;
}

/**
 * Default rules, used for every patient unless their doctor overrides a kind.
 * HR/SpO2/temperature limits sit at the NEWS2 3-point ("red") band edges (RCP 2017), so an
 * alert means a single-parameter urgent-review score; durations filter motion artefacts.
 */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  { kind: 'hr_high', enabled: true, threshold: 130, durationS: 30, severity: 'warning' },
  { kind: 'hr_low', enabled: true, threshold: 40, durationS: 30, severity: 'warning' },
  { kind: 'spo2_low', enabled: true, threshold: 91, durationS: 30, severity: 'critical' },
  { kind: 'fever', enabled: true, threshold: 39.1, durationS: 60, severity: 'warning' },
  { kind: 'risk_elevated', enabled: true, threshold: null, durationS: 60, severity: 'warning' },
  { kind: 'risk_high', enabled: true, threshold: null, durationS: 0, severity: 'critical' },
  { kind: 'poor_signal', enabled: true, threshold: null, durationS: 120, severity: 'info' },
  { kind: 'device_silent', enabled: true, threshold: 5, durationS: 0, severity: 'warning' },
  { kind: 'af_onset', enabled: true, threshold: null, durationS: 0, severity: 'warning' },
  { kind: 'vt_run', enabled: true, threshold: null, durationS: 0, severity: 'critical' },
  { kind: 'pause', enabled: true, threshold: 3000, durationS: 0, severity: 'critical' },
  // Baby monitor (src/kinds/baby-monitor/): one reading decides, readings may be minutes apart.
  // 38.0 °C is the usual infant fever cut-off (NICE NG143: ≥ 38 °C in under-3-month-olds is high
  // risk); infant_sick is crying at that temperature (seed 002's "sick_detected").
  { kind: 'infant_sick', enabled: true, threshold: 38, durationS: 0, severity: 'critical' },
  { kind: 'infant_fever', enabled: true, threshold: 38, durationS: 0, severity: 'warning' },
  // Room humidity band 30–70 % RH (outside it: dry airways, or mould and mites).
  { kind: 'humidity_high', enabled: true, threshold: 70, durationS: 0, severity: 'info' },
  { kind: 'humidity_low', enabled: true, threshold: 30, durationS: 0, severity: 'info' },
  // Camera heart rate (src/kinds/rppg/): seed 001's health_monitor.py thresholds, which alert on
  // one high-confidence reading above 120 or below 50 bpm, on poor signal held 30 s and on no face
  // held 10 s. Only high-confidence camera readings move the rate rules.
  { kind: 'camera_hr_high', enabled: true, threshold: 120, durationS: 0, severity: 'warning' },
  { kind: 'camera_hr_low', enabled: true, threshold: 50, durationS: 0, severity: 'warning' },
  {
    kind: 'camera_poor_signal',
    enabled: true,
    threshold: null,
    durationS: 30,
    severity: 'warning',
  },
  { kind: 'camera_no_face', enabled: true, threshold: null, durationS: 10, severity: 'warning' },
  // 12-lead streams: MI criteria of the live 12-lead interpretation open at once.
  { kind: 'mi_12lead', enabled: true, threshold: null, durationS: 0, severity: 'critical' },
];

/**
 * What one analysed packet tells the rules; null fields are unknown (the rule does not move).
 * Times are data times (the device's clock, as its packets carry them), never the server's
 * clock, but for the device-offline sweep's `atMs`: a device may upload an hour late.
 */
export interface AlertObservation {
  /** Epoch ms of the observation: the packet's (reading's) own timestamp. */
  atMs: number;
  heartRateBpm: number | null;
  spo2Percent: number | null;
  temperatureC: number | null;
  riskLabel: string | null;
  /** null when the packet had no ECG. */
  analysable: boolean | null;
  afOngoing: boolean | null;
  /** Length in beats of a VT run seen in this packet, 0 if none, null when withheld. */
  vtRunBeats: number | null;
  /** Longest RR gap (ms) seen in this packet, null when withheld. */
  longestPauseMs: number | null;
  /** Epoch ms the ongoing AF episode began, as the arrhythmia monitor reports it. */
  afSinceMs?: number | null;
  /** Epoch ms the VT run of `vtRunBeats` began. */
  vtRunAtMs?: number | null;
  /** Epoch ms the longest RR gap began (the beat before the pause). */
  longestPauseAtMs?: number | null;
  /**
   * The first observation of a device's stream that restarted behind the data time already
   * judged (its clock stepped back, packet-order.ts): judged afresh, not as late data.
   */
  streamRestartedBehind?: boolean;
  /** For device_silent sweeps: ms since the device's last packet. */
  silentForMs?: number | null;
  /** Baby monitor: temperature (°C) for infant_fever / infant_sick. */
  infantTemperatureC?: number | null;
  /** Baby monitor: whether the reading was judged a cry (infant_sick). */
  cryDetected?: boolean | null;
  /** Baby monitor: room relative humidity (%). */
  humidityPercent?: number | null;
  /** Camera heart rate: a high-confidence camera reading, bpm (null at lower confidence). */
  cameraBpm?: number | null;
  /** Camera heart rate: whether the camera sees a face. */
  cameraFaceDetected?: boolean | null;
  /** Camera heart rate: the signal quality with a face in view (null without a face). */
  cameraSignalQuality?: 'good' | 'fair' | 'poor' | null;
  /** Live 12-lead interpretation of the latest window: MI criteria that fired (text), if any. */
  mi12Criteria?: string[] | null;
}

/** An observation at `atMs` that says only what `seen` gives (every other reading unknown). */
export function observation(atMs: number, seen: Partial<AlertObservation>): AlertObservation {
  return {
    atMs,
    heartRateBpm: null,
    spo2Percent: null,
    temperatureC: null,
    riskLabel: null,
    analysable: null,
    afOngoing: null,
    vtRunBeats: null,
    longestPauseMs: null,
    ...seen,
  };
}

export interface RuleState {
  /** When the condition started holding (ms), null if it is not holding. */
  since: number | null;
  /** Whether an alert is currently open for this rule. */
  open: boolean;
  /** Time of the last observation the rule could judge (ms). */
  lastAt?: number;
  /** While an alert is open: when its condition stopped holding (ms); absent while it holds. */
  clearingSince?: number;
  /**
   * Data time (ms) the event began that the holding condition shows (`Check.atMs` of the first
   * holding observation): the alert's `onset_at`. Null when no data time exists.
   */
  onsetAt?: number | null;
}

/**
 * A condition only counts as held across observations at most this far apart: after a longer
 * gap (device off, lost packets) or a step back in time, its duration starts again.
 */
export const MAX_OBSERVATION_GAP_MS = 60_000;

/**
 * How long AF must have been absent before an `af_onset` alert clears, s (at least; a longer
 * rule duration wins). Its opening duration is the arrhythmia monitor's (an AF alarm needs 30 s
 * of AF, `afMinDurationMs`), so the rule's own is 0; with a clearing hold-off of 0 an episode
 * that the monitor closes for a few seconds of near-regular RR and reopens 30 s or more later
 * gave two alarms for one AF (the demo's continuous AF: closed at 187 s, reopened 36 s later).
 * Twice the alarm's minimum duration outlasts that reopening.
 */
export const AF_CLEAR_HOLD_S = 60;

/** Seconds a rule's condition must have stopped holding before its open alert clears. */
function clearHoldS(rule: AlertRule): number {
  return rule.kind === 'af_onset' ? Math.max(rule.durationS, AF_CLEAR_HOLD_S) : rule.durationS;
}

export type RuleAction =
  | { type: 'none' }
  | {
      type: 'open';
      value: number | null;
      message: string;
      /** Data time (epoch ms) of the event that opened it; null when no data opened it. */
      onsetMs: number | null;
    }
  | { type: 'update'; value: number | null; message: string }
  | { type: 'clear'; message: string };

interface Check {
  holds: boolean;
  /**
   * Whether an alert already open stays open though `holds` is false: the part of the condition
   * that outlasts the event (infant_sick: the fever, while the crying comes and goes).
   */
  keepsOpen?: boolean;
  value: number | null;
  message: string;
  /**
   * Data time (epoch ms) of the event the observation shows: where the analyser placed it in
   * the ECG (AF onset, VT run, pause) or else the observation's own time; null for the
   * device-offline sweep, whose time is the server's.
   */
  atMs: number | null;
}

/** Whether the rule's condition holds for the observation; null when it cannot be judged. */
export function checkCondition(rule: AlertRule, o: AlertObservation): Check | null {
  const c = judge(rule, o);
  if (c === null) return null;
  return { ...c, atMs: eventAtMs(rule, o) };
}

/** The data time of the event an observation shows for a rule (see `Check.atMs`). */
function eventAtMs(rule: AlertRule, o: AlertObservation): number | null {
  switch (rule.kind) {
    case 'device_silent':
      return null;
    case 'af_onset':
      return o.afSinceMs ?? o.atMs;
    case 'vt_run':
      return o.vtRunAtMs ?? o.atMs;
    case 'pause':
      return o.longestPauseAtMs ?? o.atMs;
    default:
      return o.atMs;
  }
}

function judge(rule: AlertRule, o: AlertObservation): Omit<Check, 'atMs'> | null {
  const t = rule.threshold;
  switch (rule.kind) {
    case 'hr_high':
      if (o.heartRateBpm === null || t === null) return null;
      return {
        holds: o.heartRateBpm > t,
        value: o.heartRateBpm,
        message: `HR ${Math.round(o.heartRateBpm)} bpm (> ${t})`,
      };
    case 'hr_low':
      if (o.heartRateBpm === null || t === null) return null;
      return {
        holds: o.heartRateBpm < t,
        value: o.heartRateBpm,
        message: `HR ${Math.round(o.heartRateBpm)} bpm (< ${t})`,
      };
    case 'spo2_low':
      if (o.spo2Percent === null || t === null) return null;
      return {
        holds: o.spo2Percent <= t,
        value: o.spo2Percent,
        message: `SpO2 ${Math.round(o.spo2Percent)}% (≤ ${t}%)`,
      };
    case 'fever':
      if (o.temperatureC === null || t === null) return null;
      return {
        holds: o.temperatureC >= t,
        value: o.temperatureC,
        message: `temperature ${o.temperatureC.toFixed(1)} °C (≥ ${t})`,
      };
    case 'risk_elevated':
      if (o.riskLabel === null) return null;
      return {
        holds: o.riskLabel === 'elevated' || o.riskLabel === 'high',
        value: null,
        message: `risk ${o.riskLabel}`,
      };
    case 'risk_high':
      if (o.riskLabel === null) return null;
      return { holds: o.riskLabel === 'high', value: null, message: `risk ${o.riskLabel}` };
    case 'poor_signal':
      if (o.analysable === null) return null;
      return {
        holds: !o.analysable,
        value: null,
        message: o.analysable ? 'signal analysable' : 'ECG not analysable',
      };
    case 'device_silent': {
      if (o.silentForMs === undefined || o.silentForMs === null || t === null) return null;
      const min = o.silentForMs / 60_000;
      return {
        holds: min >= t,
        value: Math.floor(min),
        message: `no data for ${Math.floor(min)} min`,
      };
    }
    case 'af_onset':
      if (o.afOngoing === null) return null;
      return {
        holds: o.afOngoing,
        value: null,
        message: o.afOngoing ? 'atrial fibrillation' : 'AF ended',
      };
    case 'vt_run':
      if (o.vtRunBeats === null) return null;
      return {
        holds: o.vtRunBeats >= 3,
        value: o.vtRunBeats,
        message: `${o.vtRunBeats}-beat VT run`,
      };
    case 'infant_fever': {
      const temp = o.infantTemperatureC;
      if (temp === undefined || temp === null || t === null) return null;
      return {
        holds: temp >= t,
        value: temp,
        message: `infant temperature ${temp.toFixed(1)} °C (≥ ${t})`,
      };
    }
    case 'infant_sick': {
      // Seed 002's sick_detected (crying at a fever) opens the alert; once open it stays open
      // while the fever lasts and clears when a reading is below the threshold. A feverish baby
      // cries on and off: clearing on the first quiet reading closed the alert seconds after it
      // opened, before anyone had seen it (usertest3), and reopened it at the next cry.
      const temp = o.infantTemperatureC;
      const cry = o.cryDetected;
      if (temp === undefined || temp === null || t === null) return null;
      const fever = temp >= t;
      // Without cry evidence (a reading without audio) only the fever side can be judged.
      if (cry === undefined || cry === null)
        return fever
          ? null
          : {
              holds: false,
              value: temp,
              message: `infant temperature ${temp.toFixed(1)} °C (< ${t})`,
            };
      return {
        holds: cry && fever,
        keepsOpen: fever,
        value: temp,
        message: cry
          ? `crying at ${temp.toFixed(1)} °C (≥ ${t})`
          : fever
            ? // The condition first: the message is the alert's title, and "CRITICAL not crying
              // now" read as if the quiet were the emergency (usertest5).
              `fever ${temp.toFixed(1)} °C (≥ ${t}) after crying at a fever, not crying now`
            : `infant temperature ${temp.toFixed(1)} °C (< ${t})`,
      };
    }
    case 'humidity_high': {
      const h = o.humidityPercent;
      if (h === undefined || h === null || t === null) return null;
      return { holds: h > t, value: h, message: `humidity ${Math.round(h)} % (> ${t} %)` };
    }
    case 'humidity_low': {
      const h = o.humidityPercent;
      if (h === undefined || h === null || t === null) return null;
      return { holds: h < t, value: h, message: `humidity ${Math.round(h)} % (< ${t} %)` };
    }
    case 'camera_hr_high': {
      const bpm = o.cameraBpm;
      if (bpm === undefined || bpm === null || t === null) return null;
      return { holds: bpm > t, value: bpm, message: `camera HR ${Math.round(bpm)} bpm (> ${t})` };
    }
    case 'camera_hr_low': {
      const bpm = o.cameraBpm;
      if (bpm === undefined || bpm === null || t === null) return null;
      return { holds: bpm < t, value: bpm, message: `camera HR ${Math.round(bpm)} bpm (< ${t})` };
    }
    case 'camera_poor_signal': {
      const q = o.cameraSignalQuality;
      if (q === undefined || q === null) return null;
      return {
        holds: q === 'poor',
        value: null,
        message: q === 'poor' ? 'camera pulse signal poor' : `camera signal ${q}`,
      };
    }
    case 'camera_no_face': {
      const face = o.cameraFaceDetected;
      if (face === undefined || face === null) return null;
      return {
        holds: !face,
        value: null,
        message: face ? 'face in view' : 'no face in the camera view',
      };
    }
    case 'mi_12lead': {
      // Only a window with MI criteria moves the rule: a later window without them does not
      // undo an infarct pattern (a clinician resolves the alert), so one MI is one alert.
      const criteria = o.mi12Criteria;
      if (criteria === undefined || criteria === null || criteria.length === 0) return null;
      return { holds: true, value: null, message: `MI: ${criteria.join('; ')}` };
    }
    case 'manual':
      // A doctor's alert is opened and closed by hand, never by a rule.
      return null;
    case 'pause':
      if (o.longestPauseMs === null || t === null) return null;
      return {
        holds: o.longestPauseMs > t,
        value: o.longestPauseMs,
        message: `pause ${(o.longestPauseMs / 1000).toFixed(1)} s`,
      };
  }
}

/** Advances one rule's state with an observation and says what to do with its alert. */
export function evaluateRule(
  rule: AlertRule,
  state: RuleState,
  o: AlertObservation,
): { state: RuleState; action: RuleAction } {
  if (!rule.enabled) {
    return state.open
      ? { state: { since: null, open: false }, action: { type: 'clear', message: 'rule disabled' } }
      : { state: { since: null, open: false }, action: { type: 'none' } };
  }
  const c = checkCondition(rule, o);
  if (c === null) return { state, action: { type: 'none' } };
  // An open alert is about the newest data the rule has judged. An observation older than that
  // (a monitor flushing readings it buffered offline, a late MQTT timestamp) shows a time before
  // it: it can neither clear the alert (a fever of the night before ending tonight's sick alert)
  // nor overwrite its value, and it must not move `lastAt` back either. Opening from late data
  // is unchanged: with no alert open it is judged as before, with its own onset. A device whose
  // clock stepped back is not late data: its new stream is the patient now, and from its first
  // observation on (a gap: durations restart) the rule follows the new data time.
  if (
    state.open &&
    state.lastAt !== undefined &&
    o.atMs < state.lastAt &&
    o.streamRestartedBehind !== true
  )
    return { state, action: { type: 'none' } };
  const lastAt = o.atMs;
  const continuous =
    state.lastAt === undefined ||
    (o.atMs >= state.lastAt && o.atMs - state.lastAt <= MAX_OBSERVATION_GAP_MS);
  if (!(c.holds || (state.open && c.keepsOpen === true))) {
    if (!state.open)
      return { state: { since: null, open: false, lastAt }, action: { type: 'none' } };
    // The open alert clears once the condition has stopped holding for the rule's duration,
    // counted like the opening one (a gap in observations restarts it).
    const clearingSince = (continuous ? state.clearingSince : undefined) ?? o.atMs;
    if (o.atMs - clearingSince >= clearHoldS(rule) * 1000)
      return {
        state: { since: null, open: false, lastAt },
        action: { type: 'clear', message: c.message },
      };
    return { state: { ...state, lastAt, clearingSince }, action: { type: 'none' } };
  }
  const holding = continuous && state.since !== null;
  const since = holding ? (state.since ?? o.atMs) : o.atMs;
  // The onset is the event's start in the data: for a rule that must hold a while, where it
  // began holding (a tachycardia's first fast packet), not the packet that completed the duration.
  const onsetAt = holding ? (state.onsetAt !== undefined ? state.onsetAt : since) : c.atMs;
  if (state.open)
    return {
      state: { since, open: true, lastAt, onsetAt },
      action: { type: 'update', value: c.value, message: c.message },
    };
  if (o.atMs - since >= rule.durationS * 1000) {
    const held = rule.durationS > 0 ? ` for ${Math.round((o.atMs - since) / 1000)} s` : '';
    return {
      state: { since, open: true, lastAt, onsetAt },
      action: { type: 'open', value: c.value, message: c.message + held, onsetMs: onsetAt },
    };
  }
  return { state: { since, open: false, lastAt, onsetAt }, action: { type: 'none' } };
}

/** Default rules with a patient's overrides applied (one rule per kind). */
export function effectiveRules(overrides: readonly AlertRule[]): AlertRule[] {
  return DEFAULT_ALERT_RULES.map((d) => overrides.find((o) => o.kind === d.kind) ?? d);
}
