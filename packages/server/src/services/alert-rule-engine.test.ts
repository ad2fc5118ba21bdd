import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERT_RULES,
  effectiveRules,
  evaluateRule,
  type AlertObservation,
  type AlertRule,
  type RuleState,
} from './alert-rule-engine.js';

const hrHigh: AlertRule = {
  kind: 'hr_high',
  enabled: true,
  threshold: 120,
  durationS: 10,
  severity: 'warning',
};
const obs = (atMs: number, hr: number | null): AlertObservation => ({
  atMs,
  heartRateBpm: hr,
  spo2Percent: null,
  temperatureC: null,
  riskLabel: null,
  analysable: true,
  afOngoing: null,
  vtRunBeats: null,
  longestPauseMs: null,
});

function run(rule: AlertRule, series: AlertObservation[]): string[] {
  let state: RuleState = { since: null, open: false };
  const actions: string[] = [];
  for (const o of series) {
    const r = evaluateRule(rule, state, o);
    state = r.state;
    actions.push(r.action.type);
  }
  return actions;
}

describe('evaluateRule', () => {
  it('opens only after the condition has held for the rule duration, then updates, then clears', () => {
    const hrs = [80, 130, 131, 135, 140, 138, 90, 85, 88, 86];
    const actions = run(
      hrHigh,
      hrs.map((hr, i) => obs(i * 5000, hr)),
    );
    // condition from t=5 s; held 10 s at t=15 s -> open; updates while high; below from t=30 s,
    // cleared once below for the rule's 10 s (t=40 s).
    expect(actions).toEqual([
      'none',
      'none',
      'none',
      'open',
      'update',
      'update',
      'none',
      'none',
      'clear',
      'none',
    ]);
  });

  it('keeps the alert open through dips shorter than the rule duration (no flapping)', () => {
    // A value wavering across the threshold every few seconds once the alert is open: it stays
    // open (before the clearing hysteresis it cleared at the first dip, t=16 s, and a steady
    // stretch later opened again).
    const hrs = [125, 125, 125, 125, 110, 125, 110, 125, 110, 110, 125, 110, 125];
    const actions = run(
      hrHigh,
      hrs.map((hr, i) => obs(i * 4000, hr)),
    );
    expect(actions.filter((a) => a === 'open')).toHaveLength(1);
    expect(actions).not.toContain('clear');
  });

  it('restarts the clearing duration after a gap in observations longer than a minute', () => {
    const actions = run(hrHigh, [
      obs(0, 130),
      obs(10_000, 131),
      obs(15_000, 90),
      obs(120_000, 90),
      obs(125_000, 90),
      obs(130_000, 90),
    ]);
    expect(actions).toEqual(['none', 'open', 'none', 'none', 'none', 'clear']);
  });

  it('does not open when the condition breaks before its duration', () => {
    const actions = run(
      hrHigh,
      [130, 131, 100, 130, 131].map((hr, i) => obs(i * 4000, hr)),
    );
    expect(actions).not.toContain('open');
  });

  it('restarts the duration after a gap in observations longer than a minute', () => {
    const actions = run(hrHigh, [
      obs(0, 130),
      obs(5000, 131),
      obs(3_600_000, 132),
      obs(3_605_000, 133),
      obs(3_610_000, 134),
    ]);
    expect(actions).toEqual(['none', 'none', 'none', 'none', 'open']);
  });

  it('leaves the state alone when the value is unknown (e.g. no analysable ECG)', () => {
    const actions = run(hrHigh, [obs(0, 130), obs(5000, null), obs(10_000, 130)]);
    expect(actions).toEqual(['none', 'none', 'open']);
  });

  it('fires at once for a VT run and clears on the next packet without one', () => {
    const vt = DEFAULT_ALERT_RULES.find((r) => r.kind === 'vt_run');
    if (vt === undefined) throw new Error('missing rule');
    const series = [0, 4, 0].map((beats, i) => ({ ...obs(i * 1000, 80), vtRunBeats: beats }));
    expect(run(vt, series)).toEqual(['none', 'open', 'clear']);
  });

  it('keeps an AF alert open through a short break in the AF episode, then clears after 60 s', () => {
    const af = DEFAULT_ALERT_RULES.find((r) => r.kind === 'af_onset');
    if (af === undefined) throw new Error('missing rule');
    const at = (s: number, ongoing: boolean) => ({ ...obs(s * 1000, 110), afOngoing: ongoing });
    // The episode closes at 200 s and reopens at 236 s (the monitor's 30-s minimum): one alert.
    const brief = [at(0, true), at(200, false), at(220, false), at(236, true), at(240, true)];
    expect(run(af, brief)).toEqual(['open', 'none', 'none', 'update', 'update']);
    // AF gone for 60 s: cleared.
    const ended = [at(0, true), at(200, false), at(230, false), at(259, false), at(260, false)];
    expect(run(af, ended)).toEqual(['open', 'none', 'none', 'none', 'clear']);
  });

  it('keeps infant_sick open while the fever lasts though the crying stops, and clears below the threshold', () => {
    // Before: the first quiet reading cleared it (seconds after it opened) and the next cry
    // opened a new alert.
    const sick: AlertRule = {
      kind: 'infant_sick',
      enabled: true,
      threshold: 38,
      durationS: 0,
      severity: 'critical',
    };
    const baby = (atMs: number, tempC: number, cry: boolean | null): AlertObservation => ({
      ...obs(atMs, null),
      infantTemperatureC: tempC,
      cryDetected: cry,
    });
    let state: RuleState = { since: null, open: false };
    const steps: [number, boolean | null][] = [
      [37.2, true], // crying without fever: not sick
      [38.6, true], // sick: opens
      [38.5, false], // quiet, still feverish: stays open
      [38.4, null], // a reading without audio, still feverish: nothing moves
      [38.7, true], // cries again: the same alert, updated
      [37.6, null], // fever gone (no audio): clears
      [37.5, false],
    ];
    const out = steps.map(([t, cry], i) => {
      const r = evaluateRule(sick, state, baby(i * 10_000, t, cry));
      state = r.state;
      return r.action.type === 'update' || r.action.type === 'open' || r.action.type === 'clear'
        ? `${r.action.type}: ${r.action.message}`
        : r.action.type;
    });
    expect(out).toEqual([
      'none',
      'open: crying at 38.6 °C (≥ 38)',
      'update: fever 38.5 °C (≥ 38) after crying at a fever, not crying now',
      'none',
      'update: crying at 38.7 °C (≥ 38)',
      'clear: infant temperature 37.6 °C (< 38)',
      'none',
    ]);
  });

  const infantSickRule = () => {
    const rule = DEFAULT_ALERT_RULES.find((r) => r.kind === 'infant_sick');
    if (rule === undefined) throw new Error('missing rule');
    return rule;
  };
  /** A baby monitor's reading at `atMs`: temperature (°C) and whether it was judged a cry. */
  const baby = (atMs: number, tempC: number, cry: boolean): AlertObservation => ({
    ...obs(atMs, null),
    infantTemperatureC: tempC,
    cryDetected: cry,
  });

  it('does not clear or update an open alert from an observation older than the newest judged', () => {
    // A monitor flushing last night's readings after the sick alert opened: before, the first
    // of them (20 h older, 37 °C) cleared the alert at once (infant_sick has no duration).
    const sick = infantSickRule();
    const now = 72_000_000;
    let state: RuleState = { since: null, open: false };
    const steps = [
      baby(now, 38.9, true), // opens
      baby(now - 20 * 3_600_000, 37, true), // last night, normal temperature
      baby(now - 3_600_000, 39.5, true), // an hour ago, feverish: no update from old data
      baby(now + 10_000, 37.2, false), // the next live reading: fever gone, clears
    ];
    const out = steps.map((o) => {
      const r = evaluateRule(sick, state, o);
      state = r.state;
      return r.action.type;
    });
    expect(out).toEqual(['open', 'none', 'none', 'clear']);
    // The late readings left the rule's newest data time where it was.
    expect(state.lastAt).toBe(now + 10_000);
  });

  it('follows a stream restarted behind the judged time (a device clock stepped back) and clears', () => {
    const sick = infantSickRule();
    const now = 72_000_000;
    let state = evaluateRule(sick, { since: null, open: false }, baby(now, 38.9, true)).state;
    const stepped = { ...baby(now - 3 * 3_600_000, 37, false), streamRestartedBehind: true };
    const r = evaluateRule(sick, state, stepped);
    expect(r.action.type).toBe('clear');
    state = r.state;
    expect(state.lastAt).toBe(now - 3 * 3_600_000);
  });

  it('still opens from late data when no alert is open, with the late onset', () => {
    const sick = infantSickRule();
    let state: RuleState = { since: null, open: false };
    state = evaluateRule(sick, state, baby(100_000, 37, false)).state;
    const late = evaluateRule(sick, state, baby(40_000, 38.8, true));
    expect(late.action).toMatchObject({ type: 'open', onsetMs: 40_000 });
  });

  it('clears an open alert when the rule is disabled', () => {
    const r = evaluateRule({ ...hrHigh, enabled: false }, { since: 0, open: true }, obs(0, 150));
    expect(r.action.type).toBe('clear');
  });

  it('names the value and the duration in the open message', () => {
    const r = evaluateRule(hrHigh, { since: 0, open: false }, obs(12_000, 142));
    expect(r.action).toEqual({
      type: 'open',
      value: 142,
      message: 'HR 142 bpm (> 120) for 12 s',
      onsetMs: 0,
    });
  });
});

