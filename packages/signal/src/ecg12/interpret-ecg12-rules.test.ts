import { describe, expect, it } from 'vitest';
import type { Ecg12LeadMeasurements, Ecg12Measurements } from './ecg12-types.js';
import { interpretEcg12Rules } from './interpret-ecg12-rules.js';

/** A normal lead: R 1 mV, S 0.3 mV, no Q, one R wave, flat ST, upright T 0.3 mV. */
function lead(over: Partial<Ecg12LeadMeasurements> = {}): Ecg12LeadMeasurements {
  return {
    rAmplitude: 1,
    sAmplitude: 0.3,
    sDurationMs: 20,
    qAmplitude: 0,
    qDurationMs: 0,
    qs: false,
    positiveWaves: 1,
    rPeakTimeMs: 35,
    netAreaUnitMs: 30,
    stJ60: 0,
    stJ: 0,
    tAmplitude: 0.3,
    tPolarity: 1,
    qrsPeakToPeak: 1.3,
    ...over,
  };
}

/** Normal sinus ECG measurements (HR 60, PR 160, QRS 90, QTc 400, axis 60°). */
function normal(
  over: Partial<Ecg12Measurements> = {},
  leads: Record<number, Partial<Ecg12LeadMeasurements>> = {},
): Ecg12Measurements {
  return {
    samplingRateHz: 500,
    beatCount: 10,
    heartRateBpm: 60,
    rrMs: 1000,
    rrCv: 0.02,
    prMs: 160,
    pDurationMs: 100,
    pAmplitudeII: 0.1,
    pTerminalForceV1: 1,
    qrsMs: 90,
    qtMs: 400,
    qtcBazettMs: 400,
    qtcFridericiaMs: 400,
    axisDeg: 60,
    axisSector: 'normal',
    fiducialsMs: { qrsOnset: -40, qrsOffset: 50, tEnd: 360, pOnset: -200 },
    leadQrsOnsetMs: new Array<number>(12).fill(-40),
    leadQrsOffsetMs: new Array<number>(12).fill(50),
    // V1 and V2 rS (R 0.2, S 1.0 mV) as in a normal precordial progression; aVL R 0.5 mV.
    leads: Array.from({ length: 12 }, (_, l) =>
      lead({
        ...(l === 6 || l === 7 ? { rAmplitude: 0.2, sAmplitude: 1 } : {}),
        ...(l === 4 ? { rAmplitude: 0.5 } : {}),
        ...(leads[l] ?? {}),
      }),
    ),
    beatSamples: [],
    ...over,
  };
}

const criteria = (r: ReturnType<typeof interpretEcg12Rules>): string[] =>
  r.findings.map((f) => f.criterion);

