import { describe, expect, it } from 'vitest';
import { checkCondition, DEFAULT_ALERT_RULES } from '../../services/alert-rule-engine.js';
import { assessOximetry, type OximetryValues } from './pulse-oximetry.assessor.js';

const T = Date.UTC(2026, 0, 1);
const reading: OximetryValues = { spo2: 97, pulseRate: 74, perfusionIndex: 2.5, battery: null };

/** The default rules whose condition holds for an observation (thresholds: SpO2 ≤ 91 %, HR < 40 or > 130). */
function holding(values: OximetryValues): string[] {
  const o = assessOximetry(values, T);
  return DEFAULT_ALERT_RULES.filter((r) => checkCondition(r, o)?.holds === true).map((r) => r.kind);
}

describe('assessOximetry', () => {
  it.each([
    { name: 'a normal reading', values: reading, rules: [] },
    { name: 'a desaturation to 86 %', values: { ...reading, spo2: 86 }, rules: ['spo2_low'] },
    { name: 'SpO2 at the 91 % threshold', values: { ...reading, spo2: 91 }, rules: ['spo2_low'] },
    { name: 'a pulse of 38 bpm', values: { ...reading, pulseRate: 38 }, rules: ['hr_low'] },
    { name: 'a pulse of 140 bpm', values: { ...reading, pulseRate: 140 }, rules: ['hr_high'] },
    {
      name: 'a reading without perfusion index',
      values: { ...reading, perfusionIndex: null },
      rules: [],
    },
  ])('raises $rules for $name', ({ values, rules }) => {
    expect(holding(values)).toEqual(rules);
  });

  it('shows the alert rules SpO2 and pulse, and nothing an ECG would give', () => {
    expect(assessOximetry({ ...reading, spo2: 88, pulseRate: 51 }, T)).toEqual({
      atMs: T,
      heartRateBpm: 51,
      spo2Percent: 88,
      temperatureC: null,
      riskLabel: null,
      analysable: null,
      afOngoing: null,
      vtRunBeats: null,
      longestPauseMs: null,
    });
  });
});