describe("an opened alert's onset (the event's data time)", () => {
  const rule = (kind: AlertRule['kind']): AlertRule => {
    const r = DEFAULT_ALERT_RULES.find((x) => x.kind === kind);
    if (r === undefined) throw new Error(`missing rule ${kind}`);
    return r;
  };
  /** The onsetMs of the first 'open' action of a series, undefined if none opens. */
  function onsetOf(r: AlertRule, series: AlertObservation[]): number | null | undefined {
    let state: RuleState = { since: null, open: false };
    for (const o of series) {
      const step = evaluateRule(r, state, o);
      state = step.state;
      if (step.action.type === 'open') return step.action.onsetMs;
    }
    return undefined;
  }
  // An hour before any server clock: the engine only ever sees the data's times.
  const T = Date.UTC(2026, 11, 7, 6, 0, 0);

  it('is where the condition began holding for a rule with a duration, not where it opened', () => {
    const hrs = [80, 130, 131, 135, 140];
    expect(
      onsetOf(
        hrHigh,
        hrs.map((hr, i) => obs(T + i * 5000, hr)),
      ),
    ).toBe(T + 5000);
  });

  it('starts again after a gap in observations, like the duration', () => {
    const series = [obs(T, 130), obs(T + 5000, 131), obs(T + 3_600_000, 132)];
    series.push(obs(T + 3_605_000, 133), obs(T + 3_610_000, 134));
    expect(onsetOf(hrHigh, series)).toBe(T + 3_600_000);
  });

  it("is the AF episode's start as the arrhythmia monitor reports it", () => {
    const o = { ...obs(T + 40_000, 110), afOngoing: true, afSinceMs: T + 8_120 };
    expect(onsetOf(rule('af_onset'), [o])).toBe(T + 8_120);
  });

  it("is the VT run's first beat, and the start of the pause", () => {
    const vt = { ...obs(T, 150), vtRunBeats: 5, vtRunAtMs: T + 640 };
    expect(onsetOf(rule('vt_run'), [vt])).toBe(T + 640);
    const pause = { ...obs(T, 40), longestPauseMs: 3_600, longestPauseAtMs: T - 2_300 };
    expect(onsetOf(rule('pause'), [pause])).toBe(T - 2_300);
  });

  it("is the observation's time when the analyser gives no finer one", () => {
    expect(onsetOf(rule('vt_run'), [{ ...obs(T, 150), vtRunBeats: 4 }])).toBe(T);
  });

  it('is null for a device falling silent (no data opened it)', () => {
    const silent = { ...obs(T, null), silentForMs: 6 * 60_000 };
    expect(onsetOf(rule('device_silent'), [silent])).toBeNull();
  });
});

describe('effectiveRules', () => {
  it('replaces the default of an overridden kind and keeps the others', () => {
    const rules = effectiveRules([hrHigh]);
    expect(rules).toHaveLength(DEFAULT_ALERT_RULES.length);
    expect(rules.find((r) => r.kind === 'hr_high')?.threshold).toBe(120);
    expect(rules.find((r) => r.kind === 'spo2_low')?.threshold).toBe(91);
  });
});