describe('interpretEcg12Rules', () => {
  it('calls a normal ECG NORM with sinus rhythm as its only statement', () => {
    const r = interpretEcg12Rules(normal(), { units: 'mV', age: 50, sex: 'male' });
    expect(r.findings.map((f) => [f.class, f.criterion])).toEqual([['NOTE', 'SINUS_RHYTHM']]);
    expect(r.probabilities.NORM).toBeGreaterThan(0.7);
  });

  it("reports QRS 132 ms + RSR' in V1 with a wide S in I as complete RBBB (CD)", () => {
    const r = interpretEcg12Rules(
      normal({ qrsMs: 132 }, { 6: { positiveWaves: 2 }, 0: { sDurationMs: 50 } }),
      { units: 'mV' },
    );
    expect(r.findings.find((f) => f.criterion === 'CRBBB')?.text).toMatch(
      /^QRS 132 ms \+ RSR' in V1\/V2 with wide S in I\/V6 \(50 ms\) → CD \(complete RBBB pattern\)$/,
    );
    // CRBBB alone: wide QRS 0.92 × wide S 0.88 × strength 0.9 = 0.73; the noisy-OR adds the
    // residual IRBBB and IVCD scores.
    expect(r.probabilities.CD).toBeGreaterThan(0.917 * 0.881 * 0.9 - 0.01);
    expect(criteria(r)).not.toContain('IVCD');
  });

  it('applies the Fourth UDMI V2–V3 ST-elevation limits by sex and age (0.25 mV in V2–V4)', () => {
    const st = { 7: { stJ: 0.25 }, 8: { stJ: 0.25 }, 9: { stJ: 0.25 } };
    const man = interpretEcg12Rules(normal({}, st), { units: 'mV', age: 55, sex: 'male' });
    expect(criteria(man)).toContain('ST_ELEVATION');
    expect(man.findings.find((f) => f.criterion === 'ST_ELEVATION')?.text).toMatch(
      /0\.25 mV in V\d, 0\.25 mV in V\d .* → MI$/,
    );
    expect(man.probabilities.MI).toBeGreaterThan(0.5);
    // 0.15 mV in V2–V3 only: above the 0.15 mV limit for women, under the 0.2 mV one for men ≥ 40.
    const low = { 7: { stJ: 0.17 }, 8: { stJ: 0.17 } };
    expect(
      criteria(interpretEcg12Rules(normal({}, low), { units: 'mV', age: 55, sex: 'female' })),
    ).toContain('ST_ELEVATION');
    expect(
      criteria(interpretEcg12Rules(normal({}, low), { units: 'mV', age: 55, sex: 'male' })),
    ).not.toContain('ST_ELEVATION');
  });

  it('finds an inferior MI from Q waves of 40 ms / 0.3 mV in III and aVF (Cabrera neighbours)', () => {
    const q = { qDurationMs: 40, qAmplitude: 0.3 };
    const r = interpretEcg12Rules(normal({}, { 2: q, 5: q }), { units: 'mV', age: 60 });
    expect(r.findings.find((f) => f.criterion === 'PATHOLOGICAL_Q')?.text).toBe(
      'pathological Q/QS in aVF (40 ms), III (40 ms) → MI',
    );
    // Q 40 ms against the 30 ms limit (width 5 ms) scores 0.88, × the definite strength 0.9 =
    // 0.79; the noisy-OR adds the near-zero ST-elevation score.
    expect(r.probabilities.MI).toBeGreaterThan(0.79);
    expect(r.probabilities.MI).toBeLessThan(0.81);
    // The same Q in III alone is the normal variant: no MI.
    const alone = interpretEcg12Rules(normal({}, { 2: q }), { units: 'mV', age: 60 });
    expect(criteria(alone)).not.toContain('PATHOLOGICAL_Q');
  });

  it('calls left atrial abnormality only when P duration and P terminal force in V1 agree', () => {
    const both = interpretEcg12Rules(normal({ pDurationMs: 135, pTerminalForceV1: 6 }), {
      units: 'mV',
      age: 60,
    });
    expect(both.findings.find((f) => f.criterion === 'LAE')?.text).toBe(
      'P duration 135 ms (≥ 120) and P terminal force in V1 6.00 mV·ms (≥ 4) → HYP (left atrial abnormality)',
    );
    for (const one of [{ pDurationMs: 135 }, { pTerminalForceV1: 6 }]) {
      const r = interpretEcg12Rules(normal(one), { units: 'mV', age: 60 });
      expect(criteria(r)).not.toContain('LAE');
      expect(r.probabilities.HYP).toBeLessThan(0.2);
    }
  });

  it('scores Sokolow–Lyon ≥ 3.5 mV as HYP in mV and ignores it for relative units', () => {
    const lvh = { 6: { sAmplitude: 2 }, 10: { rAmplitude: 2 } };
    const mv = interpretEcg12Rules(normal({}, lvh), { units: 'mV', age: 60 });
    expect(mv.findings.find((f) => f.criterion === 'SOKOLOW_LYON')?.text).toBe(
      'Sokolow–Lyon S(V1) + R(V5/V6) = 4.00 mV (≥ 3.5) → HYP (LVH voltage)',
    );
    const rel = interpretEcg12Rules(normal({}, lvh), { units: 'relative', age: 60 });
    expect(rel.findings[0]?.criterion).toBe('UNITS_RELATIVE');
    expect(rel.evidence).not.toHaveProperty('SOKOLOW_LYON');
    expect(rel.evidence).not.toHaveProperty('ST_ELEVATION');
  });

  it('suppresses ST/T and Q criteria when the QRS is ≥ 120 ms (secondary repolarisation)', () => {
    const m = normal({ qrsMs: 150 }, { 9: { tAmplitude: -0.4 }, 10: { tAmplitude: -0.4 } });
    expect(
      criteria(
        interpretEcg12Rules(normal({}, { 9: { tAmplitude: -0.4 }, 10: { tAmplitude: -0.4 } }), {
          units: 'mV',
        }),
      ),
    ).toContain('T_INVERSION');
    expect(criteria(interpretEcg12Rules(m, { units: 'mV' }))).not.toContain('T_INVERSION');
  });

  it('reads PR > 200 ms as first-degree AV block and QTc ≥ 460 ms in a woman as long QT', () => {
    const r = interpretEcg12Rules(normal({ prMs: 240, qtcBazettMs: 490 }), {
      units: 'mV',
      sex: 'female',
    });
    expect(criteria(r)).toEqual(expect.arrayContaining(['AVB1', 'LONG_QTC']));
    expect(
      criteria(interpretEcg12Rules(normal({ qtcBazettMs: 455 }), { units: 'mV', sex: 'female' })),
    ).not.toContain('LONG_QTC');
  });

  it.each([
    [{ heartRateBpm: 48 }, 'SINUS_BRADYCARDIA'],
    [{ heartRateBpm: 60 }, 'SINUS_RHYTHM'],
    [{ heartRateBpm: 100 }, 'SINUS_RHYTHM'],
    [{ heartRateBpm: 124 }, 'SINUS_TACHYCARDIA'],
    [{ prMs: NaN, pAmplitudeII: NaN, rrCv: 0.18, heartRateBpm: 95 }, 'ATRIAL_FIBRILLATION'],
    [{ prMs: NaN, pAmplitudeII: NaN, rrCv: 0.03, heartRateBpm: 140 }, 'RHYTHM_UNDETERMINED'],
    [{ pAmplitudeII: -0.1 }, 'RHYTHM_UNDETERMINED'],
  ] as const)('states the rhythm of %o as %s (AHA part II limits 60 / 100 bpm)', (over, rhythm) => {
    const r = interpretEcg12Rules(normal(over), { units: 'relative' });
    const notes = r.findings.filter((f) => f.class === 'NOTE').map((f) => f.criterion);
    expect(notes).toEqual(['UNITS_RELATIVE', rhythm]);
  });

  it('states a limit its finding fires at without contradiction: QRS 110.4 ms is "110 ms (≥ 110 ms)", 100.4 bpm is "100.4 bpm (> 100 bpm)"', () => {
    // Before: "QRS 110 ms (> 110 ms)" (a soft limit fires from the limit itself) and a rate of
    // 100.4 bpm read "sinus tachycardia (> 100 bpm): 100 bpm".
    const text = (r: ReturnType<typeof interpretEcg12Rules>, criterion: string) =>
      r.findings.find((f) => f.criterion === criterion)?.text;
    // A q in V5 rules out the LBBB pattern, so the QRS limit alone decides IVCD.
    const qV5 = { 10: { qAmplitude: 0.05 } };
    expect(
      text(interpretEcg12Rules(normal({ qrsMs: 110.4 }, qV5), { units: 'mV' }), 'IVCD'),
    ).toMatch(/^QRS 110 ms \(≥ 110 ms\) without/);
    expect(text(interpretEcg12Rules(normal({ prMs: 200 }), { units: 'mV' }), 'AVB1')).toMatch(
      /^PR 200 ms \(≥ 200 ms\)/,
    );
    const fast = interpretEcg12Rules(normal({ heartRateBpm: 100.4 }), { units: 'mV' });
    expect(text(fast, 'SINUS_TACHYCARDIA')).toMatch(/^sinus tachycardia \(> 100 bpm\): 100\.4 bpm/);
    const slow = interpretEcg12Rules(normal({ heartRateBpm: 59.7 }), { units: 'mV' });
    expect(text(slow, 'SINUS_BRADYCARDIA')).toMatch(/^sinus bradycardia \(< 60 bpm\): 59\.7 bpm/);
    const plain = interpretEcg12Rules(normal({ heartRateBpm: 124.4 }), { units: 'mV' });
    expect(text(plain, 'SINUS_TACHYCARDIA')).toMatch(/: 124 bpm/);
  });

  it('counts horizontal or downsloping ST depression (UDMI), not an upsloping one recovering by J+60 ms', () => {
    const horizontal = { 10: { stJ: -0.1, stJ60: -0.1 }, 11: { stJ: -0.1, stJ60: -0.12 } };
    const upsloping = { 10: { stJ: -0.15, stJ60: 0 }, 11: { stJ: -0.15, stJ60: 0.01 } };
    expect(criteria(interpretEcg12Rules(normal({}, horizontal), { units: 'mV' }))).toContain(
      'ST_DEPRESSION',
    );
    expect(criteria(interpretEcg12Rules(normal({}, upsloping), { units: 'mV' }))).not.toContain(
      'ST_DEPRESSION',
    );
  });

  it('reads QRS 140 ms, rS in V1, R-peak time 80 ms in V5/V6 and no q in I, V5, V6 as complete LBBB; a q in V5 vetoes it', () => {
    const lbbb = {
      6: { rAmplitude: 0.1, sAmplitude: 1.5 },
      10: { rPeakTimeMs: 80 },
      11: { rPeakTimeMs: 80 },
    };
    const r = interpretEcg12Rules(normal({ qrsMs: 140 }, lbbb), { units: 'mV' });
    expect(criteria(r)).toContain('CLBBB');
    expect(r.probabilities.CD).toBeGreaterThan(0.8);
    const withQ = interpretEcg12Rules(
      normal(
        { qrsMs: 140 },
        { ...lbbb, 10: { rPeakTimeMs: 80, qAmplitude: 0.15, qDurationMs: 20 } },
      ),
      { units: 'mV' },
    );
    expect(criteria(withQ)).not.toContain('CLBBB');
    expect(criteria(withQ)).toContain('IVCD');
  });
});
