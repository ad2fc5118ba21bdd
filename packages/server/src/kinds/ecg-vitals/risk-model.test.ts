import { describe, expect, it } from 'vitest';
import {
  NEWS2_PULSE_BANDS,
  NEWS2_SPO2_BANDS,
  NEWS2_TEMPERATURE_BANDS,
  bandPoints,
  createNews2RiskModel,
  labelForNews2,
  type RiskInput,
} from './risk-model.js';

const base: RiskInput = {
  heartRateBpm: 72,
  heartRateSource: 'ecg',
  spo2Percent: 98,
  temperatureC: 36.8,
  respiratoryRate: null,
  qrsDurationMs: 90,
  ecgQuality: { analysable: true, score: 0.95, reasons: [] },
  arrhythmia: { afSinceMs: null, vtRun: null, longestPauseMs: null, vebPercent: 0 },
  nowMs: Date.UTC(2026, 0, 1, 14, 0, 0),
};

describe('NEWS2 bands (RCP 2017, chart 1)', () => {
  it('scores pulse at the published band edges', () => {
    const cases: [number, number][] = [
      [40, 3],
      [41, 1],
      [50, 1],
      [51, 0],
      [90, 0],
      [91, 1],
      [110, 1],
      [111, 2],
      [130, 2],
      [131, 3],
    ];
    for (const [hr, points] of cases) expect(bandPoints(hr, NEWS2_PULSE_BANDS)).toBe(points);
  });
  it('scores SpO2 scale 1 and temperature at the band edges', () => {
    expect([91, 92, 93, 94, 95, 96].map((s) => bandPoints(s, NEWS2_SPO2_BANDS))).toEqual([
      3, 2, 2, 1, 1, 0,
    ]);
    expect(
      [35.0, 35.1, 36.0, 36.1, 38.0, 38.1, 39.0, 39.1].map((t) =>
        bandPoints(t, NEWS2_TEMPERATURE_BANDS, 1),
      ),
    ).toEqual([3, 1, 1, 0, 0, 1, 1, 2]);
  });
  it('maps aggregate scores to the clinical-response labels', () => {
    expect(labelForNews2(0, false)).toBe('normal');
    expect(labelForNews2(3, false)).toBe('low');
    expect(labelForNews2(3, true)).toBe('moderate');
    expect(labelForNews2(5, false)).toBe('elevated');
    expect(labelForNews2(7, true)).toBe('high');
  });
});

describe('createNews2RiskModel', () => {
  const model = createNews2RiskModel();

  it('rates normal vitals and a clean ECG as normal with no scoring reasons', () => {
    const r = model.assess(base);
    expect(r.riskLabel).toBe('normal');
    expect(r.riskScore).toBe(0);
    expect(r.reasons).toEqual([]);
    expect(r.modelVersion).toBe('news2-ecg-1.0');
  });

  it('explains a sustained tachycardia with its duration', () => {
    const r = model.assess({ ...base, heartRateBpm: 142, heartRateBandDurationMs: 180_000 });
    expect(r.reasons).toEqual([{ code: 'HR_HIGH', text: 'HR 142 bpm for 3 min', points: 3 }]);
    expect(r.riskLabel).toBe('moderate');
    expect(r.riskScore).toBeCloseTo(0.3, 6);
  });

  it('adds hypoxaemia, fever and a wide QRS into a high score', () => {
    const r = model.assess({
      ...base,
      heartRateBpm: 135,
      spo2Percent: 88,
      temperatureC: 39.4,
      qrsDurationMs: 130,
    });
    expect(r.reasons.map((x) => x.code).sort()).toEqual([
      'FEVER',
      'HR_HIGH',
      'QRS_WIDE',
      'SPO2_LOW',
    ]);
    expect(r.reasons.find((x) => x.code === 'SPO2_LOW')?.text).toBe('SpO2 88%');
    expect(r.reasons.find((x) => x.code === 'QRS_WIDE')?.text).toBe('QRS 130 ms');
    // 3 (pulse) + 3 (SpO2) + 2 (temperature) + 1 (QRS) = 9
    expect(r.riskScore).toBeCloseTo(0.9, 6);
    expect(r.riskLabel).toBe('high');
  });

  it('scores arrhythmia findings with their own reasons', () => {
    const r = model.assess({
      ...base,
      arrhythmia: {
        afSinceMs: base.nowMs - 12 * 60_000,
        vtRun: { beats: 3, atMs: Date.UTC(2026, 0, 1, 14, 2) },
        longestPauseMs: 3400,
        vebPercent: 8,
      },
    });
    const texts = r.reasons.map((x) => x.text);
    expect(texts).toContain('AF for 12 min');
    expect(texts).toContain('3-beat VT run at 14:02');
    expect(texts).toContain('pause 3.4 s');
    expect(texts.some((t) => t.startsWith('VEB'))).toBe(false);
    expect(r.riskLabel).toBe('high'); // 2 + 3 + 3 = 8
  });

  it('ignores ECG findings and reports poor signal when the ECG is not analysable', () => {
    const r = model.assess({
      ...base,
      heartRateBpm: null,
      heartRateSource: null,
      qrsDurationMs: 180,
      ecgQuality: { analysable: false, score: 0.1, reasons: ['lead off'] },
      arrhythmia: {
        afSinceMs: 0,
        vtRun: { beats: 5, atMs: 0 },
        longestPauseMs: 5000,
        vebPercent: 50,
      },
    });
    expect(r.reasons).toEqual([{ code: 'POOR_SIGNAL', text: 'poor signal (lead off)', points: 0 }]);
    expect(r.riskLabel).toBe('normal');
    expect(r.confidence).toBeLessThan(model.assess(base).confidence);
  });
});
